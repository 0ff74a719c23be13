import Foundation
import Testing
@testable import OTA
@testable import OTATestSupport

@Suite("Archive: valid tar archives")
struct TarAcceptanceTests {
    func mode(_ path: String) throws -> Int {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw SystemError.last("lstat \(path)") }
        return Int(info.st_mode & 0o7777)
    }

    func mtime(_ path: String) throws -> Int {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw SystemError.last("lstat \(path)") }
        return info.st_mtim.tv_sec
    }

    @Test("a plain archive lands in a fresh 0700 staging folder with contents, modes and times")
    func basic() throws {
        let fixture = try ExtractionFixture()
        let result = try fixture.extract(TarBuilder.archive {
            $0.file("README", "hello")
            $0.directory("bin/")
            $0.file("bin/tool", "#!/bin/sh\n", mode: 0o755)
            $0.file("empty", "")
        })
        #expect(result.root == fixture.staging)
        #expect(result.strippedPrefix == nil)
        #expect(result.entryCount == 4)
        #expect(result.byteCount == 15)
        #expect(result.format == .tar)
        #expect(try fixture.dir.read("s/staging/README") == "hello")
        #expect(try fixture.dir.read("s/staging/empty") == "")
        #expect(try mode(fixture.staging) == 0o700)
        #expect(try mode(fixture.staging + "/bin/tool") == 0o755)
        #expect(try mode(fixture.staging + "/README") == 0o644)
        #expect(try mtime(fixture.staging + "/README") == 1_700_000_000)
        #expect(try mtime(fixture.staging + "/bin") == 1_700_000_000)
    }

    @Test("an existing staging folder is refused and left alone")
    func stagingMustBeFresh() throws {
        let fixture = try ExtractionFixture()
        try fixture.dir.write("s/staging/keep", "mine")
        let path = try fixture.write(TarBuilder.archive { $0.file("a", "x") })
        let error = try #require(throws: ArchiveError.self) { try Extractor().extract(archiveAt: path, into: fixture.staging) }
        #expect(error.code == .stagingUnavailable)
        #expect(try fixture.dir.read("s/staging/keep") == "mine")
    }

    @Test("setuid, setgid and sticky bits are dropped, execute bits kept")
    func specialBits() throws {
        let fixture = try ExtractionFixture()
        _ = try fixture.extract(TarBuilder.archive {
            $0.file("suid", "x", mode: 0o4755)
            $0.file("sgid", "x", mode: 0o2750)
            $0.directory("sticky/", mode: 0o1777)
        })
        #expect(try mode(fixture.staging + "/suid") == 0o755)
        #expect(try mode(fixture.staging + "/sgid") == 0o750)
        #expect(try mode(fixture.staging + "/sticky") == 0o777)
    }

    @Test("pax long names and link names, mtime and size records are honoured")
    func paxRecords() throws {
        let fixture = try ExtractionFixture()
        let long = String(repeating: "d", count: 120) + "/" + String(repeating: "f", count: 150)
        let target = String(repeating: "t", count: 130)
        _ = try fixture.extract(TarBuilder.archive {
            $0.pax([("path", long), ("mtime", "1600000000.5")])
            $0.file("short-placeholder", "long content")
            $0.pax([("path", target)])
            $0.file("placeholder", "target")
            $0.pax([("linkpath", target)])
            $0.symlink("link", to: "placeholder")
            $0.pax([("size", "3")])
            $0.add(TarBuilder.Header(name: "sized", size: 0), data: Array("abc".utf8))
        })
        #expect(try fixture.dir.read("s/staging/" + long) == "long content")
        #expect(try mtime(fixture.staging + "/" + long) == 1_600_000_000)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: fixture.staging + "/link") == target)
        #expect(try fixture.dir.read("s/staging/sized") == "abc")
    }

    @Test("GNU long names and long link names")
    func gnuLongNames() throws {
        let fixture = try ExtractionFixture()
        let long = String(repeating: "n", count: 200)
        let longTarget = "sub/" + String(repeating: "x", count: 180)
        _ = try fixture.extract(TarBuilder.archive {
            $0.gnuLong(long)
            $0.file("trunc", "gnu")
            $0.file(String(longTarget.prefix(99)), "")
            $0.gnuLong(longTarget)
            $0.file("placeholder2", "target")
            $0.gnuLong("hard-" + long)
            $0.gnuLong(longTarget, link: true)
            $0.hardLink("hl", to: "truncated")
            $0.gnuLong(longTarget, link: true)
            $0.symlink("soft", to: "truncated")
        })
        #expect(try fixture.dir.read("s/staging/" + long) == "gnu")
        #expect(try fixture.dir.read("s/staging/hard-" + long) == "target")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: fixture.staging + "/soft") == longTarget)
    }

    @Test("base-256 size fields")
    func base256() throws {
        let fixture = try ExtractionFixture()
        _ = try fixture.extract(TarBuilder.archive {
            $0.add(TarBuilder.Header(name: "b256", size: 10, base256Size: true), data: Array("0123456789".utf8))
        })
        #expect(try fixture.dir.read("s/staging/b256") == "0123456789")
    }

    @Test("a tree 50 folders deep")
    func deepTree() throws {
        let fixture = try ExtractionFixture()
        let deep = (1...50).map { "d\($0)" }.joined(separator: "/")
        let result = try fixture.extract(TarBuilder.archive {
            $0.file(deep + "/leaf", "deep")
            $0.file("top", "t")
        })
        #expect(try fixture.dir.read("s/staging/" + deep + "/leaf") == "deep")
        #expect(result.strippedPrefix == nil)
    }

    @Test("symlinks and hard links inside the tree")
    func linksInside() throws {
        let fixture = try ExtractionFixture()
        _ = try fixture.extract(TarBuilder.archive {
            $0.file("lib/libx.so.1", "elf")
            $0.symlink("lib/libx.so", to: "libx.so.1")
            $0.symlink("bin/up", to: "../lib")
            $0.symlink("dot", to: ".")
            $0.symlink("dangling", to: "not/yet/there")
            $0.hardLink("lib/copy", to: "./lib/libx.so.1")
            $0.hardLink("again", to: "lib/copy")
        })
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: fixture.staging + "/lib/libx.so") == "libx.so.1")
        #expect(try fixture.dir.read("s/staging/bin/up/libx.so") == "elf")
        var a = stat(), b = stat()
        lstat(fixture.staging + "/again", &a)
        lstat(fixture.staging + "/lib/libx.so.1", &b)
        #expect(a.st_ino == b.st_ino)
        #expect(a.st_nlink == 3)
    }

    @Test("a GitHub source tarball: pax_global_header and the owner-repo-sha folder are stripped")
    func githubTarball() throws {
        let fixture = try ExtractionFixture()
        let result = try fixture.extract(Gzip.compress(TarBuilder.archive {
            $0.pax([("comment", "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b")], global: true)
            $0.directory("octo-monitor-1a2b3c4/")
            $0.file("octo-monitor-1a2b3c4/VERSION", "1.2.0\n")
            $0.directory("octo-monitor-1a2b3c4/src/")
            $0.file("octo-monitor-1a2b3c4/src/main.py", "print('hi')\n", mode: 0o755)
            $0.symlink("octo-monitor-1a2b3c4/latest", to: "src/main.py")
        }), name: "source.tar.gz")
        #expect(result.strippedPrefix == "octo-monitor-1a2b3c4/")
        #expect(result.root == fixture.staging + "/octo-monitor-1a2b3c4")
        #expect(result.format == .tarGzip)
        #expect(result.entryCount == 5)
        #expect(try String(contentsOfFile: result.root + "/VERSION", encoding: .utf8) == "1.2.0\n")
        #expect(!fixture.exists("s/staging/pax_global_header"))
    }

    @Test("stripping can be turned off, and two top-level entries are never stripped")
    func noStrip() throws {
        let fixture = try ExtractionFixture()
        var policy = ExtractionPolicy()
        policy.stripSingleTopLevelFolder = false
        let result = try fixture.extract(TarBuilder.archive { $0.file("top/a", "x") }, policy: policy)
        #expect(result.strippedPrefix == nil)
        let other = try ExtractionFixture()
        let two = try other.extract(TarBuilder.archive { $0.file("top/a", "x"); $0.file("VERSION", "1") })
        #expect(two.strippedPrefix == nil)
    }

    @Test("the format is sniffed from content, not from the file name")
    func sniffing() throws {
        let fixture = try ExtractionFixture()
        let result = try fixture.extract(Gzip.compress(TarBuilder.archive { $0.file("a", "x") }), name: "misnamed.zip")
        #expect(result.format == .tarGzip)
        let text = try ExtractionFixture()
        let path = try text.write(Array("just some text, no archive at all".utf8), name: "notes.tar.gz")
        try text.expectRejection(archiveAt: path, code: .unsupportedFormat, entry: nil)
    }

    @Test("TarReader lists entries without extracting")
    func listing() throws {
        let fixture = try ExtractionFixture()
        let path = try fixture.write(Gzip.compress(TarBuilder.archive {
            $0.directory("d/")
            $0.file("d/f", "data")
            $0.symlink("d/l", to: "f")
        }), name: "list.tgz")
        let reader = try TarReader(contentsOf: path)
        var entries: [ArchiveEntry] = []
        while let entry = try reader.next() { entries.append(entry) }
        #expect(entries.map(\.path) == ["d/", "d/f", "d/l"])
        #expect(entries[1].size == 4)
        #expect(entries[2].kind == .symbolicLink(target: "f"))
        #expect(!fixture.exists("s/staging"))
    }
}
