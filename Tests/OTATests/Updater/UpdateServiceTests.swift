import Foundation
import Logging
import ServiceLifecycle
import Testing
@testable import OTA
@testable import OTATestSupport

@Suite("Background checker", .timeLimit(.minutes(10)))
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

    /// Runs the service in a group until the clock has seen `waits` waits, its schedule drawing `randoms` in turn; returns the waits.
    func run(_ updater: OTAUpdater, waits: Int, randoms: [Double] = [0.5], start: Date = Date(timeIntervalSince1970: 1_700_000_000)) async throws -> [Duration] {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let trigger = GracefulTrigger()
        let clock = ServiceClock(limit: waits, start: start) { trigger.fire() }
        let configuration = await updater.configuration
        var schedule = CheckSchedule(configuration.schedule, retryDelay: configuration.transfer.retryDelay)
        schedule.random = RandomSequence(randoms).next
        let service = UpdateService(updater: updater, schedule: schedule, logger: logger, sleep: clock.sleep, now: clock.now)
        let group = ServiceGroup(services: [service], logger: logger)
        trigger.group = group
        try await group.run()
        return clock.delays
    }

    @Test("first check within min(interval, 300 s), then a wait spread over the interval, then interval ± jitter; without auto_update it only records the update")
    func intervals() async throws {
        let source = ScriptedSource([.success([Self.release])])
        let (updater, directory) = try updater(source)
        let delays = try await run(updater, waits: 4, randoms: [0.5, 0.25, 0.75])
        // 0.5 × min(600 s, 300 s); then 0.25 × 600 s (uniform up to 540 s); then 540 s + 0.75 × 120 s, 540 s + 0.5 × 120 s.
        #expect(delays == [.seconds(150), .seconds(150), .seconds(630), .seconds(600)])
        #expect(source.calls == 3)
        #expect(try directory.read("VERSION") == "1.0.0\n")
        let state = try String(contentsOfFile: directory.url("state/state.json"), encoding: .utf8)
        #expect(state.contains("\"latest_version\":\"2.0.0\"") || state.contains("\"latest_version\" : \"2.0.0\""))
        await updater.shutdown()
    }

    @Test("after a rate limit it waits until the reset time, plus up to check_jitter of the wait")
    func rateLimit() async throws {
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        let limited = TransferError(.rateLimited, "limited", retryAfter: start.addingTimeInterval(1800))
        let source = ScriptedSource([.failure(limited), .success([])])
        let (updater, _) = try updater(source)
        let delays = try await run(updater, waits: 3, start: start)
        // Checked at 150 s; the reset is 1650 s later, plus 0.5 × 0.1 of that; then the first success's wait.
        #expect(delays == [.seconds(150), .milliseconds(1_732_500), .seconds(300)])
        await updater.shutdown()
    }

    @Test("network errors back off with full jitter, capped, and a success restores the normal interval")
    func backoff() async throws {
        let down = TransferError(.connectionFailed, "down")
        let source = ScriptedSource([.failure(down), .failure(down), .failure(down), .failure(down), .failure(down), .failure(down), .failure(down), .success([])])
        let (updater, _) = try updater(source)
        let delays = try await run(updater, waits: 9)
        try #require(delays.count == 9, "\(delays)")
        // Half of 5, 10, 20, … s; the seventh (5 s × 2^6 = 320 s) is still below the 600 s cap.
        #expect(Array(delays[1...7]) == [.milliseconds(2500), .seconds(5), .seconds(10), .seconds(20), .seconds(40), .seconds(80), .seconds(160)])
        #expect(delays[8] == .seconds(300))
        await updater.shutdown()
    }

    @Test("a 503 with Retry-After from the release server makes the agent come back then, not at the next backoff")
    func serverBusy() async throws {
        let server = try FakeHTTPServer { _, connection in
            connection.respond(status: 503, headers: ["Retry-After": "900"], json: #"{"message":"maintenance"}"#)
        }
        let directory = try TemporaryDirectory()
        var config = OTAConfiguration.forTest(api: server.baseURL, state: directory)
        config.schedule.checkInterval = .seconds(3600)
        config.schedule.checkJitter = 0.1
        try directory.write("VERSION", "1.0.0\n")
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let updater = try OTAUpdater(configuration: config, logger: logger)
        // The first check at once, on a clock that starts now and stands still: 900 s from the answer (plus
        // the moments the check took), plus 0.5 × 0.1 of that.
        let start = Date()
        let delays = try await run(updater, waits: 1, randoms: [0, 0.5], start: start)
        let latest = Duration.seconds((900 + Date().timeIntervalSince(start)) * 1.05)
        #expect(delays.count == 1 && delays[0] >= .seconds(945) && delays[0] <= latest, "\(delays)")
        #expect(server.requests.count == 1)
        await updater.shutdown()
    }

    @Test("a short Retry-After still in force when the retries run out is a floor for the next wait")
    func shortRetryAfterExhausted() async throws {
        let server = try FakeHTTPServer { _, connection in
            connection.respond(status: 429, headers: ["Retry-After": "9"], json: "{}")
        }
        let directory = try TemporaryDirectory()
        var config = OTAConfiguration.forTest(api: server.baseURL, state: directory, retries: 1)
        config.schedule.checkInterval = .seconds(3600)
        config.schedule.checkJitter = 0.1
        try directory.write("VERSION", "1.0.0\n")
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let transport = HTTPTransport(transfer: config.transfer, source: config.source, logger: logger)
        let source = GitHubReleaseSource(source: config.source, transfer: config.transfer, directory: StateDirectory(installation: config.installation),
                                         installDirectory: config.installation.installDirectory, transport: transport, logger: logger,
                                         sleep: SleepRecorder().sleep)
        let updater = try OTAUpdater(configuration: config, source: source, logger: logger)
        let start = Date()
        let delays = try await run(updater, waits: 1, randoms: [0, 0.5], start: start)
        // The last answer asked for 9 s: 9.45 s with the jitter (plus the moments the check took), not the
        // 2.5 s of a first failure.
        let latest = Duration.seconds((9 + Date().timeIntervalSince(start)) * 1.05)
        #expect(delays.count == 1 && delays[0] >= .milliseconds(9450) && delays[0] <= latest, "\(delays)")
        #expect(server.requests.count == 2)
        await updater.shutdown()
        await transport.shutdown()
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
