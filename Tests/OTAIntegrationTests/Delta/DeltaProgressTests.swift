import Foundation
import Logging
import Synchronization
import Testing
@testable import OTA
import OTATestSupport

/// A delta fetch reports its progress like a full download: on the status API's events and to the CLI.
@Suite("Delta updates: progress", .timeLimit(.minutes(10)))
struct DeltaProgressTests {
    @Test("the events of a delta update carry its progress, in order, up to the bytes of the contents it fetches")
    func eventsInOrder() async throws {
        let fixture = try DeltaFixture()
        try await fixture.provision()
        try fixture.publish("1.1.0", DeltaFixture.newTree)
        let activity = UpdateActivity()
        let events = activity.events(keepingAtMost: 10_000)
        let reported = Mutex<[Downloader.Progress]>([])
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let updater = try OTAUpdater(configuration: fixture.configuration, logger: logger, activity: activity)
        let outcome = try await updater.update { progress in reported.withLock { $0.append(progress) } }
        await updater.shutdown()
        #expect(outcome == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))
        #expect(fixture.log.contains("fetched 1.1.0 by delta"))

        var seen: [UpdateEvent] = []
        for await event in events {
            seen.append(event)
            if event.state == .idle && seen.count > 1 { break }
        }
        let total = Int64(DeltaFixture.changedContents.reduce(0) { $0 + $1.utf8.count })
        let progress = seen.compactMap(\.progress)
        #expect(!progress.isEmpty, "\(seen)")
        #expect(progress.allSatisfy { $0.total == total }, "the total is the contents to fetch: \(progress)")
        #expect(zip(progress, progress.dropFirst()).allSatisfy { $0.bytes <= $1.bytes }, "in order: \(progress)")
        #expect(progress.last?.bytes == total)
        let firstProgress = try #require(seen.firstIndex { $0.progress != nil })
        let installing = try #require(seen.firstIndex { $0.state == .installing })
        #expect(seen[..<firstProgress].contains { $0.state == .downloading }, "the fetch is announced first")
        #expect(seen.indices.filter { seen[$0].progress != nil }.allSatisfy { seen[$0].state == .downloading && $0 < installing })

        let cli = reported.withLock { $0 }
        #expect(cli.last?.received == total && cli.last?.total == total, "the CLI's progress bar is told too")
        #expect(zip(cli, cli.dropFirst()).allSatisfy { $0.received <= $1.received })
    }
}
