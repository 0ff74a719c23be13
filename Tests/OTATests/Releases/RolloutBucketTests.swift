import Foundation
import Testing
@testable import OTA

/// The rollout rule: a device's bucket and the effective percent over time.
@Suite("Rollout buckets")
struct RolloutBucketTests {
    /// Buckets computed by an independent implementation, Python's hashlib:
    /// `int.from_bytes(hashlib.sha256(f"{device}:{rollout}".encode()).digest()[:8], "big")`.
    @Test("a bucket is the big-endian first 8 bytes of SHA-256(device_id:rollout_id)", arguments: [
        ("a", "1.2.0", UInt64(8_259_053_217_598_148_232)),
        ("0f3c9a1d2b4e4f7a8c6d5e4f3a2b1c0d", "1.2.0", 7_106_929_935_437_043_729),
        ("pi-0001", "2.0.0-rc.1", 18_427_678_985_996_821_551),
        ("pi-0001", "2.0.0", 14_666_708_002_268_934_900),
        ("", "", 16_693_726_192_583_184_368),
    ])
    func vectors(device: String, rollout: String, expected: UInt64) {
        #expect(RolloutBucket(deviceID: device, rolloutID: rollout).value == expected)
    }

    @Test("inside exactly when bucket × 100 < percent: a device at 0.4477 is out at 44.77 % and in at 44.78 %")
    func insideAtPercent() {
        let bucket = RolloutBucket(deviceID: "a", rolloutID: "1.2.0")
        #expect(!bucket.isInside(percent: 44.77))
        #expect(bucket.isInside(percent: 44.78))
        #expect(!bucket.isInside(percent: 0))
        #expect(bucket.isInside(percent: 100))
    }

    @Test("the comparison is strict and exact at the boundary")
    func strictBoundary() {
        let half = RolloutBucket(value: 1 << 63)
        #expect(!half.isInside(percent: 50))
        #expect(half.isInside(percent: 50.000_000_000_001))
        #expect(RolloutBucket(value: 0).isInside(percent: 0.000_000_1))
        #expect(!RolloutBucket(value: 0).isInside(percent: 0))
        #expect(RolloutBucket(value: .max).isInside(percent: 100))
        #expect(!RolloutBucket(value: .max).isInside(percent: 99.999_999_9))
    }

    @Test("a 10 % rollout takes 10 % of 100,000 devices, and another rollout picks other devices")
    func shareAndIndependence() {
        let ids = (0..<100_000).map { "device-\($0)" }
        let first = Set(ids.filter { RolloutBucket(deviceID: $0, rolloutID: "1.2.0").isInside(percent: 10) })
        let second = Set(ids.filter { RolloutBucket(deviceID: $0, rolloutID: "1.3.0").isInside(percent: 10) })
        #expect(abs(Double(first.count) / 1000 - 10) < 0.3)
        #expect(abs(Double(second.count) / 1000 - 10) < 0.3)
        // Independent rollouts share about 10 % × 10 % = 1 % of the fleet, not 10 %.
        #expect(abs(Double(first.intersection(second).count) / 1000 - 1) < 0.2)
    }

    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("the ramp: 0 before start, linear to 100 over ramp_hours, capped by percent")
    func ramp() {
        let rollout = TUFRollout(id: "r", percent: nil, start: Self.start, rampHours: 10)
        #expect(rollout.effectivePercent(at: Self.start - 1) == 0)
        #expect(rollout.effectivePercent(at: Self.start) == 0)
        #expect(rollout.effectivePercent(at: Self.start + 5 * 3600) == 50)
        #expect(rollout.effectivePercent(at: Self.start + 10 * 3600) == 100)
        #expect(rollout.effectivePercent(at: Self.start + 20 * 3600) == 100)
        let capped = TUFRollout(id: "r", percent: 25, start: Self.start, rampHours: 10)
        #expect(capped.effectivePercent(at: Self.start + 2 * 3600) == 20)
        #expect(capped.effectivePercent(at: Self.start + 5 * 3600) == 25)
    }

    @Test("halted is 0; a start without a ramp is a step; no start is the percent")
    func haltedStepAndPlain() {
        #expect(TUFRollout(percent: 100, halted: true).effectivePercent(at: Self.start) == 0)
        let step = TUFRollout(percent: 40, start: Self.start)
        #expect(step.effectivePercent(at: Self.start - 1) == 0)
        #expect(step.effectivePercent(at: Self.start) == 40)
        #expect(TUFRollout(percent: 15).effectivePercent(at: .distantPast) == 15)
        #expect(TUFRollout().effectivePercent(at: .distantPast) == 100)
    }

    @Test("the rollout's id defaults to the release's version")
    func idDefaultsToVersion() {
        let ids = (0..<2_000).map { "d\($0)" }
        let unnamed = TUFRollout(percent: 30)
        let named = TUFRollout(id: "2.0.0", percent: 30)
        for id in ids {
            #expect(unnamed.admits(deviceID: id, version: "2.0.0", at: Self.start) == named.admits(deviceID: id, version: "2.0.0", at: Self.start))
        }
    }
}
