import Foundation
import Testing
@testable import OTA

@Suite("Check timer")
struct CheckTimerTests {
    let schedule = CheckSchedule(interval: .seconds(3600), jitter: 0.1, retryDelay: .seconds(5))
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    @Test("the first success is followed by the spread first wait, later ones by interval ± jitter")
    func successes() {
        var timer = CheckTimer(schedule: schedule)
        #expect(timer.firstDelay(random: 1) == .seconds(300))
        #expect(timer.delay(after: .succeeded, now: now, random: 0.5) == .seconds(1800))
        #expect(timer.delay(after: .succeeded, now: now, random: 0.5) == .seconds(3600))
        #expect(timer.delay(after: .succeeded, now: now, random: 0) == .seconds(3240))
    }

    @Test("failures in a row back off further; a success starts over")
    func failures() {
        var timer = CheckTimer(schedule: schedule)
        #expect(timer.delay(after: .failed, now: now, random: 1) == .seconds(5))
        #expect(timer.delay(after: .failed, now: now, random: 1) == .seconds(10))
        #expect(timer.delay(after: .failed, now: now, random: 1) == .seconds(20))
        #expect(timer.failures == 3 && !timer.hasSucceeded)
        #expect(timer.delay(after: .succeeded, now: now, random: 0.5) == .seconds(1800))
        #expect(timer.delay(after: .failed, now: now, random: 1) == .seconds(5))
    }

    @Test("a not-before time is a floor: the wait lasts until then, or the backoff when that is longer")
    func notBefore() {
        var timer = CheckTimer(schedule: schedule)
        #expect(timer.delay(after: .failedUntil(now.addingTimeInterval(600)), now: now, random: 0.5) == .seconds(630))
        #expect(timer.failures == 1)
        for _ in 0..<9 { _ = timer.delay(after: .failed, now: now, random: 1) }
        // The 11th failure backs off up to 5 s × 2^10 = 5120 s, capped at the interval.
        #expect(timer.delay(after: .failedUntil(now.addingTimeInterval(2)), now: now, random: 1) == .seconds(3600))
    }
}
