import Foundation
import Logging
import ServiceLifecycle
import Testing
@testable import OTA
@testable import OTATestSupport

@Suite("Updates held back by inhibits and windows", .timeLimit(.minutes(10)))
struct HeldUpdateTests {
    @Test("ota update downloads, then refuses to install while inhibited (last_update untouched); --force installs")
    func refusedThenForced() async throws {
        let fixture = try UpdateFixture()
        try fixture.server.publish("v1.1.0", files: UpdateFixture.newFiles)
        let inhibit = try InhibitStore(directory: StateDirectory(installation: fixture.configuration.installation)).add(reason: "kiosk demo", seconds: nil)
        let updater = try fixture.updater()
        let error = try await #require(throws: InstallHeldError.self) { try await updater.update() }
        #expect(error.message.hasPrefix("1.1.0 was downloaded but not installed: inhibited by 'kiosk demo' (id \(inhibit.id)"))
        #expect(fixture.server.downloads.count == 1)
        #expect(try fixture.tree() == UpdateFixture.oldFiles)
        #expect(try fixture.state()["last_update"].map { $0 is NSNull } ?? true)
        let outcome = try await updater.update(force: true)
        await updater.shutdown()
        #expect(outcome == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))
        #expect(try fixture.tree()["VERSION"] == "1.1.0\n")
    }

