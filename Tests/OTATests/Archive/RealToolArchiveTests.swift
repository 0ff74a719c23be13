import Foundation
import Testing
@testable import OTA
@testable import OTATestSupport

/// Archives written by GNU tar and Python's tarfile/zipfile, extracted and compared with their source tree.
@Suite("Archive: archives made by real tools")
struct RealToolArchiveTests {
    static let longFolder = String(repeating: "folder-name-", count: 10)
    static let longFile = String(repeating: "long-file-name-", count: 9) + ".txt"

    /// A source tree with long names, links, an executable, an empty file and a deep path.
    static func makeSource(in dir: TemporaryDirectory) throws -> String {
        let root = dir.url("src/app")
        try dir.write("src/app/VERSION", "2.0.0\n")
        try dir.write("src/app/bin/run", "#!/bin/sh\necho run\n")
        chmod(root + "/bin/run", 0o755)
        try dir.write("src/app/empty", "")
        try dir.write("src/app/\(longFolder)/\(longFile)", String(repeating: "payload ", count: 5000))
        try dir.write("src/app/a/b/c/d/e/f/g/h/i/j/deep.txt", "deep")
        try FileManager.default.createSymbolicLink(atPath: root + "/current", withDestinationPath: "bin/run")
        try FileManager.default.createSymbolicLink(atPath: root + "/a/b/up", withDestinationPath: "../../VERSION")
        try FileManager.default.createSymbolicLink(atPath: root + "/\(longFolder)/link-\(longFile)", withDestinationPath: longFile)
        link(root + "/VERSION", root + "/VERSION.hard")
        return root
    }

    /// Checks that `extracted` holds the tree of ``makeSource(in:)``.
    static func expectSameTree(_ extracted: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        func text(_ relative: String) throws -> String { try String(contentsOfFile: extracted + "/" + relative, encoding: .utf8) }
        #expect(try text("VERSION") == "2.0.0\n", sourceLocation: sourceLocation)
        #expect(try text("VERSION.hard") == "2.0.0\n", sourceLocation: sourceLocation)
        #expect(try text("empty") == "", sourceLocation: sourceLocation)
        #expect(try text("\(longFolder)/\(longFile)") == String(repeating: "payload ", count: 5000), sourceLocation: sourceLocation)
        #expect(try text("a/b/c/d/e/f/g/h/i/j/deep.txt") == "deep", sourceLocation: sourceLocation)
        #expect(try text("a/b/up") == "2.0.0\n", sourceLocation: sourceLocation)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: extracted + "/current") == "bin/run", sourceLocation: sourceLocation)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: extracted + "/\(longFolder)/link-\(longFile)") == longFile, sourceLocation: sourceLocation)
        var info = stat()
        lstat(extracted + "/bin/run", &info)
        #expect(info.st_mode & 0o777 == 0o755, sourceLocation: sourceLocation)
    }

    @Test("GNU tar archives in every format, plain and gzip", arguments: ["gnu", "pax", "ustar"], [false, true])
    func gnuTar(format: String, gzip: Bool) throws {
        let fixture = try ExtractionFixture()
        let source = try Self.makeSource(in: fixture.dir)
        let archive = fixture.dir.url("made-by-tar")
        if format == "ustar" {
            // ustar cannot store names over 255 bytes: leave the long folder out.
            try FileManager.default.removeItem(atPath: source + "/" + Self.longFolder)
        }
        try run("/usr/bin/tar", ["--format=\(format)", gzip ? "-czf" : "-cf", archive, "-C", fixture.dir.url("src"), "app"])
        let result = try Extractor().extract(archiveAt: archive, into: fixture.staging)
        #expect(result.strippedPrefix == "app/")
        #expect(result.format == (gzip ? .tarGzip : .tar))
        if format == "ustar" {
            #expect(try String(contentsOfFile: result.root + "/VERSION", encoding: .utf8) == "2.0.0\n")
            #expect(try String(contentsOfFile: result.root + "/a/b/up", encoding: .utf8) == "2.0.0\n")
        } else {
            try Self.expectSameTree(result.root)
        }
    }

    @Test("Python tarfile archives (pax and GNU formats, gzip)", arguments: ["PAX_FORMAT", "GNU_FORMAT"])
    func pythonTarfile(format: String) throws {
        let fixture = try ExtractionFixture()
        let source = try Self.makeSource(in: fixture.dir)
        let archive = fixture.dir.url("made-by-python.tgz")
        try run("/usr/bin/env", ["python3", "-c", """
            import tarfile, sys
            with tarfile.open(sys.argv[1], "w:gz", format=tarfile.\(format)) as t:
                t.add(sys.argv[2], arcname="app")
            """, archive, source])
        let result = try Extractor().extract(archiveAt: archive, into: fixture.staging)
        #expect(result.strippedPrefix == "app/")
        try Self.expectSameTree(result.root)
    }

    @Test("a Python zipfile archive with folders, an executable and a symlink")
    func pythonZip() throws {
        let fixture = try ExtractionFixture()
        let archive = fixture.dir.url("made-by-python.zip")
        try run("/usr/bin/env", ["python3", "-c", """
            import zipfile, sys
            with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr("app/VERSION", "3.0.0\\n")
                z.writestr("app/big.txt", "zip payload " * 10000)
                info = zipfile.ZipInfo("app/bin/run"); info.create_system = 3; info.external_attr = 0o100755 << 16
                z.writestr(info, "#!/bin/sh\\n")
                info = zipfile.ZipInfo("app/current"); info.create_system = 3; info.external_attr = 0o120777 << 16
                z.writestr(info, "bin/run", compress_type=zipfile.ZIP_STORED)
                info = zipfile.ZipInfo("app/deflated-link"); info.create_system = 3; info.external_attr = 0o120777 << 16
                z.writestr(info, "VERSION", compress_type=zipfile.ZIP_DEFLATED)
                z.writestr("app/empty/", "")
            """, archive])
        let result = try Extractor().extract(archiveAt: archive, into: fixture.staging)
        #expect(result.format == .zip)
        #expect(result.strippedPrefix == "app/")
        #expect(try String(contentsOfFile: result.root + "/VERSION", encoding: .utf8) == "3.0.0\n")
        #expect(try String(contentsOfFile: result.root + "/big.txt", encoding: .utf8) == String(repeating: "zip payload ", count: 10000))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: result.root + "/current") == "bin/run")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: result.root + "/deflated-link") == "VERSION")
        var info = stat()
        lstat(result.root + "/bin/run", &info)
        #expect(info.st_mode & 0o777 == 0o755)
        #expect(FileManager.default.fileExists(atPath: result.root + "/empty"))
        #expect(result.entryCount == 6)
    }
}
