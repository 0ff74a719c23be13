import Foundation
import Logging
import ServiceLifecycle

/// The background checker, as a swift-service-lifecycle `Service` (`ota run`).
///
/// Checks within `min(check_interval, 300 s)` of start, then about every `check_interval` ± `check_jitter`
/// (``CheckSchedule``, ``CheckTimer``); with `auto_update` it installs what it finds, otherwise it only records
/// that an update is available. After errors it backs off with full jitter; when a server asked to wait (a
/// rate limit, `Retry-After` on a 429 or 503 from GitHub, a mirror or a TUF host) it waits until then. A graceful shutdown
/// (SIGTERM, SIGINT) ends it promptly — a download is abandoned (nothing was changed yet), but a swap
/// that has started always finishes or rolls back first. Between checks it only sleeps: no polling.
/// An install held back by an inhibit, the application lock or `maintenance_window` waits (``InstallGate``).
/// With a ``SystemdNotifier`` it sends `READY=1`, a `STATUS=` line at each step, and `WATCHDOG=1`.
/// A request on ``requests`` (the status API's `POST /v1/check` and `POST /v1/update`) ends the wait
/// between checks early.
///
/// ```swift
/// let service = UpdateService(updater: updater, logger: logger)
/// let group = ServiceGroup(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
/// try await group.run()
/// ```
public struct UpdateService: Service {
    let updater: OTAUpdater
    let schedule: CheckSchedule
    let autoUpdate: Bool
    let logger: Logger
    let sleep: @Sendable (Duration) async throws -> Void
    let now: @Sendable () -> Date
    let maxCycles: Int?
    let status: AgentStatus
    let watchdogInterval: Duration?
    let installPolicy: InstallGate.Policy
    /// Requests to check or update now, which end the wait between checks.
    public let requests = AgentRequests()

    /// - Parameters:
    ///   - updater: the updater that checks and installs.
    ///   - schedule: when to check (default: from the updater's configuration).
    ///   - autoUpdate: install what a check finds (default: the configuration's `auto_update`).
    ///   - logger: receives the agent's messages.
    ///   - sleep: waits between checks (tests inject one that returns at once and records the delays).
    ///   - now: the current time, against which a server's "not before" time is measured.
    ///   - maxCycles: stop after this many checks (`nil`: run until shut down; `ota run --once` uses 1).
    ///   - notifier: systemd's notification socket (`ota run` passes ``SystemdNotifier/fromEnvironment(_:)``).
    ///   - watchdogInterval: how often to send `WATCHDOG=1` (default: half of `$WATCHDOG_USEC`, when set).
    ///   - installPolicy: how a held install waits (default: it waits, on the system clock).
    public init(updater: OTAUpdater, schedule: CheckSchedule? = nil, autoUpdate: Bool? = nil, logger: Logger = Logger(label: "ota.service"),
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
                now: @escaping @Sendable () -> Date = { Date() }, maxCycles: Int? = nil,
                notifier: SystemdNotifier? = nil, watchdogInterval: Duration? = SystemdNotifier.watchdogInterval(),
                installPolicy: InstallGate.Policy = .wait) {
        self.updater = updater
        self.schedule = schedule ?? CheckSchedule(updater.configuration.schedule, retryDelay: updater.configuration.transfer.retryDelay)
        self.autoUpdate = autoUpdate ?? updater.configuration.schedule.autoUpdate
        self.logger = logger
        self.sleep = sleep
        self.now = now
        self.maxCycles = maxCycles
        let status = AgentStatus(notifier: notifier)
        self.status = status
        self.watchdogInterval = notifier == nil ? nil : watchdogInterval
        var policy = installPolicy
        policy.report = { [report = installPolicy.report] text in report(text); status.report(text) }
        self.installPolicy = policy
    }

    /// The outcome of one cycle, which decides the next wait.
    public enum CycleResult: Sendable, Equatable {
        case upToDate
        case updateAvailable(SemanticVersion)
        case updated(SemanticVersion)
        /// The server asked not to be asked again before this time.
        case rateLimited(until: Date)
        case failed(String)

        /// What the result means for the next wait.
        var timerOutcome: CheckTimer.Outcome {
            switch self {
            case .upToDate, .updateAvailable, .updated: .succeeded
            case .rateLimited(let until): .failedUntil(until)
            case .failed: .failed
            }
        }
    }

    public func run() async throws {
        let timer = CheckTimer(schedule: schedule)
        let firstDelay: Duration = maxCycles == 1 ? .zero : timer.firstDelay(random: schedule.random())
        status.ready(firstCheckIn: firstDelay)
        await withTaskGroup(of: Void.self) { group in
            if let notifier = status.notifier, let watchdogInterval {
                group.addTask { await notifier.keepWatchdogAlive(every: watchdogInterval) }
            }
            await runCycles(timer: timer, firstDelay: firstDelay)
            group.cancelAll()
        }
    }

    private func runCycles(timer: CheckTimer, firstDelay: Duration) async {
        var timer = timer
        var delay = firstDelay
        var cycles = 0
        logger.info("agent started", metadata: ["ota.repo": "\(updater.configuration.source.githubRepo)", "ota.interval": "\(schedule.interval)",
                                                "ota.auto_update": "\(autoUpdate)"])
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var request: AgentRequests.Kind?
            if delay > .zero {
                let sleeper = sleep
                let slept: AgentRequests.Kind?? = try? await cancelWhenGracefulShutdown { [delay, requests] in try await requests.wait(delay, sleep: sleeper) }
                guard let woken = slept, !Task.isShuttingDownGracefully else { break }
                request = woken
            }
            let result = await cycle(installing: request.map { $0 == .update } ?? autoUpdate)
            cycles += 1
            delay = timer.delay(after: result.timerOutcome, now: now(), random: schedule.random())
            if let maxCycles, cycles >= maxCycles { break }
            logger.debug("next check", metadata: ["ota.delay": "\(delay)"])
            status.idle(nextCheckIn: delay, after: result)
        }
        status.stopping()
        logger.info("agent stopped")
    }

    /// One check (and, with `auto_update`, one update). Never throws: errors become a result.
    public func cycle() async -> CycleResult {
        await cycle(installing: autoUpdate)
    }

    /// One check, and one update when `installing`.
    func cycle(installing: Bool) async -> CycleResult {
        status.checking()
        do {
            if installing {
                let progressLog = DownloadProgressLog(logger: logger)
                let outcome = try await cancelWhenGracefulShutdown { [updater, installPolicy, status] in
                    try await updater.update(whenHeld: installPolicy, progress: { progress in
                        status.downloading(progress)
                        progressLog.record(progress)
                    })
                }
                switch outcome {
                case .updated(_, let to): return .updated(to)
                case .upToDate, .planned: return .upToDate
                }
            }
            if let release = try await updater.checkForUpdates() {
                logger.info("update available; auto_update is off", metadata: ["ota.release.version": "\(release.version)"])
                return .updateAvailable(release.version)
            }
            return .upToDate
        } catch let error as TransferError where error.code == .rateLimited || error.retryAfter != nil {
            // A rate limit, or a short `Retry-After` that was still in force when the retries ran out.
            logger.warning("rate limited", metadata: ["ota.error": "\(error.message)"])
            return .rateLimited(until: error.retryAfter ?? now().addingTimeInterval(60))
        } catch {
            let message = (error as? any OTAError)?.message ?? "\(error)"
            logger.error("check failed", metadata: ["ota.error": "\(message)"])
            return .failed(message)
        }
    }
}
