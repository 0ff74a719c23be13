#if canImport(Glibc)
import Glibc
#endif
import Foundation
import OTA
import OTATestSupport
import Testing

@Suite("ota run's status API and metrics; ota status through it", .serialized, .timeLimit(.minutes(10)))
struct StatusAPICommandTests {
    /// Runs `ota run` in `world` until it logs `marker`, then `body`, then stops it with SIGTERM; returns its stderr.
    static func withAgent(_ world: MirrorWorld, until marker: String = "next check", _ body: () async throws -> Void) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandRunner.executable)
        process.arguments = ["run", "--verbose"]
        process.currentDirectoryURL = URL(fileURLWithPath: world.installDirectory)
        process.standardOutput = FileHandle.nullDevice
        let errors = OutputWatcher(marker: marker)
        process.standardError = errors.pipe
        let exited = AsyncSignal()
        process.terminationHandler = { _ in exited.fire() }
        try process.run()
        let pid = process.processIdentifier
        try await withTaskCancellationHandler {
            await errors.sawMarkerOrEnd.wait()
            defer { process.terminate() }
            try #require(errors.text.contains(marker), "\(errors.text)")
            try await body()
        } onCancel: {
            kill(pid, SIGKILL)
        }
        await exited.wait()
        await errors.ended.wait()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "\(errors.text)")
        return errors.text
    }

    @Test("ota run serves /v1/status and /metrics on <state_dir>/ota.sock, rewrites metrics_textfile; ota status shows the agent's state")
    func agentServes() async throws {
        let world = try MirrorWorld()
        try world.publish("v1.1.0", app: "echo 1.1.0\n")
        let socket = world.installDirectory + "/.ota/ota.sock"
        let textfile = world.directory.url("ota.prom")
        try await world.withMirror { api in
            try world.writeConfig(api: api, extra: "check_interval: 2\ncheck_jitter: 0\nmetrics_textfile: \(textfile)")
            // The first check comes within check_interval (2 s), then one every 2 s or less: a status read
            // may meet the agent idle or in one of those (up to date) checks.
            _ = try await Self.withAgent(world) {
                let status = try await StatusClient(path: socket, timeout: .seconds(300)).statusInBackground()
                #expect([.idle, .checking].contains(status.state) && status.currentVersion == "1.1.0" && status.progress == nil)
                let metrics = try await StatusClient(path: socket, timeout: .seconds(300)).requestInBackground("GET", "/metrics")
                let parsed = try await PrometheusText.parse(String(decoding: metrics.body, as: UTF8.self))
                #expect(parsed.value("ota_update_attempts_total", ["result": "succeeded"]) == 1)
                #expect(parsed.value("ota_info", ["version": "1.1.0"]) == 1)
                // The file is rewritten by its own service when the cycle's end reaches it, not in step with the
                // log line waited for: read until it holds the cycle (a hang guard bounds the wait).
                let deadline = ContinuousClock.now + .seconds(120)
                var succeeded: Double?
                repeat {
                    let text = (try? String(contentsOfFile: textfile, encoding: .utf8)) ?? ""
                    succeeded = (try? await PrometheusText.parse(text))?.value("ota_update_attempts_total", ["result": "succeeded"])
                    if succeeded == 1 { break }
                    try await Task.sleep(for: .milliseconds(20))
                } while ContinuousClock.now < deadline
                #expect(succeeded == 1, "written after the cycle")
                let json = try await CommandRunner.run(["status", "--json"], in: world.installDirectory)
                let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
                #expect(["idle", "checking"].contains(object?["state"] as? String) && object?["progress"] is NSNull, "\(json.stdout)")
                let text = try await CommandRunner.run(["status"], in: world.installDirectory)
                #expect(text.stdout.contains("  agent:            idle\n") || text.stdout.contains("  agent:            checking\n"), "\(text.stdout)")
            }
            #expect(!FileManager.default.fileExists(atPath: socket), "the agent removes its socket when it stops")
            let offline = try await CommandRunner.run(["status", "--json"], in: world.installDirectory)
            let object = try JSONSerialization.jsonObject(with: Data(offline.stdout.utf8)) as? [String: Any]
            #expect(object?["state"] == nil && object?["inhibited"] is [Any], "read from the files: \(offline.stdout)")
        }
    }

    @Test("a status_socket the agent cannot use: it warns and runs without the API")
    func unusableSocket() async throws {
        let world = try MirrorWorld()
        try world.directory.makeDirectory("open")
        chmod(world.directory.url("open"), 0o777)
        try await world.withMirror { api in
            try world.writeConfig(api: api, extra: "check_interval: 2\ncheck_jitter: 0\nstatus_socket: \(world.directory.url("open/ota.sock"))")
            let log = try await Self.withAgent(world) {}
            #expect(log.contains("WARNING ota.agent: running without the status API"), "\(log)")
            #expect(log.contains("is writable by group or others"))
        }
    }

    @Test("ota status lists the inhibits; ota run --once writes metrics_textfile")
    func inhibitsAndTextfile() async throws {
        let world = try MirrorWorld()
        try world.publish("v1.1.0", app: "echo 1.1.0\n")
        let textfile = world.directory.url("ota.prom")
        try await world.withMirror { api in
            try world.writeConfig(api: api, extra: "metrics_textfile: \(textfile)")
            let inhibit = try await CommandRunner.run(["inhibit", "--reason", "kiosk demo"], in: world.installDirectory)
            #expect(inhibit.status == 0, "\(inhibit.stderr)")
            let status = try await CommandRunner.run(["status"], in: world.installDirectory)
            #expect(status.stdout.contains("  inhibited:        'kiosk demo' (id "), "\(status.stdout)")
            #expect(status.stdout.contains(", until released)\n"), "\(status.stdout)")
            _ = try await CommandRunner.run(["inhibit", "--release"], in: world.installDirectory)
            let once = try await CommandRunner.run(["run", "--once"], in: world.installDirectory)
            #expect(once.status == 0, "\(once.stderr)")
            let file = try await PrometheusText.parse(try String(contentsOfFile: textfile, encoding: .utf8))
            #expect(file.value("ota_update_attempts_total", ["result": "succeeded"]) == 1)
            #expect(file.value("ota_info", ["version": "1.1.0", "source": "github"]) == 1)
        }
    }
}
