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
        #expect(text.hasSuffix("ota-pack 1\t2120\no\t0\t60\t\(Self.a)\no\t60\t2000\t\(Self.b)\no\t2060\t60\t\(Self.c)\n"))
    }

    @Test("a pack table that gaps, overlaps, misses or adds a content, repeats one, overstates one or its size, or is cut short is refused", arguments: [
        ("o\t0\t60\t\(a)\no\t61\t2000\t\(b)\no\t2061\t59\t\(c)", "starts at 61, not at 60"),
        ("o\t0\t60\t\(a)\no\t59\t2001\t\(b)\no\t2060\t60\t\(c)", "starts at 59, not at 60"),
        ("o\t0\t60\t\(a)\no\t60\t2060\t\(b)", "lists 2 objects, but the index has 3"),
        ("o\t0\t60\t\(a)\no\t60\t2000\t\(b)\no\t2060\t60\t\(String(repeating: "d", count: 64))", "which no file of the index has"),
        ("o\t0\t60\t\(a)\no\t60\t2000\t\(b)\no\t2060\t60\t\(a)", "twice"),
        ("o\t0\t1500\t\(a)\no\t1500\t560\t\(b)\no\t2060\t60\t\(c)", "1500 compressed bytes for a content of 100 bytes"),
        ("o\t0\t60\t\(a)\no\t60\t2000\t\(b)\no\t2060\t61\t\(c)", "end at 2121, but it gives the pack's size as 2120"),
        ("o\t0\t60\t\(a)\no\t60\t2000\t\(b)\no\t2060\t060\t\(c)", "is not \"o<tab>offset"),
        ("o\t0\t0\t\(a)\no\t0\t2060\t\(b)\no\t2060\t60\t\(c)", "a length above 0"),
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

    static func request(_ sha256: String) -> DeltaObjectFetcher.Request {
        .init(sha256: sha256, size: 1, destination: "/nonexistent/" + sha256, mode: 0o644)
    }

    static func object(_ number: Int, _ offset: Int64, _ length: Int64) -> DeltaPackTable.Object {
        .init(sha256: String(format: "%064x", number), offset: offset, length: length)
    }

    @Test("objects at most 4 KiB apart share one range, farther ones get their own, and no range grows past 1 MiB")
    func coalescing() throws {
        let gap = DeltaFetchPlan.gapThreshold, limit = DeltaFetchPlan.maxRangeBytes
        // (gap before, length) of each object in turn.
        let layout: [(Int64, Int64)] = [
            (0, 100), (0, 100),            // adjacent
            (gap, 100),                    // exactly the gap threshold apart
            (gap + 1, 100),                // one byte more: a range of its own
            (0, limit - 50),               // adjacent, but the range would pass 1 MiB
            (0, 2 * limit),                // larger than the limit alone
        ]
        var objects: [DeltaPackTable.Object] = []
        var end: Int64 = 0
        for (number, (before, length)) in layout.enumerated() {
            objects.append(Self.object(number, end + before, length))
            end += before + length
        }
        let table = DeltaPackTable(size: objects.last!.range.upperBound, objects: objects)
        let url = URL(string: "http://127.0.0.1/app.pack")!
        let plan = DeltaFetchPlan(objects: .pack(url: url, name: "app.pack", size: Int(table.size)), table: table)
        let fetches = try plan.fetches(for: objects.reversed().map { Self.request($0.sha256) })
        #expect(fetches.map { $0.parts.map(\.object.sha256) } == [[0, 1, 2], [3], [4], [5]].map { $0.map { objects[$0].sha256 } })
        #expect(fetches.map(\.range) == [0..<(300 + gap), objects[3].range, objects[4].range, objects[5].range])
        #expect(fetches[0].parts.map(\.offset) == [0, 100, 200 + gap])
        #expect(fetches.allSatisfy { $0.url == url && $0.fileSize == table.size })
    }

    @Test("a pack asset of another size than the signed table gives is not used")
    func packOfAnotherSize() {
        let plan = DeltaFetchPlan(objects: .pack(url: URL(string: "http://127.0.0.1/app.pack")!, name: "app.pack", size: 2119), table: Self.table)
        #expect(throws: DeltaError(.objectUnavailable, "the pack app.pack is 2119 bytes, but the signed index describes a pack of 2120 bytes (it was replaced or is incomplete)")) {
            _ = try plan.fetches(for: [Self.request(Self.a)])
        }
    }
}
