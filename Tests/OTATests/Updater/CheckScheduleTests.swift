import Foundation
import Testing
@testable import OTA

@Suite("Check schedule")
struct CheckScheduleTests {
    let schedule = CheckSchedule(interval: .seconds(3600), jitter: 0.1, retryDelay: .seconds(5))

    @Test("the first check is spread uniformly over min(check_interval, 300 s)")
    func initial() {
        #expect(schedule.initialDelay(random: 0) == .zero)
        #expect(schedule.initialDelay(random: 0.5) == .seconds(150))
        #expect(schedule.initialDelay(random: 1) == .seconds(300))
        let short = CheckSchedule(interval: .seconds(60), jitter: 0.1, retryDelay: .seconds(1))
        #expect(short.initialDelay(random: 1) == .seconds(60))
        #expect(short.initialDelay(random: 0.25) == .seconds(15))
    }

    @Test("after a success the wait lies within interval ± jitter, spread over the whole range")
    func jitterBounds() {
        #expect(schedule.delayAfterSuccess(random: 0) == .seconds(3240))
        #expect(schedule.delayAfterSuccess(random: 1) == .seconds(3960))
        #expect(schedule.delayAfterSuccess(random: 0.5) == .seconds(3600))
        let samples = (0..<500).map { _ in schedule.delayAfterSuccess(random: schedule.random()) }
        #expect(samples.allSatisfy { $0 >= .seconds(3240) && $0 <= .seconds(3960) })
        #expect(samples.contains { $0 < .seconds(3400) } && samples.contains { $0 > .seconds(3800) })
    }

    @Test("after the first success the wait is the remaining wait of a device polling since long ago")
    func firstSuccess() {
        // Uniform up to interval × (1 − jitter) = 3240 s for 90 % of draws, then thinning out to 3960 s.
        #expect(schedule.delayAfterFirstSuccess(random: 0.5) == .seconds(1800))
        #expect(schedule.delayAfterFirstSuccess(random: 0.9) == .seconds(3240))
        #expect(schedule.delayAfterFirstSuccess(random: 1) == .seconds(3960))
        // Half of the last tenth: (3960 − x)² = 720² / 2.
        #expect(schedule.delayAfterFirstSuccess(random: 0.95) == .milliseconds(3_450_883))
        #expect(schedule.delayAfterFirstSuccess(random: 0) == CheckSchedule.shortestWait)
        let exact = CheckSchedule(interval: .seconds(600), jitter: 0, retryDelay: .seconds(5))
        #expect(exact.delayAfterFirstSuccess(random: 0.25) == .seconds(150))
        #expect(exact.delayAfterFirstSuccess(random: 1) == .seconds(600))
    }

    @Test("failures back off with full jitter up to retry_delay × 2^(n-1) (at least 5 s), capped at the interval, never under 1 s")
    func backoff() {
        #expect(schedule.delayAfterFailure(1, random: 1) == .seconds(5))
        #expect(schedule.delayAfterFailure(2, random: 1) == .seconds(10))
        #expect(schedule.delayAfterFailure(5, random: 1) == .seconds(80))
        #expect(schedule.delayAfterFailure(5, random: 0.5) == .seconds(40))
        #expect(schedule.delayAfterFailure(20, random: 1) == .seconds(3600))
        #expect(schedule.delayAfterFailure(20, random: 0.25) == .seconds(900))
        #expect(schedule.delayAfterFailure(1_000, random: 1) == .seconds(3600))
        #expect(schedule.delayAfterFailure(3, random: 0) == CheckSchedule.shortestWait)
        #expect(CheckSchedule(interval: .seconds(60), jitter: 0, retryDelay: .zero).delayAfterFailure(1, random: 1) == .seconds(5))
        #expect(CheckSchedule(interval: .seconds(3600), jitter: 0, retryDelay: .seconds(30)).delayAfterFailure(2, random: 0.5) == .seconds(30))
    }

    @Test("a server's not-before time is waited out, plus up to check_jitter of the wait, at least one second")
    func notBefore() {
        let now = Date(timeIntervalSince1970: 1000)
        #expect(schedule.delayUntil(Date(timeIntervalSince1970: 1600), now: now, random: 0) == .seconds(600))
        #expect(schedule.delayUntil(Date(timeIntervalSince1970: 1600), now: now, random: 1) == .seconds(660))
        #expect(schedule.delayUntil(Date(timeIntervalSince1970: 900), now: now, random: 1) == .seconds(1))
    }

    @Test("random numbers outside 0…1 cannot stretch a wait beyond its range")
    func strayRandom() {
        #expect(schedule.delayAfterSuccess(random: 7) == .seconds(3960))
        #expect(schedule.delayAfterFailure(1, random: -3) == CheckSchedule.shortestWait)
        #expect(schedule.initialDelay(random: .nan) == .zero)
        #expect(CheckSchedule(interval: .seconds(Int64.max / 2), jitter: 0, retryDelay: .seconds(5)).delayAfterSuccess(random: 1) > .seconds(1 << 40))
    }
}
