import Foundation
import Logging
import ServiceLifecycle
import Testing
@testable import OTA
@testable import OTATestSupport

@Suite("Background checker", .timeLimit(.minutes(1)))
struct UpdateServiceTests {
    static let release = Release(tag: "v2.0.0", version: SemanticVersion(2, 0, 0))

    func updater(_ source: ScriptedSource, autoUpdate: Bool = false) throws -> (OTAUpdater, TemporaryDirectory) {
        let directory = try TemporaryDirectory()
        var config = OTAConfiguration.forTest(api: "http://127.0.0.1:9", state: directory)
        config.schedule.autoUpdate = autoUpdate
        config.schedule.checkInterval = .seconds(600)
        config.schedule.checkJitter = 0.1
        config.transfer.retryDelay = .seconds(5)
        try directory.write("VERSION", "1.0.0\n")
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return (try OTAUpdater(configuration: config, source: source, logger: logger), directory)
    }

    /// Runs the service in a group until the clock has seen `waits` waits; returns the waits.
    func run(_ updater: OTAUpdater, waits: Int) async throws -> [Duration] {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let trigger = GracefulTrigger()
        let clock = ServiceClock(limit: waits) { trigger.fire() }
        let service = UpdateService(updater: updater, logger: logger, sleep: clock.sleep)
        let group = ServiceGroup(services: [service], logger: logger)
        trigger.group = group
        try await group.run()
        return clock.delays
    }

    @Test("checks soon after start, then every interval ± jitter; without auto_update it only records the update")
    func intervals() async throws {
        let source = ScriptedSource([.success([Self.release])])
        let (updater, directory) = try updater(source)
        let delays = try await run(updater, waits: 4)
        #expect(delays.count == 4)
        #expect(delays[0] <= .seconds(30))
        for delay in delays.dropFirst() { #expect(delay >= .seconds(540) && delay <= .seconds(660)) }
        #expect(source.calls == 3)
        #expect(try directory.read("VERSION") == "1.0.0\n")
        let state = try String(contentsOfFile: directory.url("state/state.json"), encoding: .utf8)
        #expect(state.contains("\"latest_version\":\"2.0.0\"") || state.contains("\"latest_version\" : \"2.0.0\""))
        await updater.shutdown()
    }

    @Test("after a rate limit it waits until the reset time")
    func rateLimit() async throws {
        let reset = Date().addingTimeInterval(1800)
        let limited = TransferError(.rateLimited, "limited", retryAfter: reset)
        let source = ScriptedSource([.failure(limited), .success([])])
        let (updater, _) = try updater(source)
        let delays = try await run(updater, waits: 3)
        // Until the reset (30 min away, minus however long a loaded machine took to get here), not the
        // normal interval (600 s ± 10 %).
        #expect(delays[1] >= .seconds(1700) && delays[1] <= .seconds(1801))
        #expect(delays[2] >= .seconds(540) && delays[2] <= .seconds(660))
        await updater.shutdown()
    }

    @Test("network errors back off, capped, and a success restores the normal interval")
    func backoff() async throws {
        let down = TransferError(.connectionFailed, "down")
        let source = ScriptedSource([.failure(down), .failure(down), .failure(down), .failure(down), .failure(down), .failure(down), .failure(down), .success([])])
        let (updater, _) = try updater(source)
        let delays = try await run(updater, waits: 9)
        #expect(Array(delays[1...7]) == [.seconds(5), .seconds(10), .seconds(20), .seconds(40), .seconds(80), .seconds(160), .seconds(320)])
        #expect(delays[8] >= .seconds(540) && delays[8] <= .seconds(660))
        await updater.shutdown()
    }

    @Test("a graceful shutdown during the wait ends the service at once, with no busy loop")
    func promptStop() async throws {
        let source = ScriptedSource([.success([])])
        let (updater, _) = try updater(source)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let sleeping = AsyncSignal(), cutShort = AsyncSignal()
        // The injected wait lasts an hour whatever the schedule asks (its first delay is random and can be
        // near zero), so only the shutdown can end it.
        let service = UpdateService(updater: updater, logger: logger, sleep: { _ in
            sleeping.fire()
            do { try await Task.sleep(for: .seconds(3600)) } catch { cutShort.fire(); throw error }
        })
        let group = ServiceGroup(services: [service], logger: logger)
        async let running: Void = group.run()
        await sleeping.wait()
        await group.triggerGracefulShutdown()
        try await running
        // The service ended because the wait was cancelled, not because it ran out.
        #expect(cutShort.hasFired)
        #expect(source.calls <= 1)
        await updater.shutdown()
    }
}
