import Foundation
import Logging
import Testing
@testable import OTA
import OTASigning
@testable import OTATestSupport

/// An installation at 1.0.0 in the original layout, and a release server.
struct UpdateFixture {
    let server: FakeReleaseServer
    let directory: TemporaryDirectory
    var configuration: OTAConfiguration

    static let oldFiles = ["src/app.sh": "echo 1.0.0\n", "config/settings.yaml": "level: 1\n", "VERSION": "1.0.0\n"]
    static let newFiles = ["src/app.sh+x": "echo 1.1.0\n", "src/lib/util.sh": "util\n", "config/settings.yaml": "level: 2\n"]

    init(layout: OTAConfiguration.Installation.Layout = .inPlace) throws {
        server = try FakeReleaseServer()
        directory = try TemporaryDirectory("ota-update")
        for (path, content) in Self.oldFiles { try directory.write("install/\(path)", content) }
        var config = OTAConfiguration.forTest(api: server.baseURL, state: directory, retries: 1)
        config.installation.installDir = directory.url("install")
        config.installation.stateDir = nil
        config.installation.backupPath = directory.url("backups")
        config.installation.layout = layout
        config.source.assetPattern = "app-{version}.tar.gz"
        // Most tests here are about installing, not signatures: those sign and set a key themselves.
        config.source.allowUnsigned = true
        configuration = config
        if layout == .releases {
            try FileManager.default.removeItem(atPath: directory.url("install"))
            try FileManager.default.createDirectory(atPath: directory.url("install"), withIntermediateDirectories: true)
        }
    }

    func updater() throws -> OTAUpdater {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return try OTAUpdater(configuration: configuration, logger: logger)
    }

    /// Every file under the install (state folder excluded): path → content.
    func tree(_ root: String? = nil) throws -> [String: String] {
        let base = root ?? configuration.installation.installDirectory
        var result: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(atPath: base)
        while let path = enumerator?.nextObject() as? String {
            if path == ".ota" || path.hasPrefix(".ota/") { continue }
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: base + "/" + path, isDirectory: &isDirectory)
            if !isDirectory.boolValue { result[path] = try String(contentsOfFile: base + "/" + path, encoding: .utf8) }
        }
        return result
    }

    func state() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: configuration.installation.stateDirectory + "/state.json"))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }
}

@Suite("Updater end to end", .timeLimit(.minutes(10)))
struct UpdaterTests {
    @Test("in_place: the tree becomes the release, VERSION is written, a backup is kept, state says succeeded")
    func inPlaceUpdate() async throws {
        let fixture = try UpdateFixture()
        try fixture.server.publish("v1.1.0", files: UpdateFixture.newFiles, checksums: true)
        try fixture.server.publish("v1.2.0-rc.1", files: ["src/app.sh": "rc"], prerelease: true)
        let updater = try fixture.updater()
        let outcome = try await updater.update()
        await updater.shutdown()
        #expect(outcome == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))
        #expect(try fixture.tree() == ["src/app.sh": "echo 1.1.0\n", "src/lib/util.sh": "util\n", "config/settings.yaml": "level: 2\n", "VERSION": "1.1.0\n"])
        #expect(FileManager.default.isExecutableFile(atPath: fixture.configuration.installation.installDirectory + "/src/app.sh"))
        let backups = try FileManager.default.contentsOfDirectory(atPath: fixture.configuration.installation.backupDirectory)
        #expect(backups.count == 1 && backups[0].hasPrefix("backup_1.0.0_"))
        #expect(try fixture.tree(fixture.configuration.installation.backupDirectory + "/" + backups[0]).filter { $0.key != "backup.json" } == UpdateFixture.oldFiles)
        let state = try fixture.state()
        let last = try #require(state["last_update"] as? [String: Any])
        #expect(last["result"] as? String == "succeeded" && last["from_version"] as? String == "1.0.0" && last["to_version"] as? String == "1.1.0")
        #expect(state["latest_version"] as? String == "1.1.0")
        #expect(try String(contentsOfFile: fixture.configuration.installation.stateDirectory + "/ota.log", encoding: .utf8).contains("committed 1.1.0"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.configuration.installation.stateDirectory + "/downloads").isEmpty)
    }