    @Test("ota update outside maintenance_window installs nothing and names the next window")
    func refusedOutsideWindow() async throws {
        var fixture = try UpdateFixture()
        // A window that is closed now: it opens and closes within the minute two hours from now (UTC here).
        let opening = Date().addingTimeInterval(7200)
        let minute = Int(opening.timeIntervalSince1970) / 60 % 1440
        fixture.configuration.schedule.maintenance = try MaintenanceSchedule(parsing: [String(format: "%02d:%02d-%02d:%02d", minute / 60, minute % 60, (minute + 1) % 1440 / 60, (minute + 1) % 60)])
        try fixture.server.publish("v1.1.0", files: UpdateFixture.newFiles)
        let updater = try fixture.updater()
        let error = try await #require(throws: InstallHeldError.self) {
            try await updater.update(whenHeld: InstallGate.Policy(waits: false, zone: .utc))
        }
        await updater.shutdown()
        #expect(error.message.contains("outside maintenance_window (the next window opens at "))
        #expect(try fixture.tree() == UpdateFixture.oldFiles)
    }

    @Test("the agent's update waits after the download, then installs once the inhibit is released")
    func agentWaitsThenInstalls() async throws {
        let fixture = try UpdateFixture()
        try fixture.server.publish("v1.1.0", files: UpdateFixture.newFiles)
        let store = InhibitStore(directory: StateDirectory(installation: fixture.configuration.installation))
        let inhibit = try store.add(reason: "calibrating", seconds: nil)
        let clock = ManualClock(Date())
        let seenWhileWaiting = LockedBox<(downloads: Int, version: String)?>(nil)
        clock.onWait = { [server = fixture.server] _ in
            seenWhileWaiting.value = (server.downloads.count, (try? fixture.tree()["VERSION"]) ?? "?")
            _ = try? store.release(id: inhibit.id)
        }
        let updater = try fixture.updater()
        let outcome = try await updater.update(whenHeld: clock.policy(recheck: .seconds(5)))
        await updater.shutdown()
        #expect(outcome == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))
        #expect(clock.waits == [.seconds(5)])
        #expect(seenWhileWaiting.value?.downloads == 1 && seenWhileWaiting.value?.version == "1.0.0\n")
        #expect(clock.reports == ["waiting to install 1.1.0: inhibited by 'calibrating' (id \(inhibit.id), until released)", "installing 1.1.0"])
        #expect(try fixture.tree()["VERSION"] == "1.1.0\n")
    }

    @Test("while the agent's install waits at an inhibit, ota update --force from a shell installs; the agent then installs nothing")
    func forcedUpdateWhileTheAgentWaits() async throws {
        let fixture = try UpdateFixture()
        try fixture.server.publish("v1.1.0", files: UpdateFixture.newFiles)
        let store = InhibitStore(directory: StateDirectory(installation: fixture.configuration.installation))
        let inhibit = try store.add(reason: "calibrating", seconds: nil)
        let forced = LockedBox<Result<UpdateOutcome, any Error>?>(nil)
        let shell = try fixture.updater()
        // The agent's wait: the shell runs `ota update --force` meanwhile, then the inhibit is released.
        let policy = InstallGate.Policy(waits: true, zone: .utc, sleep: { _ in
            if forced.value == nil {
                do { forced.value = .success(try await shell.update(force: true)) } catch { forced.value = .failure(error) }
            }
            _ = try? store.release(id: inhibit.id)
        })
        let agent = try fixture.updater()
        let outcome = try await agent.update(whenHeld: policy)
        await agent.shutdown()
        await shell.shutdown()
        #expect(try forced.value?.get() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))
        #expect(outcome == .upToDate(SemanticVersion(1, 1, 0)))
        #expect(try fixture.tree()["VERSION"] == "1.1.0\n")
        let lastUpdate = try #require(try fixture.state()["last_update"] as? [String: Any])
        #expect(lastUpdate["from_version"] as? String == "1.0.0" && lastUpdate["result"] as? String == "succeeded")
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.configuration.installation.stateDirectory + "/downloads").isEmpty)
    }

    @Test("an install that waited takes the lock back and installs from the version another update put in meanwhile")
    func installsFromTheVersionInstalledMeanwhile() async throws {
        let fixture = try UpdateFixture()
        try fixture.server.publish("v1.1.0", files: UpdateFixture.newFiles)
        try fixture.server.publish("v1.2.0", files: UpdateFixture.newFiles.merging(["src/app.sh+x": "echo 1.2.0\n"]) { $1 })
        let store = InhibitStore(directory: StateDirectory(installation: fixture.configuration.installation))
        let inhibit = try store.add(reason: "calibrating", seconds: nil)
        let shell = try fixture.updater()
        let policy = InstallGate.Policy(waits: true, zone: .utc, sleep: { _ in
            _ = try? await shell.update(to: SemanticVersion(1, 1, 0), force: true)
            _ = try? store.release(id: inhibit.id)
        })
        let agent = try fixture.updater()
        let outcome = try await agent.update(whenHeld: policy)
        await agent.shutdown()
        await shell.shutdown()
        #expect(outcome == .updated(from: SemanticVersion(1, 1, 0), to: SemanticVersion(1, 2, 0)))
        #expect(try fixture.tree()["src/app.sh"] == "echo 1.2.0\n")
        let lastUpdate = try #require(try fixture.state()["last_update"] as? [String: Any])
        #expect(lastUpdate["from_version"] as? String == "1.1.0" && lastUpdate["to_version"] as? String == "1.2.0")
    }

    @Test("the agent tells systemd: READY=1, checking, waiting to install and why, installing, idle until the next check")
    func agentStatusLines() async throws {
        let fixture = try UpdateFixture()
        try fixture.server.publish("v1.1.0", files: UpdateFixture.newFiles)
        let store = InhibitStore(directory: StateDirectory(installation: fixture.configuration.installation))
        let inhibit = try store.add(reason: "calibrating", seconds: nil)
        let clock = ManualClock(Date())
        clock.onWait = { _ in _ = try? store.release(id: inhibit.id) }
        let listener = try NotifyListener(in: fixture.directory)
        let updater = try fixture.updater()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let trigger = GracefulTrigger()
        let checks = ServiceClock(limit: 2) { trigger.fire() }
        let service = UpdateService(updater: updater, autoUpdate: true, logger: logger, sleep: checks.sleep,
                                    notifier: SystemdNotifier(socketPath: listener.address), watchdogInterval: .seconds(3600),
                                    installPolicy: clock.policy(recheck: .seconds(5)))
        let group = ServiceGroup(services: [service], logger: logger)
        trigger.group = group
        try await group.run()
        await updater.shutdown()
        let messages = listener.finish().filter { !$0.hasPrefix("STATUS=downloading") }
        #expect(messages.first?.hasPrefix("READY=1\nSTATUS=started; first check at ") == true, "\(messages)")
        #expect(messages.contains("WATCHDOG=1"))
        let statuses = messages.filter { $0 != "WATCHDOG=1" }.dropFirst().map { $0.replacingOccurrences(of: "STATUS=", with: "") }
        #expect(Array(statuses.prefix(3)) == ["checking for updates", "waiting to install 1.1.0: inhibited by 'calibrating' (id \(inhibit.id), until released)", "installing 1.1.0"], "\(statuses)")
        #expect(statuses.dropFirst(3).first?.hasPrefix("idle until ") == true && statuses.dropFirst(3).first?.hasSuffix(" (updated to 1.1.0)") == true, "\(statuses)")
        #expect(messages.last == "STOPPING=1\nSTATUS=stopping")
        #expect(try fixture.tree()["VERSION"] == "1.1.0\n")
    }
}
