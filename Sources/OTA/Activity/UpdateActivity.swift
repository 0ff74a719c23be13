import CoreMetrics
import Foundation
import Synchronization

/// What an updater is doing now, and the stream of its changes: the status API's `state`, `progress`
/// and `GET /v1/events`, and the counters of the metrics.
///
/// ``OTAUpdater`` reports into it as it works (each state, the download's progress, each update's
/// result and each rollback). It never waits for a reader: a subscriber that falls behind loses its
/// oldest events, not the agent's time.
///
/// ```swift
/// let activity = UpdateActivity()
/// let updater = try OTAUpdater(configuration: config, activity: activity)
/// for await event in activity.events() { print(event.state, event.progress?.bytes ?? 0) }
/// ```
public final class UpdateActivity: Sendable {
    /// Why the installation went back to an earlier version (the `reason` of `ota_rollbacks_total`).
    public enum RollbackReason: String, Sendable, CaseIterable {
        /// `health_check` failed after an update.
        case healthCheck = "health_check"
        /// `post_update` failed after an update.
        case postUpdate = "post_update"
        /// `restart_command` failed after an update.
        case restart = "restart_command"
        /// An update a crash or power loss interrupted was rolled back when the agent started.
        case interrupted
        /// ``OTAUpdater/rollback(to:)`` of this updater.
        case manual
    }

    private struct Hub {
        var current: UpdateEvent
        var subscribers: [Int: AsyncStream<UpdateEvent>.Continuation] = [:]
        var nextSubscriber = 0
        /// Operations running (an update runs a check inside it): idle comes when the last one ends.
        var operations = 0
        /// The progress interval in which the last progress event was sent, and the bytes reported last.
        var progressSlot: Int64?
        var lastBytes: Int64 = 0
        var lastSuccess: Date?
    }

    private let hub: Mutex<Hub>
    private let now: @Sendable () -> Date
    private let progressInterval: TimeInterval
    private let counters: Counters

    /// - Parameters:
    ///   - metrics: where the counters go (`ota_update_attempts_total`, `ota_rollbacks_total`,
    ///     `ota_download_bytes_total`); default: the process's `MetricsSystem`.
    ///   - progressInterval: a download's progress is an event at most once in each such interval of the
    ///     clock, and at least once in every interval in which bytes arrived.
    ///   - now: the clock of the events (tests inject one).
    public init(metrics: any MetricsFactory = MetricsSystem.factory, progressInterval: Duration = .seconds(1),
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
        let (seconds, attoseconds) = progressInterval.components
        self.progressInterval = max(0.001, TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18)
        self.counters = Counters(factory: metrics)
        hub = Mutex(Hub(current: UpdateEvent(time: now(), state: .idle)))
    }

    /// The latest state (with the download's latest progress, even between its events).
    public var current: UpdateEvent { hub.withLock { $0.current } }

    /// When the last check or update of this process (the outermost operation) ended without an error;
    /// `nil` before one has.
    public var lastSuccess: Date? { hub.withLock { $0.lastSuccess } }

