import Foundation
import OTAFleetSimulation
import Testing
@testable import OTA

/// The shape of the fleet's load with the agent's own schedule, at a size CI runs in a moment;
/// `scripts/simulate-fleet` runs the full million devices.
@Suite("Fleet simulation")
struct FleetSimulationTests {
    /// 20,000 devices booted together, check_interval 6 h, jitter 0.1, a 10 % rollout.
    static func report(failureShare: Double = 0, randomIDs: Bool = false) -> FleetReport {
        var parameters = FleetSimulation.Parameters()
        parameters.devices = 20_000
        parameters.failureShare = failureShare
        parameters.randomDeviceIDs = randomIDs
        return FleetSimulation(parameters).run()
    }

    /// The goals, widened for 20,000 devices: about 56 checks a minute after the first interval, so the
    /// busiest of ~1,000 minutes lies some 4 standard deviations (+30 %) above the mean by chance alone;
    /// 200 devices in a 10 % rollout are one standard deviation of 0.2 points.
    static var goals: FleetReport.Goals {
        var goals = FleetReport.Goals()
        goals.steadyPeakToMean = 1.6
        goals.offeredShareTolerance = 1
        return goals
    }

    @Test("a fleet booted at once loads the origin evenly after its first interval and within its boot window")
    func load() {
        let report = Self.report()
        #expect(report.missedGoals(Self.goals).isEmpty, "\(report.missedGoals(Self.goals))\n\(report.summary)")
        // A fleet still polling in step would be ~5× the mean after the first interval.
        #expect(report.steady.peakToMean < 1.6, "\(report.summary)")
        #expect(report.boot.peakToMean < 1.3, "\(report.summary)")
        // Every device checks once in the boot window and about 4 times a day in all.
        #expect(report.boot.mean * 5 >= 20_000 && report.checks > 80_000 && report.checks < 100_000, "\(report.summary)")
    }

    @Test("failures back off without bunching: the load keeps its shape with 20 % of checks failing")
    func failures() {
        let report = Self.report(failureShare: 0.2)
        #expect(report.missedGoals(Self.goals).isEmpty, "\(report.missedGoals(Self.goals))\n\(report.summary)")
        #expect(report.failures > report.checks / 6, "\(report.summary)")
    }

    @Test("a 10 % rollout reaches about 10 % of devices, numbered or random ids; no device installs after a halt")
    func rollout() {
        for report in [Self.report(), Self.report(randomIDs: true)] {
            #expect(abs(report.offeredShare - 10) <= 1, "\(report.summary)")
            #expect(report.installsAfterHalt == 0, "\(report.summary)")
            // Those inside polled between the release (8 h) and the halt (9 h): about a sixth of them.
            #expect(report.installsBeforeHalt > 200 && report.installsBeforeHalt < 500, "\(report.summary)")
        }
    }

    @Test("the same parameters give the same figures")
    func repeatable() {
        #expect(Self.report().summary == Self.report().summary)
    }
}
