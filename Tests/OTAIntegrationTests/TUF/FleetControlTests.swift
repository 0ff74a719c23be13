import Foundation
import Testing
@testable import OTA
import OTATestSupport

/// Rollouts, halts, yanks and pins end to end: a repository made by `ota publish`, served by nginx, read by devices.
@Suite("Fleet control: rollouts, halts, yanks and pins on a repository served by nginx", .timeLimit(.minutes(10)))
struct FleetControlTests {
    static let v1_0 = SemanticVersion(1, 0, 0), v1_1 = SemanticVersion(1, 1, 0), v1_2 = SemanticVersion(1, 2, 0)

    @Test("a ramp reaches a device when the effective percent passes its bucket, by the device clock; never before start; a clock reset to 1970 keeps the time floor")
    func rampUnderInjectedClock() async throws {
        let fleet = try FleetFixture()
        try fleet.publish("1.1.0")
        let start = fleet.clock.now + 3600
        try fleet.publisher.rollout(version: "1.1.0", .ramp(hours: 10, start: start))
        // A device at bucket 0.30–0.35: outside at 20 % (2 h into the ramp), inside at 40 % (4 h in).
        let early = try fleet.device("early", deviceID: FleetFixture.deviceID(inBucket: 0.30...0.35, rollout: "1.1.0"))
        let late = try fleet.device("late", deviceID: FleetFixture.deviceID(inBucket: 0.90...0.95, rollout: "1.1.0"))

        #expect(try await early.check() == .upToDate(current: Self.v1_0, latest: nil), "before the ramp's start, no device")
        early.clock.set(start + 2 * 3600)
        #expect(try await early.check() == .upToDate(current: Self.v1_0, latest: nil), "20 %: bucket 0.3 is outside")
        early.clock.set(start + 4 * 3600)
        #expect(try await early.check().availableRelease?.version == Self.v1_1, "40 %: bucket 0.3 is inside")
        late.clock.set(start + 4 * 3600)
        #expect(try await late.check().availableRelease == nil, "40 %: bucket 0.9 is outside")
        late.clock.set(start + 9.6 * 3600)
        #expect(try await late.check().availableRelease?.version == Self.v1_1, "96 %: bucket 0.9 is inside")

        // The board reboots without a real-time clock: the ramp reads the time floor, not 1970.
        early.clock.set(Date(timeIntervalSince1970: 0))
        #expect(try await early.check().availableRelease?.version == Self.v1_1)
        #expect(try await early.update() == .updated(from: Self.v1_0, to: Self.v1_1))
    }

    @Test("halting stops new installs within one poll; a device that has the halted release keeps it until a yank or a newer release")
    func haltThenYank() async throws {
        let fleet = try FleetFixture()
        try fleet.publish("1.0.0")
        try fleet.publish("1.1.0")
        let early = try fleet.device("early", deviceID: "early"), later = try fleet.device("later", deviceID: "later")
        #expect(try await early.update() == .updated(from: Self.v1_0, to: Self.v1_1))

        try fleet.publisher.rollout(version: "1.1.0", .halt)
        #expect(try await later.update() == .upToDate(Self.v1_0), "the next poll after the halt installs nothing")
        #expect(try await early.update() == .upToDate(Self.v1_1), "a halted release stays installed")
        #expect(try early.installedApp() == "echo 1.1.0\n")

        try fleet.publisher.yank(version: "1.1.0")
        let logs = LogLines()
        #expect(try await early.update(logs: logs) == .updated(from: Self.v1_1, to: Self.v1_0), "a yank moves the device off, below its floor")
        #expect(try early.installedApp() == "echo 1.0.0\n")
        #expect(logs.all.contains { $0.contains("the installed version is yanked by its publisher") }, "\(logs.all)")

        try fleet.publish("1.2.0")
        #expect(try await early.update() == .updated(from: Self.v1_0, to: Self.v1_2))
        #expect(try await later.update() == .updated(from: Self.v1_0, to: Self.v1_2))
    }

    @Test("a device running a yanked version installs the newest release that is not yanked, older and below the floor; then follows newer ones")
    func yankBelowFloor() async throws {
        let fleet = try FleetFixture()
        try fleet.publish("1.1.0")
        try fleet.publish("1.2.0")
        try fleet.publish("1.3.0", percent: 0)
        let device = try fleet.device("device", deviceID: "d-1")
        #expect(try await device.update() == .updated(from: Self.v1_0, to: Self.v1_2))

        try fleet.publisher.yank(version: "1.2.0")
        #expect(try await device.check().availableRelease?.version == Self.v1_1)
        #expect(try await device.update() == .updated(from: Self.v1_2, to: Self.v1_1), "1.3.0 is outside the rollout: 1.1.0 is the newest offered")
        #expect(try device.installedApp() == "echo 1.1.0\n")
        let state = StateStore(directory: StateDirectory(installation: device.configuration.installation), logger: TUFDevice.logger(nil)).load()
        #expect(state.highestInstalledVersion == "1.2.0", "the floor stays; being yanked, it does not count")
        #expect(try await device.update() == .upToDate(Self.v1_1))

        try fleet.publish("1.1.1")
        #expect(try await device.update() == .updated(from: Self.v1_1, to: SemanticVersion(1, 1, 1)), "below the yanked floor, newer than installed")
    }

