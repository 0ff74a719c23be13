import Foundation

/// How long the background checker waits before each check (`ota run`), so that a fleet never polls in step.
///
/// - The first check after start: uniformly within `min(check_interval, 300 s)`, so a fleet that boots at
///   once (after a power cut) spreads its first checks over five minutes instead of one instant.
/// - After the first successful check: the time to the next check of a device that had been polling
///   every `check_interval` ± `check_jitter` for ever (uniform up to `check_interval × (1 − check_jitter)`,
///   thinning out to `check_interval × (1 + check_jitter)`). A fleet that started together is then
///   spread evenly over the interval from its second check on.
/// - After any later success: `check_interval` ± `check_jitter`, uniformly spread.
/// - After failures: full jitter, uniform in `[0, min(check_interval, base × 2^(failures-1))]` with
///   `base = max(retry_delay, 5 s)`, so devices that failed together do not retry together.
/// - After a server asked to wait (a rate limit, `Retry-After`): until that time, plus up to `check_jitter`
///   of the wait at random, so devices told the same time do not come back in the same second — and never
///   sooner than the failure backoff.
///
/// No wait after a check is shorter than ``shortestWait``, so a device never checks in a tight loop.
/// Each method takes the random number in `0…1` that places the wait in its range; ``random`` draws
/// them for ``CheckTimer`` in the agent, and tests and the fleet simulation pass their own.
public struct CheckSchedule: Sendable {
    public var interval: Duration
    public var jitter: Double
    public var retryDelay: Duration
    /// Draws the random numbers in `0…1` that spread the waits.
    public var random: @Sendable () -> Double

    /// The longest spread of the first check after start (shorter when `check_interval` is).
    public static let firstCheckSpread: Duration = .seconds(300)
    /// The shortest wait after a check, whatever the random numbers are.
    public static let shortestWait: Duration = .seconds(1)
    /// The smallest base of the failure backoff, whatever `retry_delay` says.
    public static let smallestRetryBase: Duration = .seconds(5)

    public init(interval: Duration, jitter: Double, retryDelay: Duration,
                random: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }) {
        self.interval = interval
        self.jitter = jitter
        self.retryDelay = retryDelay
        self.random = random
    }

    /// The schedule of `check_interval` and `check_jitter`, backing off from `retryDelay` (`retry_delay`) after failures.
    public init(_ schedule: OTAConfiguration.Schedule, retryDelay: Duration) {
        self.init(interval: schedule.checkInterval, jitter: schedule.checkJitter, retryDelay: retryDelay)
    }

    /// The wait before the first check: `random × min(check_interval, 300 s)`.
    public func initialDelay(random: Double) -> Duration {
        Self.duration(seconds: Self.seconds(min(interval, Self.firstCheckSpread)) * Self.unit(random))
    }

    /// The wait after the first successful check since start: the remaining wait of a device polling every
    /// `interval` ± `jitter` since long ago, drawn by inverting its distribution at `random`.
    public func delayAfterFirstSuccess(random: Double) -> Duration {
        let mean = Self.seconds(interval)
        let shortest = mean * (1 - jitter), longest = mean * (1 + jitter)
        let share = Self.unit(random)
        // Density 1/mean up to `shortest`, then falling linearly to 0 at `longest`.
        let seconds = share * mean <= shortest
            ? share * mean
            : longest - ((longest - shortest) * (longest - shortest) - 2 * (longest - shortest) * (share * mean - shortest)).squareRoot()
        return floored(Self.duration(seconds: seconds.isFinite ? seconds : longest))
    }

    /// The wait after any later successful check; `random` places it within `interval` ± `jitter`.
    public func delayAfterSuccess(random: Double) -> Duration {
        floored(Self.duration(seconds: Self.seconds(interval) * (1 - jitter + 2 * jitter * Self.unit(random))))
    }

    /// The wait after `failures` failures in a row (1 for the first): `random × min(interval, base × 2^(failures-1))`.
    public func delayAfterFailure(_ failures: Int, random: Double) -> Duration {
        let exponent = min(max(failures - 1, 0), 30)
        let base = Self.seconds(max(retryDelay, Self.smallestRetryBase))
        let ceiling = min(Self.seconds(interval), base * Double(1 << exponent))
        return floored(Self.duration(seconds: ceiling * Self.unit(random)))
    }

    /// The wait until a server's "not before" `date`, plus up to `jitter` of that wait at `random`.
    public func delayUntil(_ date: Date, now: Date, random: Double) -> Duration {
        let wait = max(0, date.timeIntervalSince(now))
        return floored(Self.duration(seconds: wait * (1 + jitter * Self.unit(random))))
    }

    private func floored(_ delay: Duration) -> Duration {
        max(delay, Self.shortestWait)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// `seconds`, rounded to whole milliseconds (at most about 290 million years).
    static func duration(seconds: Double) -> Duration {
        .milliseconds(Int64(min(max(seconds * 1000, 0), 9e18).rounded()))
    }

    /// `value` clamped to `0…1` (a generator that strays cannot stretch a wait beyond its range).
    static func unit(_ value: Double) -> Double {
        value.isNaN ? 0 : min(max(value, 0), 1)
    }
}
