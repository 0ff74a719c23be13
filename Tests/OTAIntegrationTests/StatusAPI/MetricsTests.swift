#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import OTA
@testable import OTATestSupport

@Suite("Metrics: /metrics and metrics_textfile, read by prometheus_client's parser", .timeLimit(.minutes(10)))
struct MetricsTests {
    @Test("GET /metrics after an update: ota_info, ota_state, ota_inhibited, the timestamps and the counters")
    func afterAnUpdate() async throws {
        let fixture = try StatusAPIFixture()
        let archive = try fixture.base.server.publish("v1.1.0", files: UpdateFixture.newFiles)
        let server = try await fixture.bind()
        let (before, after) = try await fixture.serving(server) {
            let before = try await fixture.request("GET", "/metrics")
            _ = try await fixture.updater.update()
            _ = try InhibitStore(directory: StateDirectory(installation: fixture.base.configuration.installation)).add(reason: "kiosk", seconds: nil)
            return (before, try await fixture.request("GET", "/metrics"))
        }
        await fixture.updater.shutdown()
        #expect(before.status == 200 && before.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        let initial = try await PrometheusText.parse(String(decoding: before.body, as: UTF8.self))
        #expect(initial.value("ota_info", ["version": "1.0.0", "channel": "stable", "source": "github"]) == 1)
        #expect(initial.value("ota_update_attempts_total", ["result": "succeeded"]) == 0)
        #expect(initial.value("ota_last_check_timestamp_seconds") == nil, "no check yet: no series")
        #expect(initial.value("ota_inhibited") == 0)

        let metrics = try await PrometheusText.parse(String(decoding: after.body, as: UTF8.self))
        #expect(metrics.family("ota_update_attempts")?.type == "counter")
        #expect(metrics.family("ota_state")?.type == "gauge")
        #expect(metrics.value("ota_info", ["version": "1.1.0", "channel": "stable", "source": "github"]) == 1)
        #expect(metrics.family("ota_info")?.samples.count == 1, "the old version's series is gone")
        for state in AgentState.allCases {
            #expect(metrics.value("ota_state", ["state": state.rawValue]) == (state == .idle ? 1 : 0))
        }
        #expect(metrics.value("ota_inhibited") == 1)
        #expect(metrics.value("ota_update_attempts_total", ["result": "succeeded"]) == 1)
        #expect(metrics.value("ota_update_attempts_total", ["result": "failed"]) == 0)
        #expect(metrics.value("ota_rollbacks_total", ["reason": "health_check"]) == 0)
        #expect(metrics.value("ota_download_bytes_total", ["method": "full"]) == Double(archive.count))
        #expect(metrics.value("ota_download_bytes_total", ["method": "delta"]) == 0)
        let now = Date().timeIntervalSince1970
        let lastCheck = try #require(metrics.value("ota_last_check_timestamp_seconds"))
        let lastSuccess = try #require(metrics.value("ota_last_success_timestamp_seconds"))
        #expect(abs(lastCheck - now) < 600 && lastSuccess >= lastCheck)
    }

    @Test("a failed health check counts a rolled_back attempt and a health_check rollback")
    func rollback() async throws {
        let fixture = try StatusAPIFixture(configure: { $0.hooks.healthCheck = "exit 3" })
        try fixture.base.server.publish("v1.1.0", files: UpdateFixture.newFiles)
        await #expect(throws: HookError.self) { try await fixture.updater.update() }
        let metrics = try await PrometheusText.parse(await fixture.metrics.text(for: fixture.updater))
        await fixture.updater.shutdown()
        #expect(metrics.value("ota_update_attempts_total", ["result": "rolled_back"]) == 1)
        #expect(metrics.value("ota_rollbacks_total", ["reason": "health_check"]) == 1)
        #expect(metrics.value("ota_info", ["version": "1.0.0"]) == 1)
    }

    @Test("source tuf: ota_metadata_expires_timestamp_seconds for each role of the trusted metadata")
    func tufExpiry() async throws {
        var fixture = try UpdateFixture()
        fixture.configuration.source.kind = .tuf
        let expiries = ["root": "2031-01-01T00:00:00Z", "timestamp": "2030-06-01T12:00:00Z", "snapshot": "2030-07-01T00:00:00Z"]
        for (role, expires) in expiries {
            try fixture.directory.write("install/.ota/tuf/\(role).json", """
                {"signatures": [], "signed": {"_type": "\(role)", "spec_version": "1.0.31", "version": 3, "expires": "\(expires)"}}
                """)
        }
        let metrics = AgentMetrics()
        let updater = try OTAUpdater(configuration: fixture.configuration, source: ScriptedSource([.success([])]),
                                     logger: StatusAPIFixture.quiet, activity: UpdateActivity(metrics: metrics.factory))
        let text = try await PrometheusText.parse(await metrics.text(for: updater))
        await updater.shutdown()
        #expect(text.value("ota_info", ["source": "tuf"]) == 1)
        for (role, expires) in expiries {
            #expect(text.value("ota_metadata_expires_timestamp_seconds", ["role": role]) == UTCTime.date(iso8601: expires)?.timeIntervalSince1970)
        }
        #expect(text.value("ota_metadata_expires_timestamp_seconds", ["role": "targets"]) == nil, "no targets.json stored")
    }

    @Test("metrics_textfile is replaced atomically, mode 0644, with text the parser reads")
    func textfile() async throws {
        let fixture = try StatusAPIFixture()
        let folder = try TemporaryDirectory("ota-textfile")
        let path = folder.url("ota.prom")
        try folder.write("ota.prom", "stale")
        let file = MetricsTextFile(path: path, metrics: fixture.metrics, updater: fixture.updater, logger: StatusAPIFixture.quiet)
        await file.write()
        await fixture.updater.shutdown()
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o644)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["ota.prom"], "no temporary file left")
        let text = try await PrometheusText.parse(try folder.read("ota.prom"))
        #expect(text.value("ota_state", ["state": "idle"]) == 1)
    }
}