    @Test("a second update finds nothing newer")
    func upToDate() async throws {
        let fixture = try UpdateFixture()
        try fixture.server.publish("v1.0.0", files: ["VERSION": "1.0.0\n"])
        let updater = try fixture.updater()
        #expect(try await updater.update() == .upToDate(SemanticVersion(1, 0, 0)))
        await updater.shutdown()
        #expect(try fixture.tree() == UpdateFixture.oldFiles)
    }

    @Test("a failing health check rolls back to exactly the old tree and restarts the old version")
    func failingHealthCheck() async throws {
        var fixture = try UpdateFixture()
        fixture.configuration.hooks.healthCheck = "test -f src/healthy"
        fixture.configuration.hooks.restartCommand = #"echo "restart $OTA_TO_VERSION" >> "$OTA_INSTALL_DIR/../restarts.log""#
        try fixture.server.publish("v1.1.0", files: UpdateFixture.newFiles)
        let updater = try fixture.updater()
        let error = try await #require(throws: HookError.self) { try await updater.update() }
        await updater.shutdown()
        #expect(error.hook == .healthCheck)
        #expect(try fixture.tree() == UpdateFixture.oldFiles)
        #expect(try fixture.directory.read("restarts.log") == "restart 1.1.0\nrestart 1.0.0\n")
        let last = try #require(try fixture.state()["last_update"] as? [String: Any])
        #expect(last["result"] as? String == "rolled_back")
        #expect((last["error"] as? String)?.contains("health_check failed") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.configuration.installation.backupDirectory).isEmpty)
    }

    @Test("a failing pre_update cancels before anything changes")
    func failingPreUpdate() async throws {
        var fixture = try UpdateFixture()
        fixture.configuration.hooks.preUpdate = "echo no way; exit 7"
        try fixture.server.publish("v1.1.0", files: UpdateFixture.newFiles)
        let updater = try fixture.updater()
        let error = try await #require(throws: HookError.self) { try await updater.update() }
        await updater.shutdown()
        #expect(error.hook == .preUpdate && error.status == 7)
        #expect(try fixture.tree() == UpdateFixture.oldFiles)
        #expect(!FileManager.default.fileExists(atPath: fixture.configuration.installation.backupDirectory))
        #expect((try fixture.state()["last_update"] as? [String: Any])?["result"] as? String == "failed")
    }

