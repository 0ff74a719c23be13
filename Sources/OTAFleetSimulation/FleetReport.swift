import Foundation

/// The figures of a ``FleetSimulation`` run, and the goals they are held to.
public struct FleetReport: Sendable {
    /// Counts gathered while the fleet runs.
    struct Tally: Sendable {
        var checks = 0
        var failures = 0
        var offered = 0
        var installsBeforeHalt = 0
        var installsAfterHalt = 0
    }

    /// Checks per bin (a minute by default) over a window.
    public struct Load: Sendable {
        /// The busiest bin's checks.
        public let peak: Int
        /// The mean checks per bin.
        public let mean: Double
        /// `peak / mean`: 1 for a perfectly even load.
        public var peakToMean: Double { mean > 0 ? Double(peak) / mean : 0 }

        init(_ bins: ArraySlice<Int>) {
            peak = bins.max() ?? 0
            mean = bins.isEmpty ? 0 : Double(bins.reduce(0, +)) / Double(bins.count)
        }
    }

    /// What the figures must meet.
    public struct Goals: Sendable {
        /// The busiest minute after the first interval, as a multiple of that period's mean.
        public var steadyPeakToMean = 1.2
        /// The busiest minute of the boot window, as a multiple of that window's mean.
        public var bootPeakToMean = 3.0
        /// How far the share of devices offered the release may lie from the rollout's percent, in percentage points.
        public var offeredShareTolerance = 0.2

        public init() {}
    }

    public let parameters: FleetSimulation.Parameters
    /// The load from the end of the first interval to the end of the run.
    public let steady: Load
    /// The load during the boot window (`[0, min(check_interval, 300 s))`).
    public let boot: Load
    public let checks: Int
    public let failures: Int
    /// Percent of devices whose bucket is inside the rollout.
    public let offeredShare: Double
    public let installsBeforeHalt: Int
    /// Devices that installed at or after the halt: 0 when a halt works.
    public let installsAfterHalt: Int

    init(parameters: FleetSimulation.Parameters, load: [Int], tally: Tally) {
        self.parameters = parameters
        let complete = Int(parameters.duration / parameters.binWidth)
        let firstSteady = min(Int((parameters.checkInterval / parameters.binWidth).rounded(.up)), complete)
        let bootBins = min(max(1, Int((parameters.bootWindow / parameters.binWidth).rounded(.up))), load.count)
        steady = Load(load[firstSteady..<complete])
        boot = Load(load[0..<bootBins])
        checks = tally.checks
        failures = tally.failures
        offeredShare = parameters.devices > 0 ? 100 * Double(tally.offered) / Double(parameters.devices) : 0
        installsBeforeHalt = tally.installsBeforeHalt
        installsAfterHalt = tally.installsAfterHalt
    }

    /// One sentence per goal the figures miss; empty when all are met.
    public func missedGoals(_ goals: Goals = Goals()) -> [String] {
        var missed: [String] = []
        if steady.peakToMean > goals.steadyPeakToMean {
            missed.append("the busiest minute after the first interval is \(Self.format(steady.peakToMean))× the mean, above \(Self.format(goals.steadyPeakToMean))×")
        }
        if boot.peakToMean > goals.bootPeakToMean {
            missed.append("the busiest minute of the boot window is \(Self.format(boot.peakToMean))× its mean, above \(Self.format(goals.bootPeakToMean))×")
        }
        if abs(offeredShare - parameters.rolloutPercent) > goals.offeredShareTolerance {
            missed.append("\(Self.format(offeredShare, digits: 3)) % of devices are offered a \(Self.format(parameters.rolloutPercent)) % rollout, more than \(Self.format(goals.offeredShareTolerance)) points off")
        }
        if installsAfterHalt > 0 {
            missed.append("\(installsAfterHalt) devices installed the release after it was halted")
        }
        return missed
    }

    /// The figures, one per line.
    public var summary: String {
        let p = parameters
        let minute = p.binWidth == 60 ? "minute" : "\(Self.format(p.binWidth)) s"
        let ids = p.randomDeviceIDs ? "random ids" : "ids device-<n>"
        return """
        fleet: \(p.devices) devices (\(ids)), check_interval \(Self.format(p.checkInterval)) s, check_jitter \(Self.format(p.checkJitter)), \
        failure share \(Self.format(p.failureShare)), all booted at t=0, followed for \(Self.format(p.duration / 3600)) h (seed \(p.seed))
        checks: \(checks) (\(failures) failed), \(Self.format(Double(checks) / Double(max(p.devices, 1)))) per device
        after the first interval: peak \(steady.peak) checks/\(minute), mean \(Self.format(steady.mean)), peak/mean \(Self.format(steady.peakToMean))
        boot window (first \(Self.format(p.bootWindow)) s): peak \(boot.peak) checks/\(minute), mean \(Self.format(boot.mean)), \
        peak/mean \(Self.format(boot.peakToMean)) (peak = \(Self.format(steady.mean > 0 ? Double(boot.peak) / steady.mean : 0))× the mean after the first interval)
        rollout \(Self.format(p.rolloutPercent)) % (id \(p.rolloutID)): offered to \(Self.format(offeredShare, digits: 3)) % of devices
        release at \(Self.format(p.releaseAt / 3600)) h, halted at \(Self.format(p.haltAt / 3600)) h: \(installsBeforeHalt) installs before the halt, \(installsAfterHalt) after it
        """
    }

    static func format(_ value: Double, digits: Int = 2) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.\(digits)f", value)
    }
}