    /// The changes from now on, starting with ``current``. Keeps at most `limit` unread events (dropping
    /// the oldest); ends when the task iterating it is cancelled.
    public func events(keepingAtMost limit: Int = 256) -> AsyncStream<UpdateEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: UpdateEvent.self, bufferingPolicy: .bufferingNewest(max(1, limit)))
        let id = hub.withLock { hub in
            let id = hub.nextSubscriber
            hub.nextSubscriber += 1
            hub.subscribers[id] = continuation
            continuation.yield(hub.current)
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.hub.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    // MARK: Reporting (the updater)

    /// Enters `state`; an event.
    func enter(_ state: AgentState, version: SemanticVersion? = nil, message: String? = nil) {
        publish { hub in
            hub.progressSlot = nil
            hub.lastBytes = 0
            hub.current = UpdateEvent(time: now(), state: state, progress: nil, version: version?.description, message: message)
            return true
        }
    }

    /// How a release is fetched: its full archive, or the objects its delta index lacks.
    enum FetchMethod {
        case full, delta
    }

    /// The download advanced: ``current`` shows it at once; an event when it is the first progress of
    /// this interval of the clock, or the download is complete. A full download's bytes count in
    /// `ota_download_bytes_total{method="full"}` as they arrive; a delta's progress is its contents
    /// (inflated), its bytes are counted once fetched (``deltaFetched(bytes:)``).
    func progress(_ progress: Downloader.Progress, method: FetchMethod = .full) {
        let time = now()
        var received: Int64 = 0
        publish { hub in
            // A new attempt starts over from the bytes on disk: count only what arrived since the last report.
            received = progress.received >= hub.lastBytes ? progress.received - hub.lastBytes : progress.received
            hub.lastBytes = progress.received
            hub.current.time = time
            hub.current.progress = UpdateEvent.Progress(bytes: progress.received, total: progress.total)
            let slot = Int64((time.timeIntervalSince1970 / progressInterval).rounded(.down))
            let complete = progress.total == progress.received
            guard hub.progressSlot != slot || complete else { return false }
            hub.progressSlot = slot
            return true
        }
        if received > 0, method == .full { counters.downloadedFull.increment(by: received) }
    }

    /// A release was fetched by its delta index: `bytes` (the index, its signature and the objects) count as `method="delta"`.
    func deltaFetched(bytes: Int64) {
        counters.downloadedDelta.increment(by: bytes)
    }

    /// Runs one operation of the updater (a check, an update, a rollback); the last one to end makes the
    /// state `idle`, with the error's message when it failed.
    func during<T>(isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> T) async rethrows -> T {
        hub.withLock { $0.operations += 1 }
        do {
            let result = try await body()
            finish(error: nil)
            return result
        } catch {
            finish(error: error)
            throw error
        }
    }

    /// An update ended with `result` (recorded as `last_update`).
    func attemptFinished(_ result: UpdateStatus.Result) {
        counters.attempts[result]?.increment()
    }

    /// The installation went back to an earlier version.
    func rolledBack(_ reason: RollbackReason) {
        counters.rollbacks[reason]?.increment()
    }

    private func finish(error: (any Error)?) {
        let time = now()
        publish { hub in
            hub.operations -= 1
            guard hub.operations == 0 else { return false }
            if error == nil { hub.lastSuccess = time }
            hub.progressSlot = nil
            hub.lastBytes = 0
            let message = error.map { ($0 as? any OTAError)?.message ?? ($0 is CancellationError ? "cancelled" : "\($0)") }
            hub.current = UpdateEvent(time: time, state: .idle, message: message)
            return true
        }
    }

    /// Changes the hub with `change`; when it returns `true`, sends the new ``current`` to every subscriber.
    private func publish(_ change: (inout Hub) -> Bool) {
        hub.withLock { hub in
            guard change(&hub) else { return }
            for subscriber in hub.subscribers.values { subscriber.yield(hub.current) }
        }
    }
}

extension UpdateActivity {
    /// The counters, made once so that each series exists (at 0) from the start.
    struct Counters: Sendable {
        let attempts: [UpdateStatus.Result: Counter]
        let rollbacks: [RollbackReason: Counter]
        let downloadedFull: Counter
        let downloadedDelta: Counter

        static let attemptResults: [UpdateStatus.Result] = [.succeeded, .failed, .rolledBack]

        /// Every counter series: its name and its one label (name and value).
        static var series: [(name: String, label: String, value: String)] {
            attemptResults.map { ("ota_update_attempts_total", "result", $0.rawValue) }
                + RollbackReason.allCases.map { ("ota_rollbacks_total", "reason", $0.rawValue) }
                + ["full", "delta"].map { ("ota_download_bytes_total", "method", $0) }
        }

        init(factory: any MetricsFactory) {
            func counter(_ name: String, _ label: String, _ value: String) -> Counter {
                Counter(label: name, dimensions: [(label, value)], factory: factory)
            }
            attempts = Dictionary(uniqueKeysWithValues: Self.attemptResults.map {
                ($0, counter("ota_update_attempts_total", "result", $0.rawValue))
            })
            rollbacks = Dictionary(uniqueKeysWithValues: RollbackReason.allCases.map {
                ($0, counter("ota_rollbacks_total", "reason", $0.rawValue))
            })
            downloadedFull = counter("ota_download_bytes_total", "method", "full")
            downloadedDelta = counter("ota_download_bytes_total", "method", "delta")
        }
    }
}

extension UpdateActivity.RollbackReason {
    /// The reason for a rollback after the hook `hook` failed (only hooks probe a new version).
    init(failedHook hook: HookRunner.Hook?) {
        switch hook {
        case .postUpdate: self = .postUpdate
        case .restart: self = .restart
        default: self = .healthCheck
        }
    }
}
