import Foundation
import Logging
import ServiceLifecycle
import Testing
@testable import OTA
@testable import OTATestSupport

@Suite("Background checker shutdown during an update", .serialized, .timeLimit(.minutes(10)))
struct UpdateServiceShutdownTests {
    func logger() -> Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    /// Runs one automatic update cycle in a service group that `trigger` can shut down; returns when it has stopped.
    func runOnce(_ updater: OTAUpdater, trigger: GracefulTrigger = GracefulTrigger(), shutdownWhen started: AsyncSignal? = nil) async throws {
        let service = UpdateService(updater: updater, autoUpdate: true, logger: logger(), sleep: { _ in }, maxCycles: 1)
        let group = ServiceGroup(services: [service], logger: logger())
        trigger.group = group
        async let running: Void = group.run()
        if let started {
            await started.wait()
            await group.triggerGracefulShutdown()
        }
        try await running
    }

    @Test("a shutdown during a download stops it at once and changes nothing")
    func stopDuringDownload() async throws {
        var fixture = try UpdateFixture()
        try fixture.server.publish("v1.1.0", files: UpdateFixture.newFiles)
        // A storage host that sends a little and then stalls until the test ends: with a download time-out
        // longer than the test's time limit, only the shutdown can end this download (and the service run).
        let sending = AsyncSignal()
        let testEnded = DispatchSemaphore(value: 0)
        defer { testEnded.signal() }
        let slow = try FakeHTTPServer { _, connection in
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\nConnection: close\r\n\r\n")
            connection.write([UInt8](repeating: 1, count: 1000))
            sending.fire()
            testEnded.wait()
            testEnded.signal()
        }
        fixture.configuration.transfer.downloadTimeout = .seconds(3600)
        let source = ScriptedSource([.success([Release(tag: "v1.1.0", version: SemanticVersion(1, 1, 0), assets: [
            ReleaseAsset(id: 1, name: "app-1.1.0.tar.gz", size: 1_000_000, apiURL: slow.baseURL + "/asset"),
        ])])], assets: ReleaseAssets(source: fixture.configuration.source, installDirectory: fixture.configuration.installation.installDirectory) { asset in
            throw TransferError(.notFound, "\(asset.name) is not published")
        })
        let updater = try OTAUpdater(configuration: fixture.configuration, source: source, logger: logger())
        try await runOnce(updater, shutdownWhen: sending)
        #expect(try fixture.tree() == UpdateFixture.oldFiles)
        let lastUpdate = await updater.status().lastUpdate
        #expect(lastUpdate?.result == .failed)
        #expect(lastUpdate?.error?.contains("stopped before the swap") == true, "\(String(describing: lastUpdate?.error))")
        await updater.shutdown()
    }

    @Test("a shutdown that arrives once the release is extracted stops before the swap and changes nothing")
    func stopBeforeSwap() async throws {
        let fixture = try UpdateFixture()
        try fixture.server.publish("v1.1.0", files: UpdateFixture.newFiles)
        let updater = try fixture.updater()
        // Once the release is staged, ask for a shutdown and hold the update there until it is cancelled.
        let trigger = GracefulTrigger()
        await updater.setCheckpoint { point in
            guard point == .staged else { return }
            trigger.fire()
            await untilCancelled()
        }
        try await runOnce(updater, trigger: trigger)
        #expect(try fixture.tree() == UpdateFixture.oldFiles)
        #expect(try Journal(stateDirectory: fixture.configuration.installation.stateDirectory).load() == nil)
        let status = await updater.status()
        #expect(status.lastUpdate?.result == .failed)
        #expect(status.lastUpdate?.error?.contains("nothing was changed") == true, "\(String(describing: status.lastUpdate?.error))")
        await updater.shutdown()
    }

    @Test("a shutdown that arrives once the swap is done lets the health check run and the update commit")
    func stopDuringSwap() async throws {
        var fixture = try UpdateFixture()
        let marker = fixture.directory.url("health-checked")
        fixture.configuration.hooks.healthCheck = "touch \(marker)"
        try fixture.server.publish("v1.1.0", files: UpdateFixture.newFiles)
        let updater = try fixture.updater()
        // Right after the swap, ask for a shutdown and hold the update there until it is cancelled.
        let trigger = GracefulTrigger()
        await updater.setCheckpoint { point in
            guard point == .swapped else { return }
            trigger.fire()
            await untilCancelled()
        }
        try await runOnce(updater, trigger: trigger)
        #expect(FileManager.default.fileExists(atPath: marker), "the health check runs after the shutdown arrived")
        #expect(try fixture.tree()["VERSION"] == "1.1.0\n")
        #expect(try Journal(stateDirectory: fixture.configuration.installation.stateDirectory).load() == nil)
        let status = await updater.status()
        #expect(status.lastUpdate?.result == .succeeded)
        await updater.shutdown()
    }
}

extension OTAUpdater {
    func setCheckpoint(_ checkpoint: @escaping @Sendable (UpdateCheckpoint) async -> Void) {
        self.checkpoint = checkpoint
    }
}
