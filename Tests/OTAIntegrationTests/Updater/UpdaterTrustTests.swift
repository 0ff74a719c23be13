import Foundation
import Logging
import Testing
@testable import OTA
import OTASigning

@Suite("Updater: signatures bound to releases, unsigned installs, version floor", .timeLimit(.minutes(10)))
struct UpdaterTrustTests {
    /// A fixture whose updates must be signed by `signer`.
    func signedFixture(_ signer: MinisignSigner) throws -> UpdateFixture {
        var fixture = try UpdateFixture()
        fixture.configuration.source.allowUnsigned = false
        fixture.configuration.source.publicKey = signer.publicKey.base64
        return fixture
    }

    @Test("a signed app-1.0.0 tarball relabelled as release v3.0.0 is refused naming both files; the real 2.0.1 still installs")
    func relabelledRelease() async throws {
        let signer = MinisignSigner()
        let fixture = try signedFixture(signer)
        try fixture.server.publish("v1.0.0", files: ["VERSION": "1.0.0\n", "src/app.sh": "echo 1.0.0\n"], signer: signer)
        let original = try #require(fixture.server.asset("app-1.0.0.tar.gz", of: "v1.0.0"))
        let signature = try #require(fixture.server.asset("app-1.0.0.tar.gz.minisig", of: "v1.0.0"))
        fixture.server.publish("v3.0.0", assets: [("app-3.0.0.tar.gz", original), ("app-3.0.0.tar.gz.minisig", signature)])
        try fixture.server.publish("v2.0.1", files: ["VERSION": "2.0.1\n", "src/app.sh": "echo 2.0.1\n"], signer: signer)

        let updater = try fixture.updater()
        let error = try await #require(throws: VerificationError.self) { try await updater.update() }
        #expect(error.code == .signedNameMismatch)
        #expect(error.message.contains("app-1.0.0.tar.gz") && error.message.contains("app-3.0.0.tar.gz"))
        #expect(try fixture.tree() == UpdateFixture.oldFiles)

        #expect(try await updater.update(to: SemanticVersion(2, 0, 1)) == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(2, 0, 1)))
        await updater.shutdown()
        #expect(try fixture.tree()["src/app.sh"] == "echo 2.0.1\n")
        #expect(try fixture.state()["highest_installed_version"] as? String == "2.0.1")
    }

    @Test("an archive whose own VERSION differs from the release's version is refused before the swap")
    func versionFileMismatch() async throws {
        let fixture = try UpdateFixture()
        try fixture.server.publish("v3.0.0", files: ["VERSION": "1.0.0\n", "src/app.sh": "echo old\n"])
        let updater = try fixture.updater()
        let error = try await #require(throws: InstallationError.self) { try await updater.update() }
        await updater.shutdown()
        #expect(error.message.contains("3.0.0") && error.message.contains("ships VERSION 1.0.0"))
        #expect(try fixture.tree() == UpdateFixture.oldFiles)
        #expect(try Journal(stateDirectory: fixture.configuration.installation.stateDirectory).load() == nil)
    }

    @Test("nothing below the highest version ever installed installs without --force, even after a rollback")
    func versionFloor() async throws {
        let fixture = try UpdateFixture()
        try fixture.server.publish("v1.5.0", files: ["src/app.sh": "echo 1.5.0\n"])
        try fixture.server.publish("v2.0.1", files: ["src/app.sh": "echo 2.0.1\n"])
        let updater = try fixture.updater()
        #expect(try await updater.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(2, 0, 1)))
        try await updater.rollback()
        #expect(try await updater.currentVersion() == SemanticVersion(1, 0, 0))
        let error = try await #require(throws: SelectionError.self) { try await updater.update(to: SemanticVersion(1, 5, 0)) }
        #expect(error.code == .downgradeRefused && error.message.contains("2.0.1"))
        #expect(try fixture.tree()["src/app.sh"] == "echo 1.0.0\n")
        #expect(try await updater.check().availableRelease?.version == SemanticVersion(2, 0, 1))
        #expect(try await updater.update(to: SemanticVersion(1, 5, 0), force: true) == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 5, 0)))
        await updater.shutdown()
        #expect(try fixture.state()["highest_installed_version"] as? String == "2.0.1")
    }

