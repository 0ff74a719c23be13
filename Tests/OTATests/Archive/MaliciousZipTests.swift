import Foundation
import Testing
@testable import OTA
@testable import OTATestSupport

/// A zip built by Python's zipfile from a short script body (`z` is the open ZipFile, `U` makes a unix ZipInfo).
struct ZipCase: CustomTestStringConvertible, Sendable {
    let name: String
    let code: ArchiveError.Code
    let entry: String?
    var escapes: [String] = []
    var policy = ExtractionPolicy()
    let script: String
    var testDescription: String { name }
}

let maliciousZipCorpus: [ZipCase] = [
    ZipCase(name: "zip-slip ../", code: .parentTraversal, entry: "../zip-evil", escapes: ["s/zip-evil"],
            script: #"z.writestr("ok.txt", "fine"); z.writestr("../zip-evil", "pwned")"#),
    ZipCase(name: "zip-slip nested", code: .parentTraversal, entry: "a/../../../zip-evil2", escapes: ["zip-evil2"],
            script: #"z.writestr("a/../../../zip-evil2", "pwned")"#),
    ZipCase(name: "absolute path", code: .absolutePath, entry: "/tmp/zip-abs-evil",
            script: #"z.writestr("/tmp/zip-abs-evil", "pwned")"#),
    ZipCase(name: "symlink escaping the tree", code: .linkEscape, entry: "link", escapes: ["s/outside/pwned"],
            script: #"z.writestr(U("link", 0o120777), "../outside"); z.writestr("link/pwned", "x")"#),
    ZipCase(name: "absolute symlink", code: .linkEscape, entry: "etc",
            script: #"z.writestr(U("etc", 0o120777), "/etc")"#),
    ZipCase(name: "write through an in-tree symlink", code: .writeThroughSymlink, entry: "l/f",
            script: #"z.writestr("d/", ""); z.writestr(U("l", 0o120777), "d"); z.writestr("l/f", "x")"#),
    ZipCase(name: "FIFO entry", code: .unsupportedEntryType, entry: "fifo",
            script: #"z.writestr(U("fifo", 0o010644), "")"#),
    ZipCase(name: "character device entry", code: .unsupportedEntryType, entry: "tty",
            script: #"z.writestr(U("tty", 0o020644), "")"#),
    ZipCase(name: "duplicate names", code: .duplicateEntry, entry: "./a/b",
            script: #"z.writestr("a/b", "1"); z.writestr("./a/b", "2")"#),
    ZipCase(name: "control character in a name", code: .invalidName, entry: "bad\u{1b}name",
            script: #"z.writestr("bad\x1bname", "x")"#),
    ZipCase(name: "more entries than allowed", code: .tooManyEntries, entry: nil, policy: ExtractionPolicy(maxEntries: 2),
            script: #"[z.writestr(f"f{i}", "x") for i in range(5)]"#),
    ZipCase(name: "more bytes than allowed", code: .tooManyBytes, entry: "big", policy: ExtractionPolicy(maxExtractedBytes: 1000),
            script: #"z.writestr("big", "b" * 5000)"#),
    ZipCase(name: "deflate bomb over the ratio", code: .expansionRatio, entry: "bomb",
            policy: ExtractionPolicy(maxExpansionRatio: 20, ratioExemptBytes: 1 << 20),
            script: #"z.writestr("bomb", b"\0" * (64 << 20))"#),
]

@Suite("Archive: malicious zip archives")
struct MaliciousZipTests {
    static func build(_ script: String, at path: String) throws {
        try run("/usr/bin/env", ["python3", "-c", """
            import zipfile, sys
            def U(name, mode):
                info = zipfile.ZipInfo(name); info.create_system = 3; info.external_attr = mode << 16; return info
            with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
                \(script)
            """, path])
    }

    @Test("each malicious zip is rejected as a whole, naming the entry, leaving nothing behind", arguments: maliciousZipCorpus)
    func rejected(_ testCase: ZipCase) throws {
        let fixture = try ExtractionFixture()
        try FileManager.default.createDirectory(atPath: fixture.dir.url("s/outside"), withIntermediateDirectories: true)
        let path = fixture.dir.url("archive.zip")
        try Self.build(testCase.script, at: path)
        try fixture.expectRejection(archiveAt: path, code: testCase.code, entry: testCase.entry, escapes: testCase.escapes, policy: testCase.policy)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.dir.url("s/outside")).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/zip-abs-evil"))
    }

    @Test("a zip whose declared size lies is caught while inflating")
    func lyingSize() throws {
        let fixture = try ExtractionFixture()
        let path = fixture.dir.url("lying.zip")
        try Self.build(#"z.writestr("f", "A" * 100000)"#, at: path)
        // Patch the uncompressed size (central directory, offset 24 of the record) down to 10.
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let signature: [UInt8] = [0x50, 0x4B, 1, 2]
        let found = (0..<(bytes.count - 4)).last { (index: Int) -> Bool in Array(bytes[index..<(index + 4)]) == signature }
        let central = try #require(found)
        bytes.replaceSubrange((central + 24)..<(central + 28), with: [10, 0, 0, 0])
        let patched = try fixture.write(bytes, name: "patched.zip")
        let error = try fixture.expectRejection(archiveAt: patched, code: .sizeMismatch, entry: "f")
        #expect(error.message.contains("declared size"))
    }

    @Test("a truncated zip is rejected")
    func truncatedZip() throws {
        let fixture = try ExtractionFixture()
        let path = fixture.dir.url("full.zip")
        try Self.build(#"z.writestr("a", "x" * 1000); z.writestr("b", "y")"#, at: path)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let cut = try fixture.write(Array(bytes.prefix(bytes.count - 30)), name: "cut.zip")
        let error = try #require(throws: ArchiveError.self) { _ = try Extractor().extract(archiveAt: cut, into: fixture.staging) }
        #expect([.malformedHeader, .truncated].contains(error.code), "\(error.message)")
        #expect(!fixture.exists("s/staging"))
    }

    @Test("zip64 end records are read; without the zip64 locator the zip is refused")
    func zip64EndRecords() throws {
        let fixture = try ExtractionFixture()
        let path = fixture.dir.url("zip64.zip")
        try run("/usr/bin/env", ["python3", "-c", """
            import sys, zipfile
            zipfile.ZIP_FILECOUNT_LIMIT = 1  # makes zipfile write the zip64 end record and locator,
            zipfile.ZIP64_LIMIT = 1          # and zip64 extra fields with the sizes and offsets
            with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr("app/VERSION", "1.0.0"); z.writestr("app/src/main.py", "print(1)")
            data = bytearray(open(sys.argv[1], "rb").read())
            eocd = data.rfind(b"PK\\x05\\x06")
            data[eocd + 8:eocd + 20] = b"\\xff" * 12  # counts, size and offset: "see the zip64 record"
            open(sys.argv[1], "wb").write(data)
            """, path])
        let result = try Extractor().extract(archiveAt: path, into: fixture.staging)
        #expect(FileManager.default.contents(atPath: result.root + "/VERSION") == Data("1.0.0".utf8))
        #expect(result.entryCount == 2)

        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let locatorSignature: [UInt8] = [0x50, 0x4B, 6, 7]
        let locator = try #require((0..<(bytes.count - 4)).last { Array(bytes[$0..<($0 + 4)]) == locatorSignature })
        bytes.replaceSubrange(locator..<(locator + 4), with: [0, 0, 0, 0])
        let broken = try fixture.write(bytes, name: "no-locator.zip")
        let error = try #require(throws: ArchiveError.self) { _ = try Extractor().extract(archiveAt: broken, into: fixture.dir.url("s/staging2")) }
        #expect(error.code == .malformedHeader, "\(error.message)")
    }

    @Test("a link entry's forged data size never makes the reader allocate it (found by the zip fuzzer)")
    func forgedLinkSizes() throws {
        let fixture = try ExtractionFixture()
        let path = fixture.dir.url("link.zip")
        try Self.build(#"z.writestr(U("app/link", 0o120777), "VERSION"); z.writestr("app/VERSION", "1")"#, at: path)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let forged: [UInt8] = [0xF0, 0xFF, 0xFF, 0xFF]

        // The local header's size (offset 18 of the first entry) is not trusted: the central one is used.
        var local = bytes
        local.replaceSubrange(18..<22, with: forged)
        let result = try Extractor().extract(archiveAt: try fixture.write(local, name: "local.zip"), into: fixture.staging)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: result.root + "/link") == "VERSION")
        try FileManager.default.removeItem(atPath: fixture.staging)

        // A central size beyond any link target is refused, naming the entry.
        let centralSignature: [UInt8] = [0x50, 0x4B, 1, 2]
        let central = try #require((0..<(bytes.count - 4)).first { Array(bytes[$0..<($0 + 4)]) == centralSignature })
        var huge = bytes
        huge.replaceSubrange((central + 20)..<(central + 24), with: forged)
        let error = try fixture.expectRejection(archiveAt: try fixture.write(huge, name: "central.zip"), code: .malformedHeader, entry: "app/link")
        #expect(error.message.contains("at most 4096"), "\(error.message)")
    }

    @Test("an entry whose data would lie past the end of the file is refused at once (found by the zip fuzzer)")
    func dataPastTheEnd() throws {
        let fixture = try ExtractionFixture()
        var bytes = try Self.twoEntryZip(in: fixture)
        // The first local header's name length (offset 26) now ends 2 bytes before the end of the file, so
        // its data would run past the end: ZIPFoundation would spin asking zlib for more there.
        let nameLength = bytes.count - 30 - 2
        bytes.replaceSubrange(26..<28, with: [UInt8(nameLength & 0xFF), UInt8(nameLength >> 8)])
        let started = ContinuousClock.now
        let error = try fixture.expectRejection(archiveAt: try fixture.write(bytes, name: "patched.zip"), code: .truncated, entry: "app/VERSION")
        #expect(error.message.contains("past the end"), "\(error.message)")
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test("an entry whose local header is not where the central directory says is refused")
    func missingLocalHeader() throws {
        let fixture = try ExtractionFixture()
        var bytes = try Self.twoEntryZip(in: fixture)
        // The second entry's central record now points 3 bytes into the first entry's local header.
        let records = Self.centralRecords(in: bytes)
        try #require(records.count == 2)
        bytes.replaceSubrange((records[1] + 42)..<(records[1] + 46), with: [3, 0, 0, 0])
        let error = try #require(throws: ArchiveError.self) {
            _ = try Extractor().extract(archiveAt: try fixture.write(bytes, name: "patched.zip"), into: fixture.staging)
        }
        #expect(error.code == .malformedHeader, "\(error.message)")
        // ZIPFoundation stops at the entry itself; ZipArchiveReader says how far it got.
        #expect(error.message.contains("read 1 of the 2 entries"), "\(error.message)")
        #expect(!fixture.exists("s/staging"))
    }

    @Test("a central size of 0xFFFFFFFF without the zip64 field that should hold it is refused")
    func zip64SizesMissing() throws {
        let fixture = try ExtractionFixture()
        var bytes = try Self.twoEntryZip(in: fixture)
        let records = Self.centralRecords(in: bytes)
        try #require(records.count == 2)
        bytes.replaceSubrange((records[0] + 20)..<(records[0] + 24), with: [0xFF, 0xFF, 0xFF, 0xFF])
        let error = try #require(throws: ArchiveError.self) {
            _ = try Extractor().extract(archiveAt: try fixture.write(bytes, name: "zip64.zip"), into: fixture.staging)
        }
        #expect(error.code == .malformedHeader, "\(error.message)")
        #expect(error.message.contains("zip64 sizes of the entry are missing"), "\(error.message)")
        #expect(!fixture.exists("s/staging"))
    }

    @Test("a forged offset near Int64.max is a truncated zip, not an overflow trap", arguments: [Int64.max, Int64.max - 29, -1])
    func offsetsThatWouldOverflow(offset: Int64) throws {
        let fixture = try ExtractionFixture()
        let path = try fixture.write(try Self.twoEntryZip(in: fixture), name: "offsets.zip")
        let handle = try #require(FileHandle(forReadingAtPath: path))
        defer { try? handle.close() }
        let size = Int64(try #require(FileSystem.lstatInfo(path)).st_size)
        let error = try #require(throws: ArchiveError.self) { _ = try ZipCentralDirectory.read(handle, fileSize: size, at: offset, count: 30) }
        #expect(error.code == .truncated)
        #expect(try ZipCentralDirectory.read(handle, fileSize: size, at: 0, count: 4) == [0x50, 0x4B, 3, 4])
    }

    /// A zip of `app/VERSION` and `app/main.py`, made by Python's zipfile.
    static func twoEntryZip(in fixture: ExtractionFixture) throws -> [UInt8] {
        let path = fixture.dir.url("two.zip")
        try build(#"z.writestr("app/VERSION", "1.0.0"); z.writestr("app/main.py", "print(1)")"#, at: path)
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Offsets of the central directory records (signature `PK\1\2`).
    static func centralRecords(in bytes: [UInt8]) -> [Int] {
        let signature: [UInt8] = [0x50, 0x4B, 1, 2]
        return (0..<(bytes.count - 4)).filter { Array(bytes[$0..<($0 + 4)]) == signature }
    }
}

