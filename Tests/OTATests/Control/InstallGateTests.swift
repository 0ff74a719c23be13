#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import Testing
@testable import OTA
@testable import OTATestSupport

@Suite("Install gate")
struct InstallGateTests {
    static let version = SemanticVersion(2, 0, 0)
    static let saturdayNoon = wallClock(6, 12)

    func gate(_ temp: TemporaryDirectory, windows: [String] = [], policy: InstallGate.Policy) throws -> InstallGate {
        let directory = StateDirectory(path: temp.url("state"))
        try directory.prepare()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return InstallGate(directory: directory, schedule: try MaintenanceSchedule(parsing: windows), policy: policy, logger: logger)
    }

    @Test("nothing holds: admitted at once; ota update refuses a held install naming the reason and the remedies")
    func refuse() async throws {
        let temp = try TemporaryDirectory()
        let clock = ManualClock(Self.saturdayNoon)
        let gate = try gate(temp, policy: clock.policy(waiting: false))
        try await gate.admit(Self.version, force: false)
        let inhibit = try InhibitStore(directory: gate.directory).add(reason: "kiosk demo", seconds: 7200, now: clock.now)
        let error = try await #require(throws: InstallHeldError.self) { try await gate.admit(Self.version, force: false) }
        #expect(error.holds == [.inhibited([inhibit])])
        #expect(error.message == "2.0.0 was downloaded but not installed: inhibited by 'kiosk demo' (id \(inhibit.id), until 2024-01-06T14:00:00Z); release it with 'ota inhibit --release \(inhibit.id)', or run 'ota update --force' to install now")
        // --force installs regardless.
        try await gate.admit(Self.version, force: true)
        #expect(clock.waits.isEmpty)
    }

    @Test("outside maintenance_window: refused with the next opening; the wait sleeps until the window opens")
    func window() async throws {
        let temp = try TemporaryDirectory()
        let zone = LocalTimeZone.fixed(secondsEastOfUTC: 7200)
        let start = wallClock(6, 12, zone: 7200)   // Saturday 12:00 on the device
        let refusing = ManualClock(start)
        let refused = try await #require(throws: InstallHeldError.self) {
            try await gate(temp, windows: ["Mon-Fri 02:00-04:00"], policy: refusing.policy(waiting: false, zone: zone)).admit(Self.version, force: false)
        }
        #expect(refused.holds == [.outsideMaintenanceWindow(nextOpening: wallClock(8, 0))])
        #expect(refused.message.contains("outside maintenance_window (the next window opens at 2024-01-08T00:00:00Z)"))
        #expect(refused.message.contains("wait for the window"))

        let clock = ManualClock(start)
        try await gate(temp, windows: ["Mon-Fri 02:00-04:00"], policy: clock.policy(zone: zone, recheck: .seconds(86_400))).admit(Self.version, force: false)
        // 38 hours: a day of rechecking, then exactly up to Monday 02:00 local.
        #expect(clock.waits == [.seconds(86_400), .seconds(14 * 3600)])
        #expect(clock.now == wallClock(8, 2, zone: 7200))
        #expect(clock.reports == ["waiting to install 2.0.0: outside maintenance_window (the next window opens at 2024-01-08T00:00:00Z)", "installing 2.0.0"])
    }

    @Test("the wait ends exactly when an inhibit expires (injected clock)")
    func inhibitExpires() async throws {
        let temp = try TemporaryDirectory()
        let clock = ManualClock(Self.saturdayNoon)
        let gate = try gate(temp, policy: clock.policy(recheck: .seconds(60)))
        let inhibit = try InhibitStore(directory: gate.directory).add(reason: "demo", seconds: 90, now: clock.now)
        try await gate.admit(Self.version, force: false)
        #expect(clock.waits == [.seconds(60), .seconds(30)])
        #expect(clock.now == inhibit.until)
        #expect(clock.reports == ["waiting to install 2.0.0: inhibited by 'demo' (id \(inhibit.id), until 2024-01-06T12:01:30Z)", "installing 2.0.0"])
    }

    @Test("the wait ends at the next look after the application releases its lock, or after ota inhibit --release")
    func releasedLockAndInhibit() async throws {
        let temp = try TemporaryDirectory()
        let clock = ManualClock(Self.saturdayNoon)
        let gate = try gate(temp, policy: clock.policy(recheck: .seconds(5)))
        let store = InhibitStore(directory: gate.directory)
        let inhibit = try store.add(reason: nil, seconds: nil, now: clock.now)
        let fd = open(gate.directory.inhibitLockPath, O_RDONLY | O_CREAT | O_CLOEXEC, 0o600)
        #expect(flock(fd, LOCK_SH) == 0)
        clock.onWait = { count in
            // The application is done. Unlocked before closing: a child another test spawns at this moment may
            // hold a copy of the descriptor until it execs, which would keep the lock after a close alone.
            if count == 2 { flock(fd, LOCK_UN); close(fd) }
            if count == 3 { _ = try? store.release(id: inhibit.id, now: Date()) }  // the operator releases
        }
        try await gate.admit(Self.version, force: false)
        #expect(clock.waits == [.seconds(5), .seconds(5), .seconds(5)])
        #expect(clock.reports.count == 3)
        #expect(clock.reports[0].hasPrefix("waiting to install 2.0.0: inhibited by an inhibit without a reason (id \(inhibit.id), until released); an application holds \(gate.directory.inhibitLockPath) (process \(getpid())"))
        #expect(clock.reports[1] == "waiting to install 2.0.0: inhibited by an inhibit without a reason (id \(inhibit.id), until released)")
        #expect(clock.reports[2] == "installing 2.0.0")
    }

    @Test("a cancelled wait ends the admission with CancellationError")
    func cancelled() async throws {
        let temp = try TemporaryDirectory()
        let gate = try gate(temp, policy: InstallGate.Policy(waits: true, sleep: { _ in throw CancellationError() }))
        try InhibitStore(directory: gate.directory).add(reason: "x", seconds: nil)
        await #expect(throws: CancellationError.self) { try await gate.admit(Self.version, force: false) }
    }
}
