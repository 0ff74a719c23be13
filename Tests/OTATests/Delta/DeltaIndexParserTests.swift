import Foundation
import Testing
@testable import OTA

/// The delta index is an archive listing: a hostile one is refused by the archive safety rules, as a whole.
@Suite("Delta index: format and safety policy")
struct DeltaIndexParserTests {
    static let digest = String(repeating: "ab", count: 32)

    static func parse(_ lines: [String], policy: ExtractionPolicy = ExtractionPolicy()) throws(ArchiveError) -> DeltaIndex {
        try DeltaIndexParser(policy: policy).parse(compressed: Gzip.compress(Array(([DeltaIndex.header] + lines).joined(separator: "\n").utf8) + [0x0A]))
    }

    static func refusal(_ lines: [String], policy: ExtractionPolicy = ExtractionPolicy()) -> ArchiveError? {
        do {
            _ = try parse(lines, policy: policy)
            return nil
        } catch {
            return error
        }
    }

    @Test("an index round-trips through its compressed form, sorted by path bytes, folders, files and links")
    func roundTrip() throws {
        let index = DeltaIndex(entries: [
            .init(path: "src/b.py", kind: .file(size: 12, sha256: Self.digest), mode: 0o644),
            .init(path: "src", kind: .directory, mode: 0o755),
            .init(path: "src/a.txt", kind: .file(size: 0, sha256: String(repeating: "0", count: 64)), mode: 0o600),
            .init(path: "src/a", kind: .directory, mode: 0o700),
            .init(path: "src/current", kind: .symbolicLink(target: "a/../b.py"), mode: 0),
            .init(path: "bin/ü-ñ", kind: .file(size: 1, sha256: Self.digest), mode: 0o755),
        ])
        #expect(index.entries.map(\.path) == ["bin/ü-ñ", "src", "src/a", "src/a.txt", "src/b.py", "src/current"])
        let parsed = try DeltaIndexParser(policy: ExtractionPolicy()).parse(compressed: index.encoded())
        #expect(parsed == index)
        #expect(parsed.totalFileBytes == 13)
    }

    @Test("an entry is found by its path's bytes; a prefix, an extension or a longer path of it is not that entry")
    func positionOfPath() throws {
        let paths = ["a", "a.b", "a/b", "a/b/c", "ab", "bin/ü-ñ", "z"]
        let index = DeltaIndex(entries: paths.map { .init(path: $0, kind: .directory, mode: 0o755) })
        for (position, path) in index.entries.map(\.path).enumerated() {
            #expect(index.position(of: path.utf8) == position, "\(path)")
            #expect(index.position(of: Array(path.utf8)[...]) == position, "\(path) as a slice")
        }
        for absent in ["", "a/", "a/b/", "a/b/c/d", "aa", "b", "bin/ü", "zz", "\u{0}"] {
            #expect(index.position(of: absent.utf8) == nil, "\(absent)")
        }
        #expect(DeltaIndex(entries: []).position(of: "a".utf8) == nil)
    }

    @Test("paths that leave the tree or are not plain are refused", arguments: [
        ("../escape", ArchiveError.Code.parentTraversal),
        ("src/../../escape", .parentTraversal),
        ("/etc/passwd", .absolutePath),
        ("src//a", .invalidName),
        ("./src/a", .invalidName),
        ("src/a/", .invalidName),
        ("src/a\u{1B}[2J", .invalidName),
        (".", .invalidName),
    ])
    func hostilePaths(path: String, code: ArchiveError.Code) {
        #expect(Self.refusal(["f\t0644\t1\t\(Self.digest)\t\(path)"])?.code == code)
    }

    @Test("a duplicate path is refused, and so is an index out of order (which could hide one)")
    func duplicates() {
        #expect(Self.refusal(["f\t0644\t1\t\(Self.digest)\ta", "f\t0644\t2\t\(Self.digest)\ta"])?.code == .duplicateEntry)
        #expect(Self.refusal(["d\t0755\ta", "f\t0644\t2\t\(Self.digest)\ta"])?.code == .duplicateEntry)
        #expect(Self.refusal(["f\t0644\t1\t\(Self.digest)\tb", "f\t0644\t2\t\(Self.digest)\ta"])?.code == .malformedHeader)
    }

    @Test("links leaving the tree, also through other links, and entries below a link or a file are refused")
    func links() {
        #expect(Self.refusal(["l\t../../etc\tsrc/up"])?.code == .linkEscape)
        #expect(Self.refusal(["l\t/etc/passwd\tsrc/abs"])?.code == .linkEscape)
        // Each link alone stays inside; together b → a/.. → the folder above the root.
        #expect(Self.refusal(["d\t0755\tx", "l\t..\tx/a", "l\ta/..\tx/b"])?.code == .linkEscape)
        #expect(Self.refusal(["l\tsub\tsrc", "f\t0644\t1\t\(Self.digest)\tsrc/file"])?.code == .writeThroughSymlink)
        #expect(Self.refusal(["f\t0644\t1\t\(Self.digest)\tsrc", "f\t0644\t1\t\(Self.digest)\tsrc/file"])?.code == .duplicateEntry)
        #expect(Self.refusal(["l\tb\ta", "l\ta\tb"])?.code == .linkEscape, "a loop of links")
    }

