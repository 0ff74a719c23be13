import Foundation
import Logging
import ServiceLifecycle
import Testing
@testable import OTA

/// A release source that answers from a script, one entry per call (the last one repeats); its releases'
/// files are chosen and proven by `assets`, as a GitHub source's are.
final class ScriptedSource: ReleaseSource, @unchecked Sendable {
    private let lock = NSLock()
    private var script: [Result<[Release], TransferError>]
    private let assets: ReleaseAssets?
    private(set) var calls = 0

    init(_ script: [Result<[Release], TransferError>], assets: ReleaseAssets? = nil) {
        self.script = script
        self.assets = assets
    }

    func releases() async throws -> [Release] {
        let next: Result<[Release], TransferError> = lock.withLock {
            calls += 1
            return script.count > 1 ? script.removeFirst() : script[0]
        }
        return try next.get()
    }

    func artifact(for release: Release) throws(SelectionError) -> Artifact {
        guard let assets else { throw SelectionError(.noMatchingAsset, "this scripted source has no files") }
        return try assets.artifact(for: release)
    }

    func proof(for artifact: Artifact) async throws -> ArtifactProof {
        guard let assets else { throw SelectionError(.noMatchingAsset, "this scripted source has no files") }
        return try await assets.proof(for: artifact)
    }
}

/// Records the service's waits; after `limit` waits it starts a graceful shutdown.
final class ServiceClock: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var delays: [Duration] = []
    let limit: Int
    let shutdown: @Sendable () -> Void

    init(limit: Int, shutdown: @escaping @Sendable () -> Void) {
        self.limit = limit
        self.shutdown = shutdown
    }

    var sleep: @Sendable (Duration) async throws -> Void {
        { [self] duration in
            let count = lock.withLock { delays.append(duration); return delays.count }
            if count >= limit { shutdown() }
            await Task.yield()
        }
    }
}

@Suite("Background checker", .timeLimit(.minutes(1)))
struct UpdateServiceTests {
    static let release = Release(tag: "v2.0.0", version: SemanticVersion(2, 0, 0))

