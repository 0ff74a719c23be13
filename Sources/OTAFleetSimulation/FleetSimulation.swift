import Foundation
import OTA

/// A fleet of devices polling for updates with the agent's own schedule (``CheckTimer``) and rollout rule
/// (``RolloutBucket``), all booted at the same instant: how evenly the origin is loaded, which share of
/// the fleet a staged rollout reaches, and whether a halt stops installs.
///
/// Each device checks at the times its ``CheckTimer`` gives; a check fails with probability
/// ``Parameters/failureShare``. A release appears at ``Parameters/releaseAt`` with a rollout to
/// ``Parameters/rolloutPercent`` of devices and is halted at ``Parameters/haltAt``: a device installs it
/// at its first successful check after it appears, when its bucket is inside the rollout's current percent
/// (0 once halted).
public struct FleetSimulation: Sendable {
    public struct Parameters: Sendable {
        /// Devices in the fleet.
        public var devices = 1_000_000
        /// `check_interval`, in seconds.
        public var checkInterval: Double = 6 * 3600
        /// `check_jitter`.
        public var checkJitter = 0.1
        /// `retry_delay`, in seconds.
        public var retryDelay: Double = 5
        /// How long the fleet is followed after the simultaneous boot, in seconds.
        public var duration: Double = 24 * 3600
        /// The chance that a check fails (and the device backs off), `0…1`.
        public var failureShare = 0.0
        /// The rollout's percent.
        public var rolloutPercent = 10.0
        /// The rollout's id.
        public var rolloutID = "2.0.0"
        /// When the release appears, seconds after the boot.
        public var releaseAt: Double = 8 * 3600
        /// When the rollout is halted, seconds after the boot.
        public var haltAt: Double = 9 * 3600
        /// Random device ids (like `/etc/machine-id`) instead of `device-<n>`.
        public var randomDeviceIDs = false
        /// Seeds the random numbers: the same parameters give the same figures.
        public var seed: UInt64 = 1
        /// The width of one load bin, in seconds.
        public var binWidth: Double = 60

        public init() {}

        /// The schedule every device follows.
        public var schedule: CheckSchedule {
            CheckSchedule(interval: .milliseconds(Int64(checkInterval * 1000)), jitter: checkJitter,
                          retryDelay: .milliseconds(Int64(retryDelay * 1000)))
        }

        /// The end of the boot window, in seconds: the first checks are spread over it.
        public var bootWindow: Double {
            Double(min(schedule.interval, CheckSchedule.firstCheckSpread).components.seconds)
        }
    }

    public var parameters: Parameters

    public init(_ parameters: Parameters) {
        self.parameters = parameters
    }

    /// Runs the simulation; the same parameters always give the same report.
    public func run() -> FleetReport {
        let p = parameters
        var random = SplitMix64(seed: p.seed)
        let bins = Int((p.duration / p.binWidth).rounded(.up))
        var load = [Int](repeating: 0, count: bins)
        var tally = FleetReport.Tally()
        let schedule = p.schedule
        let epoch = Date(timeIntervalSince1970: 0)
        for index in 0..<p.devices {
            let id = p.randomDeviceIDs ? Self.randomID(&random) : "device-\(index)"
            let bucket = RolloutBucket(deviceID: id, rolloutID: p.rolloutID)
            if bucket.isInside(percent: p.rolloutPercent) { tally.offered += 1 }
            var timer = CheckTimer(schedule: schedule)
            var time = Self.seconds(timer.firstDelay(random: random.unit()))
            var installed = false
            while time < p.duration {
                load[Int(time / p.binWidth)] += 1
                tally.checks += 1
                let failed = random.unit() < p.failureShare
                if failed {
                    tally.failures += 1
                } else if !installed, time >= p.releaseAt {
                    let percent = time < p.haltAt ? p.rolloutPercent : 0
                    if bucket.isInside(percent: percent) {
                        installed = true
                        if time < p.haltAt { tally.installsBeforeHalt += 1 } else { tally.installsAfterHalt += 1 }
                    }
                }
                let delay = timer.delay(after: failed ? .failed : .succeeded, now: epoch.addingTimeInterval(time), random: random.unit())
                time += Self.seconds(delay)
            }
        }
        return FleetReport(parameters: p, load: load, tally: tally)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// 32 random hex digits, as `/etc/machine-id` holds.
    static func randomID(_ random: inout SplitMix64) -> String {
        let high = String(random.next(), radix: 16), low = String(random.next(), radix: 16)
        return String(repeating: "0", count: 16 - high.count) + high + String(repeating: "0", count: 16 - low.count) + low
    }
}
