import Foundation
import Testing
@testable import OTA
@testable import OTATestSupport

/// One crafted archive the extractor must refuse.
struct RejectionCase: CustomTestStringConvertible, Sendable {
    let name: String
    let code: ArchiveError.Code
    /// The entry the error must name (nil when the problem is not one entry's).
    let entry: String?
    /// Paths relative to the fixture base that must not exist afterwards.
    var escapes: [String] = []
    var policy = ExtractionPolicy()
    /// Builds the archive; the argument is the fixture's base directory.
    let build: @Sendable (String) -> [UInt8]

    var testDescription: String { name }
}

typealias H = TarBuilder.Header
func typeOf(_ c: Character) -> UInt8 { c.asciiValue! }

let maliciousTarCorpus: [RejectionCase] = [
    // Paths
    RejectionCase(name: "absolute path", code: .absolutePath, entry: "BASE/s/abs-evil", escapes: ["s/abs-evil"]) { base in
        TarBuilder.archive { $0.file("\(base)/s/abs-evil", "pwned") }
    },
    RejectionCase(name: "../ escape", code: .parentTraversal, entry: "../evil", escapes: ["s/evil"]) { _ in
        TarBuilder.archive { $0.file("ok.txt", "fine"); $0.file("../evil", "pwned") }
    },
    RejectionCase(name: "nested .. escape", code: .parentTraversal, entry: "a/../../evil", escapes: ["s/evil"]) { _ in
        TarBuilder.archive { $0.file("a/../../evil", "pwned") }
    },
    RejectionCase(name: ".. hidden in a pax path", code: .parentTraversal, entry: "./../../pax-evil", escapes: ["pax-evil"]) { _ in
        TarBuilder.archive { $0.pax([("path", "./../../pax-evil")]); $0.file("harmless", "pwned") }
    },
    RejectionCase(name: ".. hidden in a GNU long name", code: .parentTraversal, entry: "../gnu-evil", escapes: ["s/gnu-evil"]) { _ in
        TarBuilder.archive { $0.gnuLong("../gnu-evil"); $0.file("harmless", "pwned") }
    },
    RejectionCase(name: ".. via ustar prefix", code: .parentTraversal, entry: "../prefix/evil", escapes: ["s/prefix"]) { _ in
        TarBuilder.archive { $0.add(H(name: "evil", size: 1, prefix: "../prefix"), data: [0x41]) }
    },
    RejectionCase(name: "NUL inside a pax path", code: .invalidName, entry: "a\u{0}b") { _ in
        TarBuilder.archive { $0.pax([("path", "a\u{0}b")]); $0.file("x", "") }
    },
    RejectionCase(name: "escape character in a name", code: .invalidName, entry: "bad\u{1b}[31mname") { _ in
        TarBuilder.archive { $0.file("bad\u{1b}[31mname", "") }
    },
    RejectionCase(name: "newline in a name", code: .invalidName, entry: "line\nbreak") { _ in
        TarBuilder.archive { $0.file("line\nbreak", "") }
    },
    RejectionCase(name: "invalid UTF-8 in a name", code: .invalidName, entry: "bad\u{FFFD}utf8") { _ in
        TarBuilder.archive { $0.add(H(name: "badXutf8", edit: { $0[3] = 0xFF })) }
    },
    RejectionCase(name: "control character in a link target", code: .invalidName, entry: "link") { _ in
        TarBuilder.archive { $0.symlink("link", to: "tar\u{7}get") }
    },
    RejectionCase(name: "a file named like the root", code: .invalidName, entry: "./") { _ in
        TarBuilder.archive { $0.add(H(name: "./", type: typeOf("0"))) }
    },
    // Duplicates
    RejectionCase(name: "duplicate a/b and a//b", code: .duplicateEntry, entry: "a//b") { _ in
        TarBuilder.archive { $0.file("a/b", "one"); $0.file("a//b", "two") }
    },
    RejectionCase(name: "duplicate a/b and ./a/b", code: .duplicateEntry, entry: "./a/b") { _ in
        TarBuilder.archive { $0.file("a/b", "one"); $0.file("./a/b", "two") }
    },
    RejectionCase(name: "file replaced by a folder", code: .duplicateEntry, entry: "x/") { _ in
        TarBuilder.archive { $0.file("x", "one"); $0.directory("x/") }
    },
    RejectionCase(name: "file used as a folder", code: .duplicateEntry, entry: "f/inner") { _ in
        TarBuilder.archive { $0.file("f", "one"); $0.file("f/inner", "two") }
    },
    // Symbolic links
    RejectionCase(name: "symlink to ..", code: .linkEscape, entry: "link", escapes: ["s/outside/pwned"]) { _ in
        TarBuilder.archive { $0.symlink("link", to: "../outside"); $0.file("link/pwned", "x") }
    },
    RejectionCase(name: "absolute symlink", code: .linkEscape, entry: "etc") { _ in
        TarBuilder.archive { $0.symlink("etc", to: "/etc") }
    },
    RejectionCase(name: "deep symlink climbing out", code: .linkEscape, entry: "a/b/up") { _ in
        TarBuilder.archive { $0.directory("a/b/"); $0.symlink("a/b/up", to: "../../../x") }
    },
    RejectionCase(name: "symlink escaping through an earlier symlink", code: .linkEscape, entry: "sub/l2") { _ in
        TarBuilder.archive { $0.directory("sub/"); $0.symlink("sub/up", to: ".."); $0.symlink("sub/l2", to: "up/../escaped") }
    },
    RejectionCase(name: "symlink escaping through a later symlink", code: .linkEscape, entry: "sub/l2") { _ in
        TarBuilder.archive { $0.directory("sub/"); $0.symlink("sub/l2", to: "up/../escaped"); $0.symlink("sub/up", to: "..") }
    },
    RejectionCase(name: "symlink loop", code: .linkEscape, entry: "a") { _ in
        TarBuilder.archive { $0.symlink("a", to: "b/x"); $0.symlink("b", to: "a/y") }
    },
    RejectionCase(name: "symlink leaving the stripped top folder", code: .linkEscape, entry: "top/up") { _ in
        TarBuilder.archive { $0.directory("top/"); $0.file("top/a", "x"); $0.symlink("top/up", to: "..") }
    },
    RejectionCase(name: "write through an in-tree symlink", code: .writeThroughSymlink, entry: "link/file") { _ in
        TarBuilder.archive { $0.directory("real/"); $0.symlink("link", to: "real"); $0.file("link/file", "x") }
    },
    // Hard links
    RejectionCase(name: "hard link to ../", code: .invalidHardLink, entry: "hl", escapes: ["s/passwd"]) { _ in
        TarBuilder.archive { $0.hardLink("hl", to: "../passwd") }
    },
    RejectionCase(name: "hard link to an absolute path", code: .invalidHardLink, entry: "hl") { _ in
        TarBuilder.archive { $0.hardLink("hl", to: "/etc/passwd") }
    },
    RejectionCase(name: "hard link to a missing entry", code: .invalidHardLink, entry: "hl") { _ in
        TarBuilder.archive { $0.hardLink("hl", to: "later"); $0.file("later", "x") }
    },
    RejectionCase(name: "hard link to a symlink", code: .invalidHardLink, entry: "hl") { _ in
        TarBuilder.archive { $0.file("f", "x"); $0.symlink("s", to: "f"); $0.hardLink("hl", to: "s") }
    },
    RejectionCase(name: "hard link to a folder", code: .invalidHardLink, entry: "hl") { _ in
        TarBuilder.archive { $0.directory("d/"); $0.hardLink("hl", to: "d") }
    },
    // Entry types
    RejectionCase(name: "character device", code: .unsupportedEntryType, entry: "dev/null") { _ in
        TarBuilder.archive { $0.add(H(name: "dev/null", type: typeOf("3"))) }
    },
    RejectionCase(name: "block device", code: .unsupportedEntryType, entry: "sda") { _ in
        TarBuilder.archive { $0.add(H(name: "sda", type: typeOf("4"))) }
    },
    RejectionCase(name: "FIFO", code: .unsupportedEntryType, entry: "fifo") { _ in
        TarBuilder.archive { $0.add(H(name: "fifo", type: typeOf("6"))) }
    },
    RejectionCase(name: "contiguous file", code: .unsupportedEntryType, entry: "contig") { _ in
        TarBuilder.archive { $0.add(H(name: "contig", type: typeOf("7"))) }
    },
    RejectionCase(name: "unknown type", code: .unsupportedEntryType, entry: "weird") { _ in
        TarBuilder.archive { $0.add(H(name: "weird", type: typeOf("Q"))) }
    },
    RejectionCase(name: "GNU sparse file", code: .unsupportedEntryType, entry: "sparse") { _ in
        TarBuilder.archive { $0.add(H(name: "sparse", type: typeOf("S"), gnuMagic: true)) }
    },
    RejectionCase(name: "pax sparse keywords", code: .unsupportedEntryType, entry: "sp") { _ in
        TarBuilder.archive { $0.pax([("path", "sp"), ("GNU.sparse.major", "1")]); $0.file("sp", "") }
    },
    // Malformed extended records
    RejectionCase(name: "pax record length too large", code: .malformedExtendedHeader, entry: "PaxHeaders/x") { _ in
        TarBuilder.archive { $0.paxRaw(Array("99 path=x\n".utf8)); $0.file("x", "") }
    },
    RejectionCase(name: "pax record length too small", code: .malformedExtendedHeader, entry: "PaxHeaders/x") { _ in
        TarBuilder.archive { $0.paxRaw(Array("3 path=abc\n".utf8)); $0.file("x", "") }
    },
    RejectionCase(name: "pax record without =", code: .malformedExtendedHeader, entry: "PaxHeaders/x") { _ in
        TarBuilder.archive { $0.paxRaw(Array("9 pathx\n".utf8)); $0.file("x", "") }
    },
    RejectionCase(name: "pax record without a length", code: .malformedExtendedHeader, entry: "PaxHeaders/x") { _ in
        TarBuilder.archive { $0.paxRaw(Array("path=abc\n".utf8)); $0.file("x", "") }
    },
    RejectionCase(name: "pax size that is not a number", code: .malformedExtendedHeader, entry: "PaxHeaders/x") { _ in
        TarBuilder.archive { $0.pax([("size", "12abc")]); $0.file("x", "") }
    },
    RejectionCase(name: "pax header over 1 MiB", code: .malformedExtendedHeader, entry: "PaxHeaders/x") { _ in
        TarBuilder.archive { $0.add(H(name: "PaxHeaders/x", type: typeOf("x"), size: 2 << 20)) }
    },
    RejectionCase(name: "malformed global pax header", code: .malformedExtendedHeader, entry: "pax_global_header") { _ in
        TarBuilder.archive { $0.paxRaw(Array("12 comment\n".utf8), global: true); $0.file("x", "") }
    },
    RejectionCase(name: "GNU long name over 1 MiB", code: .malformedExtendedHeader, entry: "././@LongLink") { _ in
        TarBuilder.archive { $0.add(H(name: "././@LongLink", type: typeOf("L"), size: (1 << 20) + 1, gnuMagic: true)) }
    },
    RejectionCase(name: "GNU long name with an inner NUL", code: .malformedExtendedHeader, entry: "././@LongLink") { _ in
        TarBuilder.archive { $0.add(H(name: "././@LongLink", type: typeOf("L"), size: 6, gnuMagic: true), data: Array("ab\u{0}cd\u{0}".utf8)); $0.file("x", "") }
    },
    RejectionCase(name: "GNU long name then end of archive", code: .malformedExtendedHeader, entry: "././@LongLink") { _ in
        TarBuilder.archive { $0.gnuLong("dangling") }
    },
    RejectionCase(name: "pax header then end of archive", code: .malformedExtendedHeader, entry: "PaxHeaders/x") { _ in
        TarBuilder.archive { $0.pax([("path", "orphan")]) }
    },
    RejectionCase(name: "endless chain of extended headers", code: .malformedExtendedHeader, entry: "PaxHeaders/x") { _ in
        TarBuilder.archive { for _ in 0..<20 { $0.pax([("path", "again")]) }; $0.file("x", "") }
    },
    RejectionCase(name: "hard link through an earlier symlink", code: .writeThroughSymlink, entry: "l/hl") { _ in
        TarBuilder.archive { $0.file("d/f", "x"); $0.symlink("l", to: "d"); $0.hardLink("l/hl", to: "d/f") }
    },
    RejectionCase(name: "pax size disagrees with ustar size", code: .sizeMismatch, entry: "x") { _ in
        TarBuilder.archive { $0.pax([("size", "10")]); $0.add(H(name: "x", size: 5), data: Array("12345".utf8)) }
    },
    // Headers and end of archive
    RejectionCase(name: "bad header checksum", code: .badChecksum, entry: "tampered") { _ in
        TarBuilder.archive { $0.add(H(name: "tampered", size: 1, checksumDelta: 1), data: [0x41]) }
    },
    RejectionCase(name: "size field not octal", code: .malformedHeader, entry: "x") { _ in
        TarBuilder.archive { $0.add(H(name: "x", edit: { $0[126] = UInt8(ascii: "9") })) }
    },
    RejectionCase(name: "negative base-256 size", code: .malformedHeader, entry: "x") { _ in
        TarBuilder.archive { $0.add(H(name: "x", edit: { for i in 124..<136 { $0[i] = 0xFF } })) }
    },
    RejectionCase(name: "zero block followed by a header", code: .dataAfterEnd, entry: nil, escapes: []) { _ in
        var builder = TarBuilder()
        builder.file("a", "x")
        builder.raw([UInt8](repeating: 0, count: 512))
        builder.file("hidden", "y")
        builder.end()
        return builder.bytes
    },
    RejectionCase(name: "garbage after the end marker", code: .dataAfterEnd, entry: nil) { _ in
        TarBuilder.archive { $0.file("a", "x") } + Array("trailing garbage".utf8)
    },
    RejectionCase(name: "truncated inside file data", code: .truncated, entry: "big") { _ in
        Array(TarBuilder.archive { $0.file("big", String(repeating: "z", count: 3000)) }.prefix(512 + 1000))
    },
    RejectionCase(name: "truncated inside a header", code: .truncated, entry: nil) { _ in
        Array(TarBuilder.archive { $0.file("a", "x"); $0.file("b", "y") }.prefix(1024 + 300))
    },
    RejectionCase(name: "missing end marker", code: .truncated, entry: nil) { _ in
        var builder = TarBuilder()
        builder.file("a", "x")
        return builder.bytes
    },
    RejectionCase(name: "single zero block", code: .truncated, entry: nil) { _ in
        var builder = TarBuilder()
        builder.file("a", "x")
        builder.raw([UInt8](repeating: 0, count: 512))
        return builder.bytes
    },
    // Limits
    RejectionCase(name: "more entries than max_archive_entries", code: .tooManyEntries, entry: "f4", policy: ExtractionPolicy(maxEntries: 3)) { _ in
        TarBuilder.archive { for i in 1...6 { $0.file("f\(i)", "x") } }
    },
    RejectionCase(name: "one file over max_extracted_bytes", code: .tooManyBytes, entry: "big", policy: ExtractionPolicy(maxExtractedBytes: 100)) { _ in
        TarBuilder.archive { $0.file("big", String(repeating: "b", count: 200)) }
    },
    RejectionCase(name: "files adding up over max_extracted_bytes", code: .tooManyBytes, entry: "second", policy: ExtractionPolicy(maxExtractedBytes: 100)) { _ in
        TarBuilder.archive { $0.file("first", String(repeating: "b", count: 60)); $0.file("second", String(repeating: "b", count: 60)) }
    },
    RejectionCase(name: "huge declared size is refused before reading", code: .tooManyBytes, entry: "huge", policy: ExtractionPolicy(maxExtractedBytes: 1 << 30)) { _ in
        TarBuilder.archive { $0.add(H(name: "huge", size: 1 << 40, base256Size: true)) }
    },
]

