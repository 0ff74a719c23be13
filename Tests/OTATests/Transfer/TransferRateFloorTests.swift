import Testing
@testable import OTA

/// The average-rate floor, driven with made-up instants: no waiting, no timing races.
@Suite("Transfer rate floor")
struct TransferRateFloorTests {
    let start = ContinuousClock.now

    /// Feeds `bytes` every `step` until `until`; returns the first offset at which the floor gave up.
    func firstFailure(rate: Int = 1024, window: Duration = .seconds(180), bytes: Int, every step: Duration, until end: Duration) -> Duration? {
        var floor = TransferRateFloor(minimumRate: rate, window: window, start: start)
        var elapsed = Duration.zero
        while elapsed < end {
            elapsed += step
            if !floor.record(bytes, at: start + elapsed) { return elapsed }
        }
        return nil
    }

    func record(_ floor: inout TransferRateFloor, _ bytes: Int, at offset: Duration) -> Bool {
        floor.record(bytes, at: start + offset)
    }

    @Test("a byte every 5 s fails once a whole window has passed, not before")
    func trickle() throws {
        let failure = try #require(firstFailure(bytes: 1, every: .seconds(5), until: .seconds(600)))
        #expect(failure >= .seconds(180) && failure <= .seconds(185))
    }

    @Test("a steady transfer at the floor or above never fails, however long", arguments: [1024, 4096, 1 << 20])
    func steady(rate: Int) {
        #expect(firstFailure(bytes: rate / 4, every: .milliseconds(250), until: .seconds(3600)) == nil)
    }

    @Test("a fast start does not buy a later stall: the average is over the last window only")
    func burstThenTrickle() throws {
        var floor = TransferRateFloor(minimumRate: 1024, window: .seconds(10), start: start)
        #expect(record(&floor, 50 << 20, at: .seconds(1)))
        var failedAt: Duration?
        for second in 2...60 where failedAt == nil {
            if !floor.record(1, at: start + .seconds(second)) { failedAt = .seconds(second) }
        }
        #expect(try #require(failedAt) <= .seconds(12))
    }

    @Test("a short pause inside a fast transfer is fine")
    func pause() {
        var floor = TransferRateFloor(minimumRate: 1024, window: .seconds(30), start: start)
        #expect(record(&floor, 100_000, at: .seconds(5)))
        #expect(record(&floor, 10, at: .seconds(33)))
        #expect(record(&floor, 100_000, at: .seconds(40)))
    }

    @Test("a rate of 0 turns the floor off")
    func off() {
        #expect(firstFailure(rate: 0, bytes: 1, every: .seconds(29), until: .seconds(3600)) == nil)
    }

    @Test("samples stay few however many chunks arrive")
    func boundedMemory() {
        var floor = TransferRateFloor(minimumRate: 1, window: .seconds(1), start: start)
        for index in 1...100_000 { _ = floor.record(1, at: start + .microseconds(index * 100)) }
        #expect(floor.total == 100_000)
        #expect(floor.sampleCount <= 34)
    }
}