    func updater(_ source: ScriptedSource, autoUpdate: Bool = false) throws -> (OTAUpdater, TemporaryDirectory) {
        let directory = try TemporaryDirectory()
        var config = OTAConfiguration.forTest(api: "http://127.0.0.1:9", state: directory)
        config.autoUpdate = autoUpdate
        config.checkInterval = 600
        config.checkJitter = 0.1
        config.retryDelay = 5
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

/// Starts a graceful shutdown of a group from a synchronous callback.
final class GracefulTrigger: @unchecked Sendable {
    var group: ServiceGroup?
    func fire() {
        let group = self.group
        Task { await group?.triggerGracefulShutdown() }
    }
}

@Suite("Background checker shutdown during an update", .serialized, .timeLimit(.minutes(1)))
struct UpdateServiceShutdownTests {
    func logger() -> Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    /// Runs one automatic update cycle in a service group that `trigger` can shut down; returns when it has stopped.
    func runOnce(_ updater: OTAUpdater, trigger: GracefulTrigger = GracefulTrigger(), shutdownWhen started: AsyncSignal? = nil) async throws {
        let service = UpdateService(updater: updater, autoUpdate: true, logger: logger(), sleep: { _ in }, maxCycles: 1)
        let group = ServiceGroup(services: [service], logger: logger())
        trigger.group = group
        async let running: Void = group.run()
        if let started {
            await started.wait()
            await group.triggerGracefulShutdown()
        }
        try await running
    }

    @Test("a shutdown during a download stops it at once and changes nothing")
    func stopDuringDownload() async throws {
        var fixture = try UpdateFixture()
        try fixture.server.publish("v1.1.0", files: UpdateFixture.newFiles)
        // A storage host that sends a little and then stalls until the test ends: with a download time-out
        // longer than the test's time limit, only the shutdown can end this download (and the service run).
        let sending = AsyncSignal()
        let testEnded = DispatchSemaphore(value: 0)
        defer { testEnded.signal() }
        let slow = try FakeHTTPServer { _, connection in
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\nConnection: close\r\n\r\n")
            connection.write([UInt8](repeating: 1, count: 1000))
            sending.fire()
            testEnded.wait()
            testEnded.signal()
        }
        fixture.configuration.downloadTimeout = 3600
        let source = ScriptedSource([.success([Release(tag: "v1.1.0", version: SemanticVersion(1, 1, 0), assets: [
            ReleaseAsset(id: 1, name: "app-1.1.0.tar.gz", size: 1_000_000, apiURL: slow.baseURL + "/asset"),
        ])])], assets: ReleaseAssets(configuration: fixture.configuration) { asset in
            throw TransferError(.notFound, "\(asset.name) is not published")
        })
        let updater = try OTAUpdater(configuration: fixture.configuration, source: source, logger: logger())
        try await runOnce(updater, shutdownWhen: sending)
        #expect(try fixture.tree() == UpdateFixture.oldFiles)
        let lastUpdate = await updater.status().lastUpdate
        #expect(lastUpdate?.result == .failed)
        #expect(lastUpdate?.error?.contains("stopped before the swap") == true, "\(String(describing: lastUpdate?.error))")
        await updater.shutdown()
    }

    @Test("a shutdown that arrives once the release is extracted stops before the swap and changes nothing")
    func stopBeforeSwap() async throws {
        let fixture = try UpdateFixture()
        try fixture.server.publish("v1.1.0", files: UpdateFixture.newFiles)
        let updater = try fixture.updater()
        // Once the release is staged, ask for a shutdown and hold the update there until it is cancelled.
        let trigger = GracefulTrigger()
        await updater.setCheckpoint { point in
            guard point == .staged else { return }
            trigger.fire()
            await untilCancelled()
        }
        try await runOnce(updater, trigger: trigger)
        #expect(try fixture.tree() == UpdateFixture.oldFiles)
        #expect(try Journal(stateDirectory: fixture.configuration.stateDirectory).load() == nil)
        let status = await updater.status()
        #expect(status.lastUpdate?.result == .failed)
        #expect(status.lastUpdate?.error?.contains("nothing was changed") == true, "\(String(describing: status.lastUpdate?.error))")
        await updater.shutdown()
    }

    @Test("a shutdown that arrives once the swap is done lets the health check run and the update commit")
    func stopDuringSwap() async throws {
        var fixture = try UpdateFixture()
        let marker = fixture.directory.url("health-checked")
        fixture.configuration.healthCheck = "touch \(marker)"
        try fixture.server.publish("v1.1.0", files: UpdateFixture.newFiles)
        let updater = try fixture.updater()
        // Right after the swap, ask for a shutdown and hold the update there until it is cancelled.
        let trigger = GracefulTrigger()
        await updater.setCheckpoint { point in
            guard point == .swapped else { return }
            trigger.fire()
            await untilCancelled()
        }
        try await runOnce(updater, trigger: trigger)
        #expect(FileManager.default.fileExists(atPath: marker), "the health check runs after the shutdown arrived")
        #expect(try fixture.tree()["VERSION"] == "1.1.0\n")
        #expect(try Journal(stateDirectory: fixture.configuration.stateDirectory).load() == nil)
        let status = await updater.status()
        #expect(status.lastUpdate?.result == .succeeded)
        await updater.shutdown()
    }
}

extension OTAUpdater {
    func setCheckpoint(_ checkpoint: @escaping @Sendable (UpdateCheckpoint) async -> Void) {
        self.checkpoint = checkpoint
    }
}

/// Calls back with every message logged at info level or above.
struct CallbackLogHandler: LogHandler {
    let callback: @Sendable (String) -> Void
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    init(_ callback: @escaping @Sendable (String) -> Void) { self.callback = callback }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) { callback(event.message.description) }
}
