import Foundation
import OTATestSupport
import Testing

/// Timer mode (`ota update` as a oneshot service) writes `metrics_textfile` after every run, continuing
/// the counters of the file it replaces, so node_exporter sees such devices as it sees the agent.
@Suite("ota update writes metrics_textfile (timer mode)", .serialized, .timeLimit(.minutes(10)))
struct TimerModeMetricsTests {
    static func metrics(_ path: String) async throws -> PrometheusText {
        try await PrometheusText.parse(try String(contentsOfFile: path, encoding: .utf8))
    }

    @Test("each ota update rewrites the file atomically (mode 0644); counters add up across runs, failures included")
    func countsAcrossRuns() async throws {
        let world = try MirrorWorld()
        try world.publish("v1.1.0", app: "echo 1.1.0\n")
        try world.directory.makeDirectory("textfiles")
        let textfile = world.directory.url("textfiles/ota.prom")
        try await world.withMirror { api in
            try world.writeConfig(api: api, extra: "metrics_textfile: \(textfile)")
            let first = try await CommandRunner.run(["update"], in: world.installDirectory)
            #expect(first.status == 0, "\(first.stderr)")
            var file = try await Self.metrics(textfile)
            #expect(file.value("ota_update_attempts_total", ["result": "succeeded"]) == 1)
            #expect(file.value("ota_info", ["version": "1.1.0", "source": "github"]) == 1)
            #expect(file.value("ota_state", ["state": "idle"]) == 1)
            #expect(try #require(file.value("ota_download_bytes_total", ["method": "full"])) > 0)
            #expect(file.value("ota_last_check_timestamp_seconds") != nil)
            let downloaded = file.value("ota_download_bytes_total", ["method": "full"])
            let attributes = try FileManager.default.attributesOfItem(atPath: textfile)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o644)
            #expect(try FileManager.default.contentsOfDirectory(atPath: world.directory.url("textfiles")) == ["ota.prom"], "no temporary file left")

            let upToDate = try await CommandRunner.run(["update"], in: world.installDirectory)
            #expect(upToDate.status == 0, "\(upToDate.stderr)")
            file = try await Self.metrics(textfile)
            #expect(file.value("ota_update_attempts_total", ["result": "succeeded"]) == 1, "continued from the file, not reset to 0")
            #expect(file.value("ota_download_bytes_total", ["method": "full"]) == downloaded)

            // A release whose health check fails: rolled back, counted on top of the earlier runs.
            try world.publish("v1.2.0", app: "echo 1.2.0\n")
            try world.writeConfig(api: api, extra: "metrics_textfile: \(textfile)\nhealth_check: \"false\"\nhealth_check_timeout: 5")
            let failed = try await CommandRunner.run(["update"], in: world.installDirectory)
            #expect(failed.status == 1, "\(failed.stdout)\(failed.stderr)")
            file = try await Self.metrics(textfile)
            #expect(file.value("ota_update_attempts_total", ["result": "succeeded"]) == 1)
            #expect(file.value("ota_update_attempts_total", ["result": "rolled_back"]) == 1)
            #expect(file.value("ota_rollbacks_total", ["reason": "health_check"]) == 1)
            #expect(file.value("ota_info", ["version": "1.1.0"]) == 1)
            #expect(try #require(file.value("ota_download_bytes_total", ["method": "full"])) > downloaded ?? 0)
        }
    }

    @Test("a damaged or foreign file is replaced and its counters start from 0; --dry-run writes nothing")
    func damagedFile() async throws {
        let world = try MirrorWorld()
        try world.publish("v1.1.0", app: "echo 1.1.0\n")
        let textfile = world.directory.url("ota.prom")
        try "ota_update_attempts_total{result=\"succeeded\"} lots\nota_rollbacks_total{reason=\"other\"} 7\nota_update_attempts_total{result=\"failed\"} -3\ngarbage\n"
            .write(toFile: textfile, atomically: true, encoding: .utf8)
        try await world.withMirror { api in
            try world.writeConfig(api: api, extra: "metrics_textfile: \(textfile)")
            let dry = try await CommandRunner.run(["update", "--dry-run"], in: world.installDirectory)
            #expect(dry.status == 0, "\(dry.stderr)")
            #expect(try String(contentsOfFile: textfile, encoding: .utf8).hasSuffix("garbage\n"), "--dry-run changes nothing")
            let update = try await CommandRunner.run(["update"], in: world.installDirectory)
            #expect(update.status == 0, "\(update.stderr)")
            let file = try await Self.metrics(textfile)
            #expect(file.value("ota_update_attempts_total", ["result": "succeeded"]) == 1)
            #expect(file.value("ota_update_attempts_total", ["result": "failed"]) == 0)
            #expect(file.value("ota_rollbacks_total", ["reason": "other"]) == nil)
        }
    }
}
