import Foundation
import Testing
@testable import OTA

/// The patch section of a delta index is read as strictly as its entries: a hostile one is refused.
@Suite("Delta index: the patch section")
struct DeltaPatchTableTests {
    static let old = String(repeating: "11", count: 32)
    static let old2 = String(repeating: "22", count: 32)
    static let new = String(repeating: "ab", count: 32)
    static let large = String(repeating: "cd", count: 32)

    static let entries = [
        "f\t0644\t4096\t\(new)\tsrc/a.py",
        "f\t0644\t\(ZstdPatch.maxContentBytes + 1)\t\(large)\tsrc/big.bin",
    ]

    static func parse(_ patchLines: [String], header: String = DeltaPatchTable.header) throws(ArchiveError) -> DeltaIndex {
        let text = ([DeltaIndex.header] + entries + [header] + patchLines).joined(separator: "\n") + "\n"
        return try DeltaIndexParser(policy: ExtractionPolicy()).parse(compressed: Gzip.compress(Array(text.utf8)))
    }

    static func refusal(_ patchLines: [String], header: String = DeltaPatchTable.header) -> ArchiveError? {
        do {
            _ = try parse(patchLines, header: header)
            return nil
        } catch {
            return error
        }
    }

    @Test("an index with patches round-trips through its compressed form")
    func roundTrip() throws {
        var index = DeltaIndex(entries: [.init(path: "src/a.py", kind: .file(size: 4096, sha256: Self.new), mode: 0o644)])
        index.patches = [try #require(DeltaPatch(oldSHA256: Self.old, newSHA256: Self.new, length: 61)),
                         try #require(DeltaPatch(oldSHA256: Self.old2, newSHA256: Self.new, length: 70))]
        let parsed = try DeltaIndexParser(policy: ExtractionPolicy()).parse(compressed: index.encoded())
        #expect(parsed == index)
        #expect(parsed.patches.map(\.relativePath) == ["ab/\(Self.new).\(Self.old)", "ab/\(Self.new).\(Self.old2)"])
    }

    @Test("a patch section that is unsorted, repeats a patch, names an unknown or too large content, or gives an absurd length is refused")
    func hostileSections() {
        let valid = "\(Self.old)\t\(Self.new)\t61"
        #expect(Self.refusal([valid]) == nil)
        let hostile: [(String, [String], String)] = [
            ("unsorted", ["\(Self.old2)\t\(Self.new)\t61", valid], DeltaPatchTable.header),
            ("duplicate", [valid, valid], DeltaPatchTable.header),
            ("duplicate of another length", [valid, "\(Self.old)\t\(Self.new)\t62"], DeltaPatchTable.header),
            ("unknown new content", ["\(Self.old)\t\(String(repeating: "ef", count: 32))\t61"], DeltaPatchTable.header),
            ("new content above the cap", ["\(Self.old)\t\(Self.large)\t61"], DeltaPatchTable.header),
            ("a content into itself", ["\(Self.new)\t\(Self.new)\t61"], DeltaPatchTable.header),
            ("length 0", ["\(Self.old)\t\(Self.new)\t0"], DeltaPatchTable.header),
            ("absurd length", ["\(Self.old)\t\(Self.new)\t99999999"], DeltaPatchTable.header),
            ("leading zero", ["\(Self.old)\t\(Self.new)\t061"], DeltaPatchTable.header),
            ("uppercase hash", ["\(Self.old)\t\(Self.new.uppercased())\t61"], DeltaPatchTable.header),
            ("two fields", ["\(Self.old)\t\(Self.new)"], DeltaPatchTable.header),
            ("unknown version", [valid], "ota-patch 2"),
        ]
        for (name, lines, header) in hostile {
            #expect(Self.refusal(lines, header: header) != nil, "refused: \(name)")
        }
    }

    @Test("an entry after the patch section is refused (the section ends the index)")
    func entryAfterSection() {
        #expect(Self.refusal(["\(Self.old)\t\(Self.new)\t61", "f\t0644\t1\t\(Self.new)\tsrc/z.py"]) != nil)
    }

    @Test("in a pack the patches follow the objects: the pack's size counts them, and each lies after the one before")
    func packLocations() throws {
        var index = DeltaIndex(entries: [.init(path: "a", kind: .file(size: 4096, sha256: Self.new), mode: 0o644)])
        let first = try #require(DeltaPatch(oldSHA256: Self.old, newSHA256: Self.new, length: 61))
        let second = try #require(DeltaPatch(oldSHA256: Self.old2, newSHA256: Self.new, length: 70))
        index.patches = [first, second]
        let table = try Self.packSection(["\(DeltaPackTable.header)\t231", "100"], index: index)
        let locations = table.locations(of: index.patches)
        #expect(locations[first]?.range == 100..<161)
        #expect(locations[second]?.range == 161..<231)
        #expect(throws: ArchiveError.self) { try Self.packSection(["\(DeltaPackTable.header)\t100", "100"], index: index) }
    }

    /// The pack table of `lines` (a pack section) for `index`.
    static func packSection(_ lines: [String], index: DeltaIndex) throws(ArchiveError) -> DeltaPackTable {
        var section = DeltaPackTable.Section(index: index)
        for line in lines { section.add(Array(line.utf8)) }
        return try section.finish(complete: true)
    }
}