@Suite("Archive: malicious and malformed tar corpus")
struct MaliciousTarCorpusTests {
    @Test("the corpus holds at least 30 archives")
    func corpusSize() {
        #expect(maliciousTarCorpus.count >= 30)
    }

    @Test("each malicious tar is rejected as a whole, naming the entry, leaving nothing behind", arguments: maliciousTarCorpus)
    func rejected(_ testCase: RejectionCase) throws {
        let fixture = try ExtractionFixture()
        try FileManager.default.createDirectory(atPath: fixture.dir.url("s/outside"), withIntermediateDirectories: true)
        let path = try fixture.write(testCase.build(fixture.dir.path))
        let entry = testCase.entry?.replacingOccurrences(of: "BASE", with: fixture.dir.path)
        try fixture.expectRejection(archiveAt: path, code: testCase.code, entry: entry, escapes: testCase.escapes, policy: testCase.policy)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.dir.url("s/outside")).isEmpty)
    }

    @Test("each malicious tar is rejected the same way when gzip-compressed", arguments: maliciousTarCorpus)
    func rejectedCompressed(_ testCase: RejectionCase) throws {
        let fixture = try ExtractionFixture()
        let path = try fixture.write(Gzip.compress(testCase.build(fixture.dir.path)), name: "archive.tgz")
        let entry = testCase.entry?.replacingOccurrences(of: "BASE", with: fixture.dir.path)
        try fixture.expectRejection(archiveAt: path, code: testCase.code, entry: entry, escapes: testCase.escapes, policy: testCase.policy)
    }
}
