import Foundation
import Prometheus
import Testing
@testable import OTA
@testable import OTATestSupport

@Suite("Update activity")
struct UpdateActivityTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("a download's progress: an event for the first progress of each second of the clock and for the completed download; current always up to date")
    func progressEvents() async {
        let clock = LockedBox(Self.start)
        let activity = UpdateActivity(now: { clock.value })
        var events = activity.events().makeAsyncIterator()
        #expect(await events.next()?.state == .idle)
        activity.enter(.downloading, version: SemanticVersion(1, 2, 0))
        for step in 0..<8 {
            clock.value = Self.start.addingTimeInterval(0.4 * Double(step))
            activity.progress(Downloader.Progress(received: Int64(step + 1) * 100, total: 800))
            #expect(activity.current.progress == UpdateEvent.Progress(bytes: Int64(step + 1) * 100, total: 800))
        }
        activity.enter(.verifying, version: SemanticVersion(1, 2, 0))
        var seen: [UpdateEvent] = []
        while let event = await events.next() {
            seen.append(event)
            if event.state == .verifying { break }
        }
        // Steps at 0, 0.4, 0.8 | 1.2, 1.6 | 2.0, 2.4, 2.8 s: the first of each second, then the completion.
        #expect(seen.map { $0.progress?.bytes } == [nil, 100, 400, 600, 800, nil])
        #expect(seen.map(\.state) == [.downloading, .downloading, .downloading, .downloading, .downloading, .verifying])
        #expect(seen.allSatisfy { $0.version == "1.2.0" })
        #expect(seen[3].time == Self.start.addingTimeInterval(2.0))
    }

    @Test("ota_download_bytes_total counts the bytes that arrived, also when an attempt starts over")
    func downloadedBytes() {
        let metrics = AgentMetrics()
        let activity = UpdateActivity(metrics: metrics.factory)
        activity.enter(.downloading)
        for received in [100, 300, 50, 250] as [Int64] {
            activity.progress(Downloader.Progress(received: received, total: nil))
        }
        let text = metrics.registry.emitToString()
        #expect(text.contains("ota_download_bytes_total{method=\"full\"} 550\n"), "\(text)")
        activity.attemptFinished(.failed)
        activity.rolledBack(.interrupted)
        let after = metrics.registry.emitToString()
        #expect(after.contains("ota_update_attempts_total{result=\"failed\"} 1\n") && after.contains("ota_update_attempts_total{result=\"succeeded\"} 0\n"))
        #expect(after.contains("ota_rollbacks_total{reason=\"interrupted\"} 1\n"))
    }

    actor Operations {
        let activity: UpdateActivity
        init(_ activity: UpdateActivity) { self.activity = activity }

        func run(failing: Bool) async throws {
            try await activity.during {
                activity.enter(.checking)
                await activity.during { activity.enter(.downloading) }
                #expect(activity.current.state == .downloading, "an inner operation's end is not idle")
                if failing { throw VersionError(.invalidVersion, "no such version") }
            }
        }
    }

    @Test("operations: idle when the outermost one ends, with the error's message when it failed; lastSuccess only on success")
    func operations() async throws {
        let clock = LockedBox(Self.start)
        let activity = UpdateActivity(now: { clock.value })
        let operations = Operations(activity)
        await #expect(throws: VersionError.self) { try await operations.run(failing: true) }
        #expect(activity.current.state == .idle && activity.current.message == "no such version")
        #expect(activity.lastSuccess == nil)
        clock.value = Self.start.addingTimeInterval(60)
        try await operations.run(failing: false)
        #expect(activity.current.state == .idle && activity.current.message == nil)
        #expect(activity.lastSuccess == Self.start.addingTimeInterval(60))
    }

    @Test("a subscriber that does not read loses its oldest events, never the publisher's time")
    func slowSubscriber() async {
        let activity = UpdateActivity()
        let stream = activity.events(keepingAtMost: 4)
        for index in 0..<10_000 { activity.enter(.checking, message: "m\(index)") }
        var events = stream.makeAsyncIterator()
        var messages: [String?] = []
        for _ in 0..<4 { messages.append(await events.next()?.message) }
        #expect(messages == ["m9996", "m9997", "m9998", "m9999"])
        activity.enter(.idle, message: "later")
        #expect(await events.next()?.message == "later")
    }
}
