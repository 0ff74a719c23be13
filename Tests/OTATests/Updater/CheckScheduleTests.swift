import Foundation
import Testing
@testable import OTA

@Suite("Check schedule")
struct CheckScheduleTests {
    let schedule = CheckSchedule(interval: .seconds(3600), jitter: 0.1, retryDelay: .seconds(5))

    @Test("after a success the wait lies within interval ± jitter, spread over the whole range")
    func jitterBounds() {
        #expect(schedule.delayAfterSuccess(random: 0) == .seconds(3240))
        #expect(schedule.delayAfterSuccess(random: 1) == .seconds(3960))
        #expect(schedule.delayAfterSuccess(random: 0.5) == .seconds(3600))
        let samples = (0..<500).map { _ in schedule.delayAfterSuccess() }
        #expect(samples.allSatisfy { $0 >= .seconds(3240) && $0 <= .seconds(3960) })
        #expect(samples.contains { $0 < .seconds(3400) } && samples.contains { $0 > .seconds(3800) })
    }

    @Test("failures back off exponentially, capped at the interval, and recover after a success")
    func backoff() {
        #expect(schedule.delayAfterFailure(1) == .seconds(5))
        #expect(schedule.delayAfterFailure(2) == .seconds(10))
        #expect(schedule.delayAfterFailure(5) == .seconds(80))
        #expect(schedule.delayAfterFailure(20) == .seconds(3600))
        #expect(CheckSchedule(interval: .seconds(60), jitter: 0, retryDelay: .zero).delayAfterFailure(1) == .seconds(5))
    }

    @Test("a rate limit waits exactly until the reset time, at least one second")
    func rateLimit() {
        let now = Date(timeIntervalSince1970: 1000)
        #expect(schedule.delayUntil(Date(timeIntervalSince1970: 1600), now: now) == .seconds(600))
        #expect(schedule.delayUntil(Date(timeIntervalSince1970: 900), now: now) == .seconds(1))
    }

    @Test("the first check comes soon after start")
    func initial() {
        #expect(schedule.initialDelay(random: 1) == .seconds(30))
        #expect(CheckSchedule(interval: .seconds(60), jitter: 0.1, retryDelay: .seconds(1)).initialDelay(random: 1) == .seconds(6))
        #expect(schedule.initialDelay(random: 0) == .zero)
    }
}
