import Foundation
import Testing
@testable import OTA
@testable import OTATestSupport

@Suite("Status API: events", .timeLimit(.minutes(10)))
struct StatusEventsTests {
    /// The JSON lines of a chunked `GET /v1/events` response read so far.
    static func events(in bytes: [UInt8]) throws -> [UpdateEvent] {
        guard let headEnd = bytes.indices.dropLast(3).first(where: { bytes[$0..<$0 + 4].elementsEqual([13, 10, 13, 10]) }) else { return [] }
        var body: [UInt8] = []
        var index = headEnd + 4
        while let lineEnd = bytes[index...].indices.dropLast().first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 }),
              let size = Int(String(decoding: bytes[index..<lineEnd], as: UTF8.self), radix: 16), size > 0,
              lineEnd + 2 + size <= bytes.count {
            body += bytes[(lineEnd + 2)..<(lineEnd + 2 + size)]
            index = lineEnd + 2 + size + 2
            if index >= bytes.count { break }
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .utcISO8601
        return try body.split(separator: UInt8(ascii: "\n")).map { try decoder.decode(UpdateEvent.self, from: Data($0)) }
    }

    @Test("GET /v1/events: the states in order, and the download's progress at most once and at least once in each second it advanced")
    func eventsDuringAnUpdate() async throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let clock = LockedBox(start)
        let fixture = try StatusAPIFixture(now: { clock.value })
        let archive = try fixture.base.server.publish("v1.1.0", files: UpdateFixture.newFiles)
        // The release is sent in 8 pieces, each once the updater has written the one before; the clock
        // moves 0.4 s per piece: pieces 0-2 fall in second 0, 3-4 in second 1, 5-7 in second 2.
        let pieces = 8
        let ends = (1...pieces).map { archive.count * $0 / pieces }
        let released = (0..<pieces).map { _ in DispatchSemaphore(value: 0) }
        let next = LockedBox(1)
        fixture.base.server.writeAssets { data, connection in
            for piece in 0..<pieces {
                guard released[piece].wait(timeout: .now() + 60) == .success else { return }
                connection.write(Array(data[(piece == 0 ? 0 : ends[piece - 1])..<ends[piece]]))
            }
        }
        let progress: @Sendable (Downloader.Progress) -> Void = { advanced in
            let piece = next.value
            guard piece < pieces, advanced.received >= Int64(ends[piece - 1]) else { return }
            next.value = piece + 1
            clock.value = start.addingTimeInterval(0.4 * Double(piece))
            released[piece].signal()
        }
        let server = try await fixture.bind()
        let received = try await fixture.serving(server) {
            let client = try RawTCPConnection(unixSocket: fixture.socket)
            #expect(client.send("GET /v1/events HTTP/1.1\r\nHost: x\r\n\r\n"))
            let first = await client.read(timeout: StatusAPIFixture.hangGuard) { (try? Self.events(in: $0).isEmpty) == false }
            #expect(first.text.hasPrefix("HTTP/1.1 200 OK") && first.text.contains("application/x-ndjson"))
            released[0].signal()
            let outcome = try await fixture.updater.update(progress: progress)
            #expect(outcome == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))
            let rest = await client.read(timeout: StatusAPIFixture.hangGuard) { bytes in
                ((try? Self.events(in: first.bytes + bytes)) ?? []).dropFirst().contains { $0.state == .idle }
            }
            client.close()
            return first.bytes + rest.bytes
        }
        await fixture.updater.shutdown()
        let events = try Self.events(in: received)
        let states = events.map(\.state).reduce(into: [AgentState]()) { if $0.last != $1 { $0.append($1) } }
        #expect(states == [.idle, .checking, .downloading, .verifying, .installing, .idle], "\(events.map(\.state))")
        let downloading = events.filter { $0.state == .downloading }
        #expect(downloading.allSatisfy { $0.version == "1.1.0" })
        let progressEvents = downloading.compactMap { event in event.progress.map { (second: Int(event.time.timeIntervalSince(start)), $0) } }
        #expect(progressEvents.map(\.1.bytes) == progressEvents.map(\.1.bytes).sorted(), "bytes only grow")
        #expect(progressEvents.allSatisfy { $0.1.total == Int64(archive.count) })
        #expect(progressEvents.last?.1.bytes == Int64(archive.count), "the completed download is an event")
        // Bytes arrived in seconds 0, 1 and 2: each has an event, and none more than one (besides the completion).
        let seconds = progressEvents.dropLast().map(\.second)
        #expect(Set(progressEvents.map(\.second)) == [0, 1, 2], "\(progressEvents)")
        #expect(seconds.count == Set(seconds).count, "\(progressEvents)")
    }
}
