import Foundation
import Logging

/// Whether an install may start now, and if not, why and until when: the `ota inhibit` records, an
/// application's lock on `state_dir/inhibit.lock` and `maintenance_window`.
///
/// An update asks it after the download and verification, before `pre_update`: checks and downloads
/// always go on. `ota update` refuses a held install (``InstallHeldError``); the agent waits, then installs.
///
/// ```swift
/// let gate = InstallGate(directory: StateDirectory(installation: config.installation), schedule: config.schedule.maintenance)
/// for hold in try gate.holds() { print(hold.summary) }
/// ```
public struct InstallGate: Sendable {
    /// How a held install is treated, and the clock it is judged by.
    public struct Policy: Sendable {
        /// Wait until the install may start (the agent), instead of refusing it (`ota update`).
        public var waits: Bool
        /// The current time.
        public var now: @Sendable () -> Date
        /// The device's local time, for `maintenance_window`.
        public var zone: LocalTimeZone
        /// Sleeps while waiting (tests inject one that moves their clock).
        public var sleep: @Sendable (Duration) async throws -> Void
        /// How often a wait looks again for a released inhibit or lock; an expiry or a window opening
        /// sooner than that is waited for exactly.
        public var recheckInterval: Duration
        /// Told what the install waits for, when that changes, and `installing <version>` once it may start.
        public var report: @Sendable (String) -> Void

        public init(waits: Bool, now: @escaping @Sendable () -> Date = { Date() }, zone: LocalTimeZone = .system,
                    sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
                    recheckInterval: Duration = .seconds(5), report: @escaping @Sendable (String) -> Void = { _ in }) {
            self.waits = waits
            self.now = now
            self.zone = zone
            self.sleep = sleep
            self.recheckInterval = recheckInterval
            self.report = report
        }

        /// `ota update`: a held install fails at once with ``InstallHeldError``.
        public static let refuse = Policy(waits: false)
        /// The agent: a held install waits.
        public static let wait = Policy(waits: true)
    }

    /// The state folder with the inhibits and `inhibit.lock`.
    public let directory: StateDirectory
    /// `maintenance_window`.
    public let schedule: MaintenanceSchedule
    public let policy: Policy
    let logger: Logger

    public init(directory: StateDirectory, schedule: MaintenanceSchedule, policy: Policy = .refuse, logger: Logger = Logger(label: "ota.gate")) {
        self.directory = directory
        self.schedule = schedule
        self.policy = policy
        self.logger = logger
    }

    /// What holds an install back now; empty when it may start.
    public func holds() throws(InhibitError) -> [InstallHold] {
        let now = policy.now()
        var holds: [InstallHold] = []
        let inhibits = try InhibitStore(directory: directory).active(at: now, prune: false)
        if !inhibits.isEmpty { holds.append(.inhibited(inhibits)) }
        if let holders = try InhibitLock(directory: directory).holders() {
            holds.append(.applicationLock(holders, path: directory.inhibitLockPath))
        }
        if !schedule.isOpen(at: now, in: policy.zone), let opening = schedule.nextOpening(after: now, in: policy.zone) {
            holds.append(.outsideMaintenanceWindow(nextOpening: opening))
        }
        return holds
    }

    /// Returns when the install of `version` may start: at once with `force` or when nothing holds it;
    /// otherwise, with a waiting policy, once the holds are gone.
    /// - Parameters:
    ///   - version: the version to install, for the messages.
    ///   - force: install regardless of what holds it (`ota update --force`).
    ///   - whileHeld: told what holds the install whenever that changes, before waiting (the agent lets go
    ///     of the update lock there, so that other updates and rollbacks can run meanwhile).
    ///   - afterWaiting: called when the holds are gone after a wait, before the gate looks at them once
    ///     more (the agent takes the update lock back there).
    /// - Throws: ``InstallHeldError`` when held and the policy refuses; `CancellationError` when the
    ///   wait is cancelled; ``InhibitError`` when the inhibits cannot be read; what `afterWaiting` throws.
    public func admit(_ version: SemanticVersion, force: Bool, whileHeld: @Sendable ([InstallHold]) -> Void = { _ in },
                      afterWaiting: @Sendable () async throws -> Void = {}) async throws {
        if force {
            policy.report("installing \(version)")
            return
        }
        var reported: [InstallHold] = []
        var waited = false
        var wasHeld = false
        while true {
            let holds = try holds()
            if holds.isEmpty {
                guard waited else { break }
                try await afterWaiting()
                waited = false
                reported = []
                continue
            }
            guard policy.waits else { throw InstallHeldError(version: version, holds: holds) }
            if holds != reported {
                let summary = holds.map(\.summary).joined(separator: "; ")
                logger.info("install waits", metadata: ["ota.release.version": "\(version)", "ota.held": "\(summary)"])
                policy.report("waiting to install \(version): \(summary)")
                whileHeld(holds)
                reported = holds
                wasHeld = true
            }
            var delay = policy.recheckInterval
            if let end = holds.compactMap(\.endsBy).min() {
                let untilEnd = Duration.milliseconds(Int64((end.timeIntervalSince(policy.now()) * 1000).rounded(.up)))
                delay = max(.zero, min(delay, untilEnd))
            }
            try await policy.sleep(delay)
            waited = true
        }
        if wasHeld { logger.info("install may start", metadata: ["ota.release.version": "\(version)"]) }
        policy.report("installing \(version)")
    }
}
