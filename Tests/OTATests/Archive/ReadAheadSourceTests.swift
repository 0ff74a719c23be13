import Foundation
import Synchronization
import Testing
@testable import OTA
@testable import OTATestSupport

@Suite("Archive: reading ahead on a thread", .timeLimit(.minutes(10)))
struct ReadAheadSourceTests {
    /// An upstream of known bytes, handed out in uneven pieces, that can fail after a number of
    /// bytes and counts how far it has been read (from the read-ahead thread).
    final class ScriptedSource: ByteSource, @unchecked Sendable {
        let bytes: [UInt8]
        let failAfter: Int?
        let delivered = Atomic<Int>(0)
        let reads = Atomic<Int>(0)
        private var position = 0
        private var piece = 1

        init(_ bytes: [UInt8], failAfter: Int? = nil) {
            self.bytes = bytes
            self.failAfter = failAfter
        }

        func read(into buffer: UnsafeMutableRawBufferPointer) throws(ArchiveError) -> Int {
            reads.add(1, ordering: .relaxed)
            let end = min(bytes.count, failAfter ?? bytes.count)
            if position == end, failAfter != nil { throw ArchiveError(.corruptCompression, "scripted failure at \(position)") }
            piece = piece % 9_973 + 4_099   // 1 to ~14 KB, varying
            let n = min(buffer.count, end - position, piece)
            bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + position, byteCount: n) }
            position += n
            delivered.store(position, ordering: .sequentiallyConsistent)
            return n
        }
    }

    static let bytes: [UInt8] = (0..<1_000_003).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }

    /// Reads `source` to its end or error in pieces of `size`.
    static func drain(_ source: ByteSource, pieceSize size: Int) -> (bytes: [UInt8], error: ArchiveError?) {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: size)
        do {
            while true {
                let n = try buffer.withUnsafeMutableBytes { (raw) throws(ArchiveError) in try source.read(into: raw) }
                if n == 0 { return (out, nil) }
                out += buffer[..<n]
            }
        } catch {
            return (out, error as? ArchiveError)
        }
    }

    @Test("hands over exactly the upstream's bytes, whatever the reader's and the slots' sizes",
          arguments: [(1, 1), (7, 4_096), (65_536, 1 << 20), (131_072, 256 * 1024), (1_000_000, 1)] as [(Int, Int)])
    func sameBytes(pieceSize: Int, chunkSize: Int) {
        // Byte-sized pieces or slots hand over one byte per lock: a shorter stream suffices.
        let input = pieceSize == 1 || chunkSize == 1 ? Array(Self.bytes.prefix(30_011)) : Self.bytes
        let source = ReadAheadSource(ScriptedSource(input), slots: 3, chunkSize: chunkSize)
        let result = Self.drain(source, pieceSize: pieceSize)
        #expect(result.error == nil)
        #expect(result.bytes == input)
        // The end stays the end.
        #expect(Self.drain(source, pieceSize: 10).bytes.isEmpty)
    }

    @Test("an upstream error comes after every byte read before it, and again on the next read")
    func errorAfterData() {
        let source = ReadAheadSource(ScriptedSource(Self.bytes, failAfter: 654_321), slots: 4, chunkSize: 65_536)
        let result = Self.drain(source, pieceSize: 10_000)
        #expect(result.bytes == Array(Self.bytes.prefix(654_321)))
        #expect(result.error?.code == .corruptCompression)
        #expect(result.error?.message.contains("scripted failure at 654321") == true)
        #expect(Self.drain(source, pieceSize: 10).error?.code == .corruptCompression)
    }

    @Test("an immediate upstream error reaches the reader")
    func immediateError() {
        let source = ReadAheadSource(ScriptedSource(Self.bytes, failAfter: 0), slots: 2, chunkSize: 1_024)
        let result = Self.drain(source, pieceSize: 100)
        #expect(result.bytes.isEmpty)
        #expect(result.error?.code == .corruptCompression)
    }

    @Test("reads at most its slots ahead of the reader: memory does not grow with the stream")
    func boundedReadAhead() throws {
        let upstream = ScriptedSource(Self.bytes)
        let source = ReadAheadSource(upstream, slots: 3, chunkSize: 10_000)
        var buffer = [UInt8](repeating: 0, count: 5_000)
        _ = try buffer.withUnsafeMutableBytes { (raw) throws(ArchiveError) in try source.read(into: raw) }
        // Once the thread has filled its slots, give it a chance to run ahead, then check it stopped at the
        // slots (a slow machine can only hide a fault here, never fail a correct source).
        while upstream.delivered.load(ordering: .sequentiallyConsistent) < 30_000 { usleep(1_000) }
        usleep(50_000)
        #expect(upstream.delivered.load(ordering: .sequentiallyConsistent) == 30_000)
    }

    @Test("a reader that gives up early stops the thread; the upstream is not read afterwards")
    func readerGivesUp() throws {
        let upstream = ScriptedSource(Self.bytes)
        weak var released: ReadAheadSource?
        do {
            let source = ReadAheadSource(upstream, slots: 2, chunkSize: 4_096)
            released = source
            var buffer = [UInt8](repeating: 0, count: 100)
            _ = try buffer.withUnsafeMutableBytes { (raw) throws(ArchiveError) in try source.read(into: raw) }
        }   // released here: cancelled and joined
        #expect(released == nil)
        let readsAfterRelease = upstream.reads.load(ordering: .sequentiallyConsistent)
        usleep(50_000)
        #expect(upstream.reads.load(ordering: .sequentiallyConsistent) == readsAfterRelease)
        #expect(upstream.delivered.load(ordering: .sequentiallyConsistent) < Self.bytes.count)
    }

    @Test("a .tar.gz extracts to the same tree through the thread, and a bomb still stops early")
    func extractionThroughTheThread() throws {
        let fixture = try ExtractionFixture()
        let payload = TarBuilder.archive { tar in
            for index in 0..<200 { tar.file("dir\(index % 7)/file\(index)", String(repeating: "\(index) ", count: index * 50)) }
        }
        let path = try fixture.write(Gzip.compress(payload), name: "many.tar.gz")
        let result = try Extractor().extract(archiveAt: path, into: fixture.staging)
        #expect(result.entryCount == 200)
        #expect(try String(contentsOfFile: fixture.staging + "/dir3/file199", encoding: .utf8) == String(repeating: "199 ", count: 9_950))

        let bomb = TarBuilder.archive { $0.add(TarBuilder.Header(name: "zeros", size: 50_000_000), data: [UInt8](repeating: 0, count: 50_000_000)) }
        let bombPath = try fixture.write(Gzip.compress(bomb), name: "bomb.tar.gz")
        let error = try #require(throws: ArchiveError.self) {
            _ = try Extractor().extract(archiveAt: bombPath, into: fixture.dir.url("s/bomb"))
        }
        #expect(error.code == .expansionRatio)
        #expect(!FileManager.default.fileExists(atPath: fixture.dir.url("s/bomb")))
    }
}
