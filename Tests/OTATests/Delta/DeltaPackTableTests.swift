import Foundation
import Testing
@testable import OTA

/// The pack section of a GitHub release's index: the ranges a device requests come from it, so it is read
/// as strictly as the index.
@Suite("Delta pack: the signed pack table and the ranges fetched")
struct DeltaPackTableTests {
    static let a = String(repeating: "a", count: 64), b = String(repeating: "b", count: 64), c = String(repeating: "c", count: 64)

    static let index = DeltaIndex(entries: [
        .init(path: "a.bin", kind: .file(size: 100, sha256: a), mode: 0o644),
        .init(path: "b.bin", kind: .file(size: 5000, sha256: b), mode: 0o644),
        .init(path: "c.bin", kind: .file(size: 100, sha256: c), mode: 0o644),
        .init(path: "copy.bin", kind: .file(size: 100, sha256: a), mode: 0o644),
    ])

    static let table = DeltaPackTable(size: 2120, objects: [
        .init(sha256: a, offset: 0, length: 60), .init(sha256: b, offset: 60, length: 2000), .init(sha256: c, offset: 2060, length: 60),
    ])

    static func parse(_ text: String) throws(ArchiveError) -> (DeltaIndex, DeltaPackTable) {
        try DeltaPackedIndex.parse(compressed: Gzip.compress(Array(text.utf8)), policy: ExtractionPolicy())
    }

    @Test("index and pack table round-trip through the published form; the index part is the one `ota publish add` writes")
    func roundTrip() throws {
        let bytes = DeltaPackedIndex.encoded(index: Self.index, table: Self.table)
        let (index, table) = try DeltaPackedIndex.parse(compressed: bytes, policy: ExtractionPolicy())
        #expect(index == Self.index)
        #expect(table == Self.table)
        let text = String(decoding: try Gzip.decompress(bytes, limit: 1 << 20), as: UTF8.self)
        #expect(text.hasPrefix(Self.index.text()))
        #expect(text.hasSuffix("ota-pack 1\t2120\n60\n2000\n60\n"), "one length per distinct content, in the order of the first file holding it")
        #expect(DeltaPackTable.packOrder(of: Self.index).map(\.sha256) == [Self.a, Self.b, Self.c])
    }

