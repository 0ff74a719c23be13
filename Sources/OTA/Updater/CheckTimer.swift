import Foundation

/// One run of the background checker: which wait of its ``CheckSchedule`` follows which outcome.
///
/// ``UpdateService`` steps through it, and so does the fleet simulation (`scripts/simulate-fleet`), so a
/// simulated fleet polls exactly as devices do. A success ends a run of failures; the first success since
/// start is followed by ``CheckSchedule/delayAfterFirstSuccess(random:)``, later ones by
/// ``CheckSchedule/delayAfterSuccess(random:)``.
public struct CheckTimer: Sendable {
    /// What a check came to, as far as the next wait is concerned.
    public enum Outcome: Sendable, Equatable {
        case succeeded
        case failed
        /// The check failed, and the server asked not to be asked again before this time (a rate limit,
        /// `Retry-After`): the wait lasts at least until then, and at least the failure backoff.
        case failedUntil(Date)
    }

    public let schedule: CheckSchedule
    /// Failures in a row since the last success.
    public private(set) var failures = 0
    /// Whether a check has succeeded since start.
    public private(set) var hasSucceeded = false

    public init(schedule: CheckSchedule) {
        self.schedule = schedule
    }

    /// The wait before the first check.
    public func firstDelay(random: Double) -> Duration {
        schedule.initialDelay(random: random)
    }

    /// The wait after a check that came to `outcome` at `now`; `random` (in `0…1`) places it in its range.
    public mutating func delay(after outcome: Outcome, now: Date, random: Double) -> Duration {
        switch outcome {
        case .succeeded:
            defer { hasSucceeded = true; failures = 0 }
            return hasSucceeded ? schedule.delayAfterSuccess(random: random) : schedule.delayAfterFirstSuccess(random: random)
        case .failed:
            failures += 1
            return schedule.delayAfterFailure(failures, random: random)
        case .failedUntil(let date):
            failures += 1
            return max(schedule.delayAfterFailure(failures, random: random), schedule.delayUntil(date, now: now, random: random))
        }
    }
}