    @Test("a pin installs that version only — older, outside its rollout or below the floor — and holds there; a pin nowhere published names pinned_version, and the platform of a version published for another")
    func pins() async throws {
        let fleet = try FleetFixture()
        try fleet.publish("1.1.0")
        try fleet.publish("1.2.0")
        try fleet.publish("1.3.0", percent: 0)
        try fleet.publish("1.4.0", platform: "linux-riscv64")
        let device = try fleet.device("device", deviceID: "d-1", extra: "platform: linux-aarch64")

        try device.pins.pin(Self.v1_1)
        #expect(try await device.update() == .updated(from: Self.v1_0, to: Self.v1_1))
        #expect(try await device.update() == .upToDate(Self.v1_1), "at its pin the device is up to date although 1.2.0 is newer")
        let updater = try device.updater()
        _ = try await updater.check()
        let status = await updater.status()
        await updater.shutdown()
        #expect(status.pinnedVersion == "1.1.0" && !status.updateAvailable && status.latestVersion == "1.1.0")

        try device.pins.pin(SemanticVersion(1, 3, 0))
        #expect(try await device.update() == .updated(from: Self.v1_1, to: SemanticVersion(1, 3, 0)), "a pin installs a release outside the rollout")
        try device.pins.pin(Self.v1_2)
        #expect(try await device.update() == .updated(from: SemanticVersion(1, 3, 0), to: Self.v1_2), "a pin installs below the floor")

        for (pin, fragment) in [("1.9.0", "pinned_version 1.9.0 is not a release published for this device"),
                                ("1.4.0", "pinned_version 1.4.0 is published for linux-riscv64 only; this device is linux-aarch64 (platform); pin a published version")] {
            try device.pins.pin(SemanticVersion(pin)!)
            let error = await #expect(throws: SelectionError.self) { try await device.update() }
            #expect(error?.message.hasPrefix(fragment) == true, "\(error?.message ?? "")")
            #expect(try device.installedApp() == "echo 1.2.0\n")
        }

        // What `ota pin` checks first: the pinnable release, refused with the same reason, the version first.
        let checker = try device.updater()
        #expect(try await checker.pinnableRelease(SemanticVersion(1, 3, 0)).version == SemanticVersion(1, 3, 0), "a release outside its rollout can be pinned")
        let other = await #expect(throws: SelectionError.self) { try await checker.pinnableRelease(SemanticVersion(1, 4, 0)) }
        #expect(other?.message == "1.4.0 is published for linux-riscv64 only; this device is linux-aarch64 (platform)")
        let nowhere = await #expect(throws: SelectionError.self) { try await checker.pinnableRelease(SemanticVersion(1, 9, 0)) }
        #expect(nowhere?.message == "1.9.0 is not a release published for this device (newest: 1.3.0, 1.2.0, 1.1.0)")
        await checker.shutdown()

        try device.pins.unpin()
        #expect(try await device.update() == .upToDate(Self.v1_2), "unpinned, 1.3.0 is still outside its rollout")
        try fleet.publisher.rollout(version: "1.3.0", .percent(100))
        #expect(try await device.update() == .updated(from: Self.v1_2, to: SemanticVersion(1, 3, 0)))
    }

    @Test("pinned_version in the configuration wins over ota pin")
    func configuredPinWins() async throws {
        let fleet = try FleetFixture()
        try fleet.publish("1.1.0")
        try fleet.publish("1.2.0")
        let device = try fleet.device("device", deviceID: "d-1", extra: "pinned_version: 1.1.0")
        try device.pins.pin(Self.v1_2)
        #expect(try await device.update() == .updated(from: Self.v1_0, to: Self.v1_1))
        #expect(try await device.update() == .upToDate(Self.v1_1))
    }

    @Test("an unreadable machine-id falls back to an id generated once and kept in state_dir, with a warning; rollouts use it")
    func machineIDFallback() async throws {
        let fleet = try FleetFixture()
        try fleet.publish("1.1.0", percent: 50)
        let device = try fleet.device("device", deviceID: nil)
        let missing = fleet.work.url("no-machine-id")
        let logs = LogLines()
        let updater = try device.updater(machineIDPath: missing, logs: logs)
        let offered = try await updater.check().availableRelease != nil
        await updater.shutdown()
        let kept = try String(contentsOfFile: device.configuration.installation.stateDirectory + "/device-id", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(kept.count == 32 && kept.allSatisfy(\.isHexDigit))
        #expect(offered == RolloutBucket(deviceID: kept, rolloutID: "1.1.0").isInside(percent: 50), "the rollout decides with the kept id")
        #expect(logs.all.contains { $0.contains("cannot read the machine id: using the device id kept in state_dir") }, "\(logs.all)")

        let identity = DeviceIdentity(configuration: device.configuration, machineIDPath: missing)
        #expect(try identity.resolve(logger: TUFDevice.logger(nil)) == kept, "generated once, then read back")
        try fleet.work.write("machine-id", "uninitialized\n")
        #expect(try DeviceIdentity(configuration: device.configuration, machineIDPath: fleet.work.url("machine-id")).resolve(logger: TUFDevice.logger(nil)) == kept,
                "systemd's placeholder is no id")
        try fleet.work.write("machine-id", "0f3c9a1d2b4e4f7a8c6d5e4f3a2b1c0d\n")
        let fromMachine = DeviceIdentity(configuration: device.configuration, machineIDPath: fleet.work.url("machine-id"))
        #expect(try fromMachine.resolve(logger: TUFDevice.logger(nil)) == "0f3c9a1d2b4e4f7a8c6d5e4f3a2b1c0d")
        let configured = DeviceIdentity(configured: "pi-0001", machineIDPath: fleet.work.url("machine-id"), directory: fromMachine.directory)
        #expect(try configured.resolve(logger: TUFDevice.logger(nil)) == "pi-0001")
    }
}