    @Test("hooks run in order with the OTA_* variables")
    func hookOrder() async throws {
        var fixture = try UpdateFixture()
        let log = fixture.directory.url("hooks.log")
        for (key, name) in [("pre", "pre_update"), ("post", "post_update"), ("restart", "restart_command"), ("health", "health_check")] {
            let command = #"echo "\#(name) $OTA_FROM_VERSION $OTA_TO_VERSION" >> \#(log)"#
            switch key {
            case "pre": fixture.configuration.hooks.preUpdate = command
            case "post": fixture.configuration.hooks.postUpdate = command
            case "restart": fixture.configuration.hooks.restartCommand = command
            default: fixture.configuration.hooks.healthCheck = command
            }
        }
        try fixture.server.publish("v1.1.0", files: UpdateFixture.newFiles)
        let updater = try fixture.updater()
        _ = try await updater.update()
        await updater.shutdown()
        #expect(try String(contentsOfFile: log, encoding: .utf8) == """
            pre_update 1.0.0 1.1.0
            post_update 1.0.0 1.1.0
            restart_command 1.0.0 1.1.0
            health_check 1.0.0 1.1.0

            """)
    }

    @Test("--dry-run downloads and changes nothing")
    func dryRun() async throws {
        let fixture = try UpdateFixture()
        try fixture.server.publish("v1.1.0", files: UpdateFixture.newFiles)
        let updater = try fixture.updater()
        let outcome = try await updater.update(dryRun: true)
        await updater.shutdown()
        guard case .planned(let from, let release, let artifact) = outcome else { Issue.record("not planned: \(outcome)"); return }
        #expect(from == SemanticVersion(1, 0, 0) && release.tag == "v1.1.0" && artifact.fileName == "app-1.1.0.tar.gz")
        #expect(try fixture.tree() == UpdateFixture.oldFiles)
        #expect(fixture.server.downloads.isEmpty)
    }

    @Test("--version picks a release; the installed one is up to date; a downgrade needs --force")
    func explicitVersion() async throws {
        var fixture = try UpdateFixture()
        try fixture.server.publish("v0.9.0", files: ["src/app.sh": "echo 0.9.0\n"])
        try fixture.server.publish("v1.1.0", files: UpdateFixture.newFiles)
        fixture.configuration.installation.managedPaths = ["src", "VERSION"]
        let updater = try fixture.updater()
        let requests = fixture.server.server.requests.count
        #expect(try await updater.update(to: SemanticVersion(1, 0, 0)) == .upToDate(SemanticVersion(1, 0, 0)), "the installed version is up to date")
        #expect(fixture.server.server.requests.count == requests, "without a request")
        let refused = try await #require(throws: SelectionError.self) { try await updater.update(to: SemanticVersion(0, 9, 0)) }
        #expect(refused.code == .downgradeRefused)
        #expect(try fixture.tree() == UpdateFixture.oldFiles)
        #expect(try await updater.update(to: SemanticVersion(0, 9, 0), force: true) == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(0, 9, 0)))
        #expect(try fixture.tree()["VERSION"] == "0.9.0\n")
        let unknown = try await #require(throws: SelectionError.self) { try await updater.update(to: SemanticVersion(5, 0, 0)) }
        #expect(unknown.code == .unknownVersion)
        await updater.shutdown()
    }

    @Test("with a public key, an unsigned release is refused and a signed one installs")
    func signatures() async throws {
        var fixture = try UpdateFixture()
        let signer = MinisignSigner()
        fixture.configuration.source.publicKey = signer.publicKey.base64
        try fixture.server.publish("v1.1.0", files: UpdateFixture.newFiles)
        let unsigned = try fixture.updater()
        let error = try await #require(throws: VerificationError.self) { try await unsigned.update() }
        await unsigned.shutdown()
        #expect(error.code == .releaseNotSigned)
        #expect(try fixture.tree() == UpdateFixture.oldFiles)

        try fixture.server.publish("v1.2.0", files: UpdateFixture.newFiles, signer: MinisignSigner())
        let wrongKey = try fixture.updater()
        await #expect(throws: VerificationError.self) { try await wrongKey.update() }
        await wrongKey.shutdown()
        #expect(try fixture.tree() == UpdateFixture.oldFiles)

        try fixture.server.publish("v1.3.0", files: UpdateFixture.newFiles, signer: signer)
        let signed = try fixture.updater()
        #expect(try await signed.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 3, 0)))
        await signed.shutdown()
    }

    @Test("a second update while one holds the lock fails fast naming the holder")
    func concurrentUpdate() async throws {
        let fixture = try UpdateFixture()
        try fixture.server.publish("v1.1.0", files: UpdateFixture.newFiles)
        let held = try Lock.acquire(stateDirectory: fixture.configuration.installation.stateDirectory)
        let updater = try fixture.updater()
        let error = try await #require(throws: StateError.self) { try await updater.update() }
        held.release()
        await updater.shutdown()
        #expect(error.code == .locked)
        #expect(error.message.contains("\(getpid())"))
        #expect(try fixture.tree() == UpdateFixture.oldFiles)
    }

    @Test("releases layout: a fresh device is provisioned, updated, and rolled back to the previous release")
    func releasesLayout() async throws {
        let fixture = try UpdateFixture(layout: .releases)
        try fixture.server.publish("v1.0.0", files: ["src/app.sh": "echo 1.0.0\n"])
        let updater = try fixture.updater()
        #expect(try await updater.update() == .updated(from: SemanticVersion(0, 0, 0), to: SemanticVersion(1, 0, 0)))
        try fixture.server.publish("v1.1.0", files: UpdateFixture.newFiles)
        #expect(try await updater.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))
        let install = fixture.configuration.installation.installDirectory
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: install + "/current").hasSuffix("releases/1.1.0"))
        #expect(try fixture.tree(URL(fileURLWithPath: install + "/current").resolvingSymlinksInPath().path)["VERSION"] == "1.1.0\n")
        let status = await updater.status()
        #expect(status.currentVersion == "1.1.0" && status.backups.map(\.version) == ["1.0.0"])
        #expect(try await updater.rollback() == SemanticVersion(1, 0, 0))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: install + "/current").hasSuffix("releases/1.0.0"))
        await updater.shutdown()
    }

    @Test("status and manual rollback in place")
    func statusAndRollback() async throws {
        let fixture = try UpdateFixture()
        try fixture.server.publish("v1.1.0", files: UpdateFixture.newFiles)
        let updater = try fixture.updater()
        _ = try await updater.update()
        let status = await updater.status()
        #expect(status.currentVersion == "1.1.0" && status.latestVersion == "1.1.0" && !status.updateAvailable)
        #expect(status.lastUpdate?.result == .succeeded && status.backups.count == 1 && status.pendingRecovery == nil)
        let json = try JSONSerialization.jsonObject(with: Data(status.jsonString().utf8)) as! [String: Any]
        for key in ["current_version", "latest_version", "update_available", "last_check", "last_check_error", "last_update",
                    "auto_update", "check_interval", "github_repo", "backups", "pending_recovery"] {
            #expect(json.keys.contains(key), "missing \(key)")
        }
        #expect(try await updater.rollback(to: updater.backup(named: status.backups[0].name)) == SemanticVersion(1, 0, 0))
        #expect(try fixture.tree() == UpdateFixture.oldFiles)
        await updater.shutdown()
    }

    @Test("the original step-by-step flow: checkForUpdates, downloadUpdate, createBackup, applyUpdate")
    func stepByStep() async throws {
        let fixture = try UpdateFixture()
        try fixture.server.publish("v1.1.0", files: UpdateFixture.newFiles)
        let updater = try fixture.updater()
        await #expect(throws: SelectionError.self) { try await updater.downloadUpdate() }
        let release = try #require(try await updater.checkForUpdates())
        #expect(release.version == SemanticVersion(1, 1, 0))
        let artifact = try await updater.downloadUpdate()
        #expect(artifact.checks.contains { $0.hasPrefix("size") })
        #expect(try fixture.tree() == UpdateFixture.oldFiles, "downloading changes nothing")
        let backup = try await updater.createBackup()
        #expect(backup.version == SemanticVersion(1, 0, 0))
        #expect(try await updater.applyUpdate(artifact) == SemanticVersion(1, 1, 0))
        #expect(try fixture.tree()["VERSION"] == "1.1.0\n")
        #expect(await updater.status().lastUpdate?.result == .succeeded)
        try await updater.rollback(to: backup)
        #expect(try fixture.tree() == UpdateFixture.oldFiles)
        await updater.shutdown()
    }

    @Test("run() runs the background checker, which updates by itself; cancelling its task ends it")
    func runUntilCancelled() async throws {
        var fixture = try UpdateFixture()
        // The first check comes within min(check_interval, 300 s) = 2 s, and then one every 2 s or less:
        // the task ends within the test's time limit only if the cancellation ends the agent's loop.
        fixture.configuration.schedule.checkInterval = .seconds(2)
        fixture.configuration.schedule.checkJitter = 0
        try fixture.server.publish("v1.1.0", files: UpdateFixture.newFiles)
        let checked = AsyncSignal(), stopped = AsyncSignal()
        var logger = Logger(label: "test") { _ in
            CallbackLogHandler { message in
                if message == "next check" { checked.fire() }
                if message == "agent stopped" { stopped.fire() }
            }
        }
        logger.logLevel = .debug
        let updater = try OTAUpdater(configuration: fixture.configuration, logger: logger)
        let agent = Task { try await updater.run() }
        await checked.wait()
        #expect(try fixture.tree()["VERSION"] == "1.1.0\n")
        #expect(!stopped.hasFired)
        agent.cancel()
        try await agent.value
        #expect(stopped.hasFired)
        await updater.shutdown()
    }

    @Test("a verified artifact that update() already installed and removed is refused by applyUpdate with a clear error, nothing changed")
    func applyAfterUpdate() async throws {
        let fixture = try UpdateFixture()
        try fixture.server.publish("v1.1.0", files: UpdateFixture.newFiles)
        let updater = try fixture.updater()
        _ = try #require(try await updater.checkForUpdates())
        let verified = try await updater.downloadUpdate()
        #expect(try await updater.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))
        let installed = try fixture.tree()
        let error = try await #require(throws: VerificationError.self) { try await updater.applyUpdate(verified) }
        #expect(error.message.contains("cannot be opened") && error.message.contains("download the update again"))
        #expect(try fixture.tree() == installed)
        await updater.shutdown()
    }
}
