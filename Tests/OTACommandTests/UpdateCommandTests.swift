import Foundation
import Logging
import OTA
import OTAArchiveWriter
import OTAMirror
import OTATestSupport
import Testing

/// A mirror root with releases of `octo/app`, an installation at 1.0.0 and its configuration file.
struct MirrorWorld {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory("ota-cli")
        try directory.write("install/src/app.sh", "echo 1.0.0\n")
        try directory.write("install/VERSION", "1.0.0\n")
        try directory.makeDirectory("mirror/octo/app")
    }

    /// Publishes `tag` as `app-<version>.tar.gz` into the mirror root.
    func publish(_ tag: String, app: String) throws {
        try directory.write("trees/\(tag)/src/app.sh", app)
        let version = SemanticVersion(tag: tag)!
        try directory.makeDirectory("mirror/octo/app/\(tag)")
        try TarGzipWriter.write(directory: directory.url("trees/\(tag)"), to: directory.url("mirror/octo/app/\(tag)/app-\(version).tar.gz"), prefix: "app-\(version)")
    }

    func writeConfig(api: String, extra: String = "") throws {
        try directory.write("install/config/ota_config.yaml", """
            github_repo: octo/app
            github_api_url: \(api)
            asset_pattern: "app-{version}.tar.gz"
            managed_paths: [src, VERSION]
            backup_path: \(directory.url("backups"))
            retry_delay: 0
            allow_unsigned: true
            \(extra)
            """)
    }

    func withMirror<T: Sendable>(_ body: @Sendable @escaping (String) async throws -> T) async throws -> T {
        var configuration = OTAMirror.Configuration(port: 0)
        configuration.logger = Logger(label: "test.mirror", factory: { _ in SwiftLogNoOpLogHandler() })
        return try await OTAMirror(root: directory.url("mirror"), configuration: configuration).withRunning(body)
    }

    var installDirectory: String { directory.url("install") }
}

@Suite("ota check, update, status, rollback against the mirror", .serialized, .timeLimit(.minutes(10)))
struct UpdateCommandTests {
    @Test("check exits 100 when an update is available, update installs it, then check exits 0")
    func checkUpdateStatus() async throws {
        let world = try MirrorWorld()
        try world.publish("v1.1.0", app: "echo 1.1.0\n")
        try await world.withMirror { api in
            try world.writeConfig(api: api)
            let install = world.installDirectory
            let check = try await CommandRunner.run(["check"], in: install)
            #expect(check.status == 100, "\(check.stderr)")
            #expect(check.stdout.contains("update available 1.0.0 → 1.1.0"))
            let json = try await CommandRunner.run(["check", "--json"], in: install)
            #expect(json.status == 100)
            let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
            #expect(object["update_available"] as? Bool == true && object["latest_version"] as? String == "1.1.0")
            #expect((object["release"] as? [String: Any])?["tag"] as? String == "v1.1.0")
            for key in ["current_version", "last_check", "last_check_error", "last_update", "auto_update", "check_interval", "github_repo", "backups",
                        "verification", "source"] {
                #expect(object.keys.contains(key), "check --json lacks \(key)")
            }
            #expect(object["verification"] as? String == "unsigned" && object["source"] as? String == "github")
            #expect(check.stdout.contains("verification: unsigned"))

            let dry = try await CommandRunner.run(["update", "--dry-run"], in: install)
            #expect(dry.status == 0 && dry.stdout.contains("would install v1.1.0"))
            #expect(try String(contentsOfFile: install + "/VERSION", encoding: .utf8) == "1.0.0\n")

            let update = try await CommandRunner.run(["update"], in: install)
            #expect(update.status == 0, "\(update.stderr)")
            #expect(update.stdout.contains("updated octo/app from 1.0.0 to 1.1.0"))
            #expect(update.stderr.contains("download 100% ("), "off a terminal, progress is a line at each 10 %: \(update.stderr)")
            #expect(try String(contentsOfFile: install + "/src/app.sh", encoding: .utf8) == "echo 1.1.0\n")
            #expect(try String(contentsOfFile: install + "/VERSION", encoding: .utf8) == "1.1.0\n")
            #expect(try String(contentsOfFile: install + "/config/ota_config.yaml", encoding: .utf8).contains("octo/app"))

            #expect(try await CommandRunner.run(["check"], in: install).status == 0)
            let status = try await CommandRunner.run(["status", "--json"], in: install)
            #expect(status.status == 0)
            let state = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as! [String: Any]
            #expect(state["current_version"] as? String == "1.1.0")
            let lastUpdate = try #require(state["last_update"] as? [String: Any])
            #expect(lastUpdate["result"] as? String == "succeeded")
            for key in ["from_version", "to_version", "result", "started_at", "finished_at", "error"] {
                #expect(lastUpdate.keys.contains(key), "last_update lacks \(key)")
            }
            #expect(lastUpdate["error"] is NSNull)
            #expect((state["backups"] as? [[String: Any]])?.first?["version"] as? String == "1.0.0")

            let backups = try await CommandRunner.run(["backups"], in: install)
            #expect(backups.status == 0 && backups.stdout.contains("backup_1.0.0_"))
            let rollback = try await CommandRunner.run(["rollback"], in: install)
            #expect(rollback.status == 0, "\(rollback.stderr)")
            #expect(try String(contentsOfFile: install + "/src/app.sh", encoding: .utf8) == "echo 1.0.0\n")
            let missing = try await CommandRunner.run(["rollback", "backup_9.9.9_20000101_000000"], in: install)
            #expect(missing.status == 1 && missing.stderr.hasPrefix("error: there is no backup named"))
        }
    }

