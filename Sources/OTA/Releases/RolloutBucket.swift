import Crypto
import Foundation

/// Where a device falls in a staged rollout: the rule devices and `ota publish status` share bit for bit.
///
/// A device's bucket in a rollout is `b = UInt64(first 8 bytes, big-endian, of SHA-256(device_id + ":" + rollout_id)) / 2^64`;
/// the device is inside when `b × 100 < effective percent`. The same device and rollout always fall in the
/// same bucket, and buckets of different rollouts are independent. The comparison is exact (integer
/// arithmetic), so no device sits on a different side of the line on another machine.
public struct RolloutBucket: Sendable, Hashable {
    /// The first 8 bytes of the digest as a big-endian integer: the bucket is `value / 2^64`.
    public let value: UInt64

    /// The bucket of `deviceID` in the rollout `rolloutID`.
    public init(deviceID: String, rolloutID: String) {
        let digest = SHA256.hash(data: Data((deviceID + ":" + rolloutID).utf8))
        value = digest.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// The bucket `value / 2^64`.
    init(value: UInt64) {
        self.value = value
    }

    /// The bucket as a fraction in `[0, 1)`, for display.
    public var fraction: Double { Double(value) / 0x1p64 }

    /// Whether the bucket is inside a rollout offered to `percent` of devices: `value × 100 < percent × 2^64`.
    public func isInside(percent: Double) -> Bool {
        guard percent > 0 else { return false }
        guard percent < 100 else { return true }
        // value × 100 is a whole number, so it is below the real number percent × 2^64 exactly when it is
        // below that number rounded up; percent × 2^64 < 2^71, so the rounded value is exact.
        let limit = UInt128((percent * 0x1p64).rounded(.up))
        return UInt128(value) * 100 < limit
    }
}

extension TUFRollout {
    /// The share of devices offered the release at `now`, 0–100: 0 when halted; otherwise the lesser of
    /// `percent` (100 when absent) and, with `start`, a linear ramp from 0 at `start` to 100 at
    /// `start + ramp_hours` (a step at `start` without `ramp_hours`). Before `start` it is 0.
    public func effectivePercent(at now: Date) -> Double {
        if halted { return 0 }
        let ceiling = Double(percent ?? 100)
        guard let start else { return ceiling }
        guard now >= start else { return 0 }
        let rampSeconds = Double(rampHours ?? 0) * 3600
        guard rampSeconds > 0 else { return ceiling }
        let elapsed = now.timeIntervalSince(start)
        return min(ceiling, 100 * min(1, elapsed / rampSeconds))
    }

    /// Whether `deviceID` is offered the release of `version` at `now` (the rollout's id defaults to the version).
    public func admits(deviceID: String, version: String, at now: Date) -> Bool {
        RolloutBucket(deviceID: deviceID, rolloutID: id ?? version).isInside(percent: effectivePercent(at: now))
    }
}