    @Test("without a key, update (--dry-run too), downloadUpdate and the agent refuse unless allow_unsigned; nothing is downloaded")
    func unsignedRefused() async throws {
        var fixture = try UpdateFixture()
        fixture.configuration.source.allowUnsigned = false
        try fixture.server.publish("v1.1.0", files: UpdateFixture.newFiles, checksums: true)
        let updater = try fixture.updater()
        let error = try await #require(throws: VerificationError.self) { try await updater.update() }
        #expect(error.code == .unsignedNotAllowed && error.message.contains("allow_unsigned: true"))
        let dryRun = try await #require(throws: VerificationError.self, "--dry-run says what the update would do") { try await updater.update(dryRun: true) }
        #expect(dryRun.code == .unsignedNotAllowed)
        let release = try #require(try await updater.checkForUpdates())
        await #expect(throws: VerificationError.self) { try await updater.downloadUpdate(release) }
        let cycle = await UpdateService(updater: updater, autoUpdate: true, logger: Logger(label: "test"), sleep: { _ in }, maxCycles: 1).cycle()
        guard case .failed(let message) = cycle else { Issue.record("the agent installed an unsigned release: \(cycle)"); return }
        #expect(message.contains("allow_unsigned"))
        #expect(await updater.status().verification == .unsigned)
        await updater.shutdown()
        #expect(fixture.server.downloads.isEmpty)
        #expect(try fixture.tree() == UpdateFixture.oldFiles)
    }

    @Test("with allow_unsigned an unsigned release installs, and the log never calls it verified")
    func unsignedAllowedIsNotVerified() async throws {
        let fixture = try UpdateFixture()
        try fixture.server.publish("v1.1.0", files: UpdateFixture.newFiles)
        let log = LogRecorder()
        let updater = try OTAUpdater(configuration: fixture.configuration, logger: log.logger)
        #expect(try await updater.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))
        await updater.shutdown()
        #expect(!log.messages.contains("verified"), "\(log.messages)")
        #expect(log.messages.contains { $0.hasPrefix("checked but not signed") })
        let last = try #require(try fixture.state()["last_update"] as? [String: Any])
        #expect(last.keys.contains("error") && last["error"] is NSNull)
    }

    @Test("the device's key and token files survive a release lacking them and one shipping others; the next update still verifies")
    func trustFilesStayOnTheDevice() async throws {
        let signer = MinisignSigner()
        var fixture = try signedFixture(signer)
        fixture.configuration.source.publicKey = nil
        fixture.configuration.source.publicKeyFile = "config/minisign.pub"
        fixture.configuration.source.githubTokenFile = fixture.directory.url("install/config/token")
        let deviceKey = signer.secretKey.publicKeyFileContents
        try fixture.directory.write("install/config/minisign.pub", deviceKey)
        try fixture.directory.write("install/config/token", "device-token\n")
        try fixture.server.publish("v1.1.0", files: UpdateFixture.newFiles, signer: signer)
        let otherKey = MinisignSigner().secretKey.publicKeyFileContents
        try fixture.server.publish("v1.2.0", files: ["config/minisign.pub": otherKey, "config/token": "release-token\n", "src/app.sh": "1.2.0"], signer: signer)
        try fixture.server.publish("v1.3.0", files: ["src/app.sh": "1.3.0"], signer: signer)
        let updater = try fixture.updater()
        for minor: UInt in 1...3 {
            #expect(try await updater.update(to: SemanticVersion(1, minor, 0)) == .updated(from: SemanticVersion(1, minor - 1, 0), to: SemanticVersion(1, minor, 0)))
            let tree = try fixture.tree()
            #expect(tree["config/minisign.pub"] == deviceKey && tree["config/token"] == "device-token\n", "after 1.\(minor).0")
        }
        await updater.shutdown()
    }
}