    @Test("a pack table with a length missing or too many, a length of 0 or malformed, one beyond what its content compresses to, or another pack size is refused", arguments: [
        ("60\n2000", "lists 2 objects, but the index has 3"),
        ("60\n2000\n30\n30", "lists 4 objects, but the index has 3"),
        ("0\n2060\n60", "is not a length above 0"),
        ("60\n2000\n060", "is not a length above 0"),
        ("60\n-2000\n60", "is not a length above 0"),
        ("1500\n560\n60", "1500 compressed bytes for a content of 100 bytes"),
        ("60\n2000\n61", "end at 2121, but it gives the pack's size as 2120"),
    ])
    func refused(lines: String, why: String) {
        let text = Self.index.text() + "ota-pack 1\t2120\n" + lines + "\n"
        #expect {
            _ = try Self.parse(text)
        } throws: { error in
            (error as? ArchiveError)?.message.contains(why) == true
        }
    }

    @Test("an index without a pack section, or a pack section cut short, is refused")
    func missingSection() {
        #expect(throws: ArchiveError.self) { _ = try Self.parse(Self.index.text()) }
        let cut = Self.index.text() + Self.table.text().dropLast(5)
        #expect(throws: ArchiveError.self) { _ = try Self.parse(String(cut)) }
        #expect(throws: ArchiveError.self) { _ = try Self.parse(Self.index.text() + "ota-pack 2\t2120\n") }
    }

    @Test("read a line at a time: cut into pieces anywhere, the packed index parses to the same index and table")
    func pieces() throws {
        let text = Array((Self.index.text() + Self.table.text()).utf8)
        for chunk in [1, 2, 3, 7, 64, text.count] {
            let (index, table) = try DeltaPackedIndex.parse(text: text, chunk: chunk, policy: ExtractionPolicy())
            #expect(index == Self.index, "pieces of \(chunk) bytes")
            #expect(table == Self.table, "pieces of \(chunk) bytes")
        }
    }

    @Test("a broken pack section is refused with the same error whatever the pieces it arrives in; the first broken rule of the section is the one named", arguments: [
        ("ota-pack 1\t2120", "the pack section does not end with a newline"),
        ("ota-pack 1\t2120\n60\n2000\n60", "the pack section does not end with a newline"),
        ("ota-pack 1\t2120\n0\n2000\n60", "the pack section does not end with a newline"),
        ("ota-pack 2\t2120\n0\n2000\n60\n", "does not start with \"ota-pack 1<tab><pack size>\""),
        ("ota-pack 1\t" + String(repeating: "9", count: 20_000) + "\n60\n2000\n60\n", "does not start with \"ota-pack 1<tab><pack size>\""),
        ("ota-pack 1\t2120\n0\n2000\n60\n-1\n", "lists 4 objects, but the index has 3"),
        ("ota-pack 1\t2120\n1500\n0\n60\n", "line 2 of the pack section gives 1500 compressed bytes"),
        ("ota-pack 1\t2120\n60\n" + String(repeating: "9", count: 20_000) + "\n60\n", "line 3 of the pack section is not a length above 0"),
        ("ota-pack 1\t2120\n60\n2000\n59\n", "end at 2119, but it gives the pack's size as 2120"),
    ])
    func sameErrorInPieces(section: String, why: String) {
        let text = Array((Self.index.text() + section).utf8)
        var messages: [String] = []
        for chunk in [1, 5, 4096, text.count] {
            do {
                _ = try DeltaPackedIndex.parse(text: text, chunk: chunk, policy: ExtractionPolicy())
                Issue.record("accepted in pieces of \(chunk) bytes")
            } catch {
                messages.append(error.message)
            }
        }
        #expect(messages.count == 4 && Set(messages).count == 1, "\(messages)")
        #expect(messages.first?.contains(why) == true, "\(messages.first ?? "")")
        #expect(throws: ArchiveError.self) { _ = try Self.parse(Self.index.text() + section) }
    }

    static func request(_ sha256: String) -> DeltaObjectFetcher.Request {
        .init(sha256: sha256, size: 1, destination: "/nonexistent/" + sha256, mode: 0o644)
    }

    static func object(_ number: Int, _ offset: Int64, _ length: Int64) -> DeltaPackTable.Object {
        .init(sha256: String(format: "%064x", number), offset: offset, length: length)
    }

    /// The plan for objects laid out as (gap before, length), in turn.
    static func plan(_ layout: [(Int64, Int64)]) throws -> (fetches: [DeltaFetch], objects: [DeltaPackTable.Object]) {
        var objects: [DeltaPackTable.Object] = []
        var end: Int64 = 0
        for (number, (before, length)) in layout.enumerated() {
            objects.append(Self.object(number, end + before, length))
            end += before + length
        }
        let table = DeltaPackTable(size: end, objects: objects)
        let url = URL(string: "http://127.0.0.1/app.pack")!
        let plan = DeltaFetchPlan(objects: .pack(url: url, name: "app.pack", size: Int(end)), table: table)
        let fetches = try plan.fetches(for: objects.reversed().map { Self.request($0.sha256) })
        #expect(fetches.allSatisfy { $0.url == url && $0.fileSize == end })
        return (fetches, objects)
    }

    @Test("objects at most 4 KiB apart share one range, farther ones get their own, and no range grows past 1 MiB")
    func coalescing() throws {
        let gap = DeltaFetchPlan.gapThreshold, limit = DeltaFetchPlan.maxRangeBytes
        let (fetches, objects) = try Self.plan([
            (0, 64 << 10), (0, 64 << 10),  // adjacent
            (gap, 64 << 10),               // exactly the gap threshold apart
            (gap + 1, 64 << 10),           // one byte more: a range of its own
            (0, limit - 50),               // adjacent, but the range would pass 1 MiB
            (0, 2 * limit),                // larger than the limit alone
        ])
        #expect(fetches.map { $0.parts.map(\.object.sha256) } == [[0, 1, 2], [3], [4], [5]].map { $0.map { objects[$0].sha256 } })
        #expect(fetches.map(\.range) == [0..<objects[2].range.upperBound, objects[3].range, objects[4].range, objects[5].range])
        #expect(fetches[0].parts.map(\.offset) == [0, 64 << 10, (128 << 10) + gap])
    }

    @Test("gaps are fetched only up to 1/16 of the objects' bytes, the smallest first; adjacent objects always share a range")
    func gapBudget() throws {
        // Objects of 16 KiB: a budget of 3 KiB, enough for the 1 KiB and 2 KiB gaps but not also the 3 KiB one.
        let (fetches, objects) = try Self.plan([(0, 16 << 10), (3 << 10, 1 << 10), (1 << 10, 13 << 10), (2 << 10, 13 << 10), (0, 5 << 10)])
        #expect(objects.reduce(0) { $0 + $1.length } / DeltaFetchPlan.gapBudgetDivisor == 3 << 10)
        #expect(fetches.map(\.parts.count) == [1, 4])
        let small = try Self.plan([(0, 100), (1000, 100), (0, 100)])
        #expect(small.fetches.map(\.parts.count) == [1, 2], "100-byte objects 1000 bytes apart: each gap a range of its own")
    }

    @Test("a pack asset of another size than the signed table gives is not used")
    func packOfAnotherSize() {
        let plan = DeltaFetchPlan(objects: .pack(url: URL(string: "http://127.0.0.1/app.pack")!, name: "app.pack", size: 2119), table: Self.table)
        #expect(throws: DeltaError(.objectUnavailable, "the pack app.pack is 2119 bytes, but the signed index describes a pack of 2120 bytes (it was replaced or is incomplete)")) {
            _ = try plan.fetches(for: [Self.request(Self.a)])
        }
    }
}