    @Test("an entry below a file or a link is refused however many entries, in other folders, come between them")
    func belowALeafAfterOtherFolders() throws {
        let file = { (path: String) in "f\t0644\t1\t\(Self.digest)\t\(path)" }
        // "a-b/…" sorts between "a" and "a/…": the parent checked last shares nothing with "a".
        #expect(Self.refusal([file("a"), file("a-b/x"), file("a/c")])?.code == .duplicateEntry)
        #expect(Self.refusal(["d\t0755\td", "l\tx\td/l", "d\t0755\td/l.x", file("d/l.x/y"), file("d/l/z")])?.code == .writeThroughSymlink)
        // Down three folders, up one, then below a file of the folder returned to.
        #expect(Self.refusal([file("p/q/r/f"), file("p/q/s"), file("p/q/s/t")])?.code == .duplicateEntry)
        #expect(Self.refusal([file("p/q/r/f"), file("p/qs"), file("p/qs/t")])?.code == .duplicateEntry)
        // The same shapes without the leaf are a valid tree.
        let index = try Self.parse([file("a-b/x"), file("a/c"), file("p/q/r/f"), file("p/q/s/t"), file("p/qs/t"), file("z")])
        #expect(index.count == 6)
    }

    @Test("a path that is not valid UTF-8 and a size past Int64 are refused")
    func bytesAndNumbers() throws {
        let parser = DeltaIndexParser(policy: ExtractionPolicy())
        let invalid = Array("ota-index 1\nf\t0644\t1\t\(Self.digest)\ta".utf8) + [0xFF, 0xFE, 0x0A]
        do {
            _ = try parser.parse(text: invalid)
            Issue.record("a path of invalid UTF-8 was accepted")
        } catch {
            #expect(error.code == .invalidName)
        }
        #expect(Self.refusal(["f\t0644\t9223372036854775808\t\(Self.digest)\ta"])?.code == .malformedHeader)
        let largest = try Self.parse(["f\t0644\t9223372036854775807\t\(Self.digest)\ta"], policy: ExtractionPolicy(maxExtractedBytes: .max))
        #expect(largest.totalFileBytes == .max)
    }

    @Test("absurd sizes and too many entries are refused by the extraction limits")
    func limits() {
        let policy = ExtractionPolicy(maxEntries: 3, maxExtractedBytes: 100)
        #expect(Self.refusal(["f\t0644\t101\t\(Self.digest)\ta"], policy: policy)?.code == .tooManyBytes)
        #expect(Self.refusal(["f\t0644\t60\t\(Self.digest)\ta", "f\t0644\t41\t\(Self.digest)\tb"], policy: policy)?.code == .tooManyBytes)
        #expect(Self.refusal(["d\t0755\ta", "d\t0755\tb", "d\t0755\tc", "d\t0755\td"], policy: policy)?.code == .tooManyEntries)
        #expect(Self.refusal(["f\t0644\t99999999999999999999\t\(Self.digest)\ta"])?.code == .malformedHeader)
        #expect(Self.refusal(["f\t0644\t9223372036854775807\t\(Self.digest)\ta"])?.code == .tooManyBytes)
    }

    @Test("fields that do not follow the format exactly are refused", arguments: [
        "f\t4755\t1\t\(digest)\ta",                    // setuid bit
        "f\t644\t1\t\(digest)\ta",                     // three digits
        "f\t0648\t1\t\(digest)\ta",                    // not octal
        "f\t0644\t01\t\(digest)\ta",                   // leading zero
        "f\t0644\t-1\t\(digest)\ta",                   // sign
        "f\t0644\t+1\t\(digest)\ta",
        "f\t0644\t1\t\(digest.uppercased())\ta",       // uppercase hex
        "f\t0644\t1\t\(digest.dropLast())\ta",         // short hash
        "f\t0644\t1\t\(digest)\ta\textra",             // a sixth field
        "d\t0755",                                       // a missing field
        "h\t0644\ta",                                    // unknown type (hard links are listed as files)
        "",                                              // empty line
    ])
    func malformedLines(line: String) {
        #expect(Self.refusal([line])?.code == .malformedHeader)
    }

    @Test("an unknown header, a missing final newline, corrupt or trailing gzip data and a bomb are refused")
    func container() throws {
        let parser = DeltaIndexParser(policy: ExtractionPolicy())
        #expect(throws: ArchiveError.self) { try parser.parse(compressed: Gzip.compress(Array("ota-index 2\n".utf8))) }
        #expect(throws: ArchiveError.self) { try parser.parse(compressed: Gzip.compress(Array("ota-index 1\nd\t0755\ta".utf8))) }
        let good = Gzip.compress(Array("ota-index 1\nd\t0755\ta\n".utf8))
        #expect(throws: ArchiveError.self) { try parser.parse(compressed: good + [1, 2, 3]) }
        #expect(throws: ArchiveError.self) { try parser.parse(compressed: Array(good.dropLast(5))) }
        let small = DeltaIndexParser(policy: ExtractionPolicy(maxEntries: 1))
        let bomb = Gzip.compress(Array("ota-index 1\n".utf8) + [UInt8](repeating: 0x61, count: 1 << 20))
        #expect(throws: ArchiveError.self) { try small.parse(compressed: bomb) }
        #expect(DeltaIndexParser.inflatedLimit(for: ExtractionPolicy(maxEntries: 1)) < 1 << 20)
    }
}
