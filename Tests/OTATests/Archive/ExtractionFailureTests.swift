import Foundation
import Testing
@testable import OTA
@testable import OTATestSupport

@Suite("Archive: disk full and file system defences", .serialized)
struct ExtractionFailureTests {
    static let bigArchive = TarBuilder.archive {
        $0.file("small", "fits")
        $0.add(TarBuilder.Header(name: "big.bin", size: 3 << 20), data: [UInt8](repeating: 0x42, count: 3 << 20))
    }

    @Test("an injected ENOSPC becomes a diskFull error naming the entry, with staging removed")
    func injectedDiskFull() throws {
        let fixture = try ExtractionFixture()
        var policy = ExtractionPolicy()
        policy.writeFault = .init(afterBytes: 1 << 20, errno: ENOSPC)
        let path = try fixture.write(Self.bigArchive)
        let error = try fixture.expectRejection(archiveAt: path, code: .diskFull, entry: "big.bin", policy: policy)
        #expect(error.underlying?.errno == ENOSPC)
        #expect(error.message.contains("free some space"))
    }

    @Test("StagingTree never follows a symlink planted inside staging")
    func noFollow() throws {
        let fixture = try ExtractionFixture()
        try FileManager.default.createDirectory(atPath: fixture.dir.url("s/outside"), withIntermediateDirectories: true)
        let tree = try StagingTree(creating: fixture.staging)
        try FileManager.default.createSymbolicLink(atPath: fixture.staging + "/planted", withDestinationPath: "../outside")
        let throughFolder = try #require(throws: ArchiveError.self) { _ = try tree.openFile(["planted", "file"], entry: "planted/file") }
        #expect(throughFolder.underlying?.errno == ENOTDIR || throughFolder.underlying?.errno == ELOOP)
        let overLink = try #require(throws: ArchiveError.self) { _ = try tree.openFile(["planted"], entry: "planted") }
        #expect(overLink.code == .duplicateEntry)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.dir.url("s/outside")).isEmpty)
        tree.remove()
        #expect(!fixture.exists("s/staging"))
        #expect(fixture.exists("s/outside"))
    }

    @Test("a staging folder whose parent is missing is refused")
    func missingParent() throws {
        let fixture = try ExtractionFixture()
        let path = try fixture.write(TarBuilder.archive { $0.file("a", "x") })
        let error = try #require(throws: ArchiveError.self) {
            _ = try Extractor().extract(archiveAt: path, into: fixture.dir.url("missing/staging"))
        }
        #expect(error.code == .stagingUnavailable)
        #expect(error.underlying?.errno == ENOENT)
    }

    @Test("error messages escape control characters and say what to do")
    func messages() {
        let error = ArchiveError(.parentTraversal, entry: "../e\u{1b}vil\n", "the path has a '..' component")
        #expect(error.message == "archive entry \"../e\\u{1b}vil\\u{a}\" rejected: the path has a '..' component (the archive is corrupt or unsafe; nothing was installed — check the release asset)")
        let limit = ArchiveError(.tooManyEntries, entry: "f9", "the archive has more than 8 entries")
        #expect(limit.message.contains("max_archive_entries"))
    }
}
