import Foundation

/// When the background checker runs next (`ota run`, and the rate limits).
///
/// - After a successful check: `check_interval` ± `check_jitter` (uniformly spread).
/// - After a rate limit: exactly until the next allowed time (at least 1 s).
/// - After other failures: `retry_delay × 2^(failures-1)`, at least 5 s, capped at `check_interval`,
///   so a device that lost its network recovers soon after it comes back, without hammering.
/// - The first check comes soon after start: within `min(30 s, check_interval × check_jitter)`.
public struct CheckSchedule: Sendable {
    public var interval: Duration
    public var jitter: Double
    public var retryDelay: Duration

    public init(interval: Duration, jitter: Double, retryDelay: Duration) {
        self.interval = interval
        self.jitter = jitter
        self.retryDelay = retryDelay
    }

    /// The schedule of `check_interval` and `check_jitter`, backing off from `retryDelay` (`retry_delay`) after failures.
    public init(_ schedule: OTAConfiguration.Schedule, retryDelay: Duration) {
        self.init(interval: schedule.checkInterval, jitter: schedule.checkJitter, retryDelay: retryDelay)
    }

    /// The wait before the first check.
    public func initialDelay(random: Double = Double.random(in: 0...1)) -> Duration {
        let spread = min(Duration.seconds(30), Self.milliseconds(interval, times: jitter))
        return Self.milliseconds(spread, times: random)
    }

    /// The wait after a successful check; `random` in 0…1 places it within interval ± jitter.
    public func delayAfterSuccess(random: Double = Double.random(in: 0...1)) -> Duration {
        Self.milliseconds(interval, times: 1 - jitter + 2 * jitter * random)
    }

    /// `duration × factor`, rounded to whole milliseconds.
    static func milliseconds(_ duration: Duration, times factor: Double) -> Duration {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return .milliseconds(Int64((seconds * factor * 1000).rounded()))
    }

    /// The wait after `failures` failures in a row (1 for the first).
    public func delayAfterFailure(_ failures: Int) -> Duration {
        let exponent = min(max(failures - 1, 0), 20)
        let backoff = max(retryDelay, .seconds(5)) * (1 << exponent)
        return min(backoff, interval)
    }

    /// The wait until a rate limit lifts.
    public func delayUntil(_ date: Date, now: Date = Date()) -> Duration {
        .seconds(max(1, date.timeIntervalSince(now).rounded(.up)))
    }
}