    @Test("releases layout: a fresh device is provisioned, updated, listed and rolled back through the CLI")
    func releasesLayout() async throws {
        let world = try MirrorWorld()
        try FileManager.default.removeItem(atPath: world.installDirectory + "/src")
        try FileManager.default.removeItem(atPath: world.installDirectory + "/VERSION")
        try world.publish("v1.0.0", app: "echo 1.0.0\n")
        try await world.withMirror { api in
            try world.writeConfig(api: api, extra: "layout: releases")
            let install = world.installDirectory
            let first = try await CommandRunner.run(["update"], in: install)
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stdout.contains("from 0.0.0 to 1.0.0"))
            try world.publish("v1.1.0", app: "echo 1.1.0\n")
            #expect(try await CommandRunner.run(["update"], in: install).status == 0)
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: install + "/current").hasSuffix("releases/1.1.0"))
            #expect(try String(contentsOfFile: install + "/current/src/app.sh", encoding: .utf8) == "echo 1.1.0\n")
            let backups = try await CommandRunner.run(["backups"], in: install)
            #expect(backups.stdout.contains("1.0.0"))
            let status = try await CommandRunner.run(["status", "--json"], in: install)
            let state = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as! [String: Any]
            #expect(state["current_version"] as? String == "1.1.0")
            #expect(try await CommandRunner.run(["rollback"], in: install).status == 0)
            #expect(try String(contentsOfFile: install + "/current/src/app.sh", encoding: .utf8) == "echo 1.0.0\n")
            #expect(try await CommandRunner.run(["version", "current"], in: install).stdout == "1.0.0\n")
        }
    }

    @Test("an update whose health check fails exits 1 with the installation as it was")
    func failedUpdate() async throws {
        let world = try MirrorWorld()
        try world.publish("v1.1.0", app: "echo 1.1.0\n")
        try await world.withMirror { api in
            try world.writeConfig(api: api, extra: "health_check: grep -q 1.0.0 src/app.sh")
            let result = try await CommandRunner.run(["update"], in: world.installDirectory)
            #expect(result.status == 1)
            #expect(result.stderr.contains("error: health_check failed with exit status 1"))
            #expect(try String(contentsOfFile: world.installDirectory + "/src/app.sh", encoding: .utf8) == "echo 1.0.0\n")
            let status = try await CommandRunner.run(["status"], in: world.installDirectory)
            #expect(status.stdout.contains("1.0.0 → 1.1.0 rolled_back"))
        }
    }

    @Test("a missing repository is a one-line error and exit 1")
    func missingRepository() async throws {
        let world = try MirrorWorld()
        try await world.withMirror { api in
            try world.writeConfig(api: api)
            try world.directory.write("install/config/ota_config.yaml", "github_repo: octo/nothing\ngithub_api_url: \(api)\nretry_delay: 0\n")
            let result = try await CommandRunner.run(["check"], in: world.installDirectory)
            #expect(result.status == 1)
            #expect(result.stderr.split(separator: "\n").last?.hasPrefix("error: repository octo/nothing not found") == true)
        }
    }

    @Test("ota run --once makes one cycle: exit 0 after updating, exit 1 when the check fails")
    func runOnce() async throws {
        let world = try MirrorWorld()
        try world.publish("v1.1.0", app: "echo 1.1.0\n")
        try await world.withMirror { api in
            try world.writeConfig(api: api)
            let once = try await CommandRunner.run(["run", "--once"], in: world.installDirectory)
            #expect(once.status == 0, "\(once.stderr)")
            #expect(try String(contentsOfFile: world.installDirectory + "/VERSION", encoding: .utf8) == "1.1.0\n")
            try world.directory.write("install/config/ota_config.yaml", "github_repo: octo/nothing\ngithub_api_url: \(api)\nretry_delay: 0\n")
            let failing = try await CommandRunner.run(["run", "--once"], in: world.installDirectory)
            #expect(failing.status == 1)
            #expect(failing.stderr.contains("check failed"))
        }
    }

    @Test("ota run applies an update by itself and stops cleanly on SIGTERM while it waits for the next check")
    func agent() async throws {
        let world = try MirrorWorld()
        try world.publish("v1.1.0", app: "echo 1.1.0\n")
        try await world.withMirror { api in
            // The first check comes within min(check_interval, 300 s) = 2 s; SIGTERM then finds the agent
            // waiting for the next check (or in it), and it must stop cleanly either way. That a long wait is
            // cut short is UpdateServiceTests' "a graceful shutdown during the wait ends the service at once".
            try world.writeConfig(api: api, extra: "check_interval: 2\ncheck_jitter: 0")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CommandRunner.executable)
            process.arguments = ["run", "--verbose"]
            process.currentDirectoryURL = URL(fileURLWithPath: world.installDirectory)
            process.standardOutput = FileHandle.nullDevice
            let errors = OutputWatcher(marker: "next check")
            process.standardError = errors.pipe
            let exited = AsyncSignal()
            process.terminationHandler = { _ in exited.fire() }
            try process.run()
            let pid = process.processIdentifier
            await withTaskCancellationHandler {
                await errors.sawMarkerOrEnd.wait()
                #expect(errors.text.contains("next check"), "the first cycle ends and the agent waits for the next one")
                process.terminate()
                await exited.wait()
            } onCancel: {
                kill(pid, SIGKILL)
            }
            #expect(process.terminationReason == .exit && process.terminationStatus == 0)
            await errors.ended.wait()
            #expect(errors.text.contains("INFO ota.agent: agent started"))
            #expect(errors.text.contains("agent stopped"))
            #expect(try String(contentsOfFile: world.installDirectory + "/VERSION", encoding: .utf8) == "1.1.0\n")
            #expect(try String(contentsOfFile: world.installDirectory + "/.ota/ota.log", encoding: .utf8).contains("committed 1.1.0"))
        }
    }
}

/// Collects what a child process writes to a pipe as it comes, without blocking a thread.
final class OutputWatcher: @unchecked Sendable {
    let pipe = Pipe()
    /// Fires when the output contains the marker, or ends without it.
    let sawMarkerOrEnd = AsyncSignal()
    /// Fires when the output ends (the writer closed the pipe).
    let ended = AsyncSignal()
    private let lock = NSLock()
    private var data = Data()

    init(marker: String) {
        pipe.fileHandleForReading.readabilityHandler = { [self] handle in
            let chunk = handle.availableData
            guard !chunk.isEmpty else {
                handle.readabilityHandler = nil
                sawMarkerOrEnd.fire()
                ended.fire()
                return
            }
            if lock.withLock({ data.append(chunk); return String(decoding: data, as: UTF8.self) }).contains(marker) {
                sawMarkerOrEnd.fire()
            }
        }
    }

    /// Everything written so far.
    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
}
