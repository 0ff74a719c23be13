import ArgumentParser
import Foundation
import OTAFleetSimulation

/// `ota-simulate-fleet`: polls of a simulated fleet with the agent's own schedule and rollout buckets
/// (`scripts/simulate-fleet` builds and runs it). Exits 1 when a goal is missed.
@main
struct SimulateFleet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ota-simulate-fleet",
        abstract: "Simulate a fleet that boots at once and polls with the agent's schedule; check the load and rollout goals.",
        discussion: "Goals: the busiest minute after the first interval at most 1.2× that period's mean, the busiest minute of the boot window at most 3× its mean, the share offered a rollout within ±0.2 points of its percent, no install after a halt. Exits 1 when one is missed."
    )

    @Option(help: "Devices in the fleet.")
    var devices = 1_000_000
    @Option(help: "check_interval, in seconds.")
    var checkInterval = 21_600
    @Option(help: "check_jitter, a fraction in 0..<1.")
    var checkJitter = 0.1
    @Option(help: "The chance that a check fails, 0...1.")
    var failureShare = 0.0
    @Option(help: "The rollout's percent.")
    var rolloutPercent = 10.0
    @Option(help: "Hours followed after the simultaneous boot.")
    var hours = 24.0
    @Flag(help: "Random device ids (like /etc/machine-id) instead of device-<n>.")
    var randomIds = false
    @Option(help: "Seed of the random numbers.")
    var seed: UInt64 = 1

    func validate() throws {
        guard devices > 0 else { throw ValidationError("--devices must be at least 1") }
        guard checkInterval > 0 else { throw ValidationError("--check-interval must be at least 1 second") }
        guard (0..<1).contains(checkJitter) else { throw ValidationError("--check-jitter must lie in 0..<1") }
        guard (0...1).contains(failureShare) else { throw ValidationError("--failure-share must lie in 0...1") }
        guard (0...100).contains(rolloutPercent) else { throw ValidationError("--rollout-percent must lie in 0...100") }
        guard hours * 3600 > Double(checkInterval) else { throw ValidationError("--hours must reach beyond the first interval") }
    }

    func run() throws {
        var parameters = FleetSimulation.Parameters()
        parameters.devices = devices
        parameters.checkInterval = Double(checkInterval)
        parameters.checkJitter = checkJitter
        parameters.failureShare = failureShare
        parameters.rolloutPercent = rolloutPercent
        parameters.duration = hours * 3600
        parameters.releaseAt = Double(checkInterval) + 2 * 3600
        parameters.haltAt = parameters.releaseAt + 3600
        parameters.randomDeviceIDs = randomIds
        parameters.seed = seed
        let started = Date()
        let report = FleetSimulation(parameters).run()
        print(report.summary)
        print("simulated in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        let missed = report.missedGoals()
        guard missed.isEmpty else {
            for goal in missed { print("goal missed: \(goal)") }
            throw ExitCode.failure
        }
        print("all goals met")
    }
}
