import Foundation
import Testing
@testable import OTA
import OTATestSupport

/// In the `releases` layout a delta keeps the verified index of the release folder it staged, and the next
/// delta takes that folder's unchanged files on the record's SHA-256s instead of reading them — but never a
/// file changed since, nor a folder other than the one staged.
@Suite("Delta updates: the kept index of a staged release", .timeLimit(.minutes(10)))
struct DeltaKeptIndexTests {
    /// Release 1.2.0: 1.1.0 with VERSION and one module changed (same size), nothing renamed.
    static let next: [String: String] = {
        var files = DeltaFixture.newTree
        files["VERSION"] = "1.2.0\n"
        files["src/pkg3/module3.py"] = String(files["src/pkg3/module3.py"]!.reversed())
        return files
    }()

    /// A device (releases layout) at 1.1.0, staged by a delta from 1.0.0 (full), with 1.2.0 published.
    static func deviceAfterDelta() async throws -> DeltaFixture {
        let fixture = try DeltaFixture(layout: "releases")
        try await fixture.provision()
        try fixture.publish("1.1.0", DeltaFixture.newTree)
        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))
        try fixture.publish("1.2.0", next)
        try fixture.nginx.clearRequests()
        return fixture
    }

    /// The numbers of the log line of the delta to `version`: "… V on recorded hashes), H bytes hashed".
    static func reuse(in log: String, version: String) throws -> (vouched: Int, hashed: Int) {
        let line = try #require(log.split(separator: "\n").first { $0.contains("fetched \(version) by delta") })
        let match = try #require(String(line).firstMatch(of: /(\d+) on recorded hashes\), (\d+) bytes hashed/))
        return (Int(match.1)!, Int(match.2)!)
    }

    /// The files of `tree` (the regular ones) whose content is the same at the same path in `other`.
    static func unchanged(_ tree: [String: String], from other: [String: String]) -> Int {
        tree.count { other[$0.key] == $0.value }
    }

    @Test("the release a delta staged keeps its index; the next delta reads none of its unchanged files")
    func nextDeltaHashesNothing() async throws {
        let fixture = try await Self.deviceAfterDelta()
        let kept = KeptIndexes(directory: StateDirectory(installation: fixture.configuration.installation)).all()
        #expect(kept.map(\.version) == ["1.1.0"] && kept.map(\.form) == [.folder])
        let first = try Self.reuse(in: fixture.log, version: "1.1.0")
        #expect(first.vouched == 0 && first.hashed > 0, "1.0.0 was installed from its full archive: no record")

        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 1, 0), to: SemanticVersion(1, 2, 0)))
        let (vouched, hashed) = try Self.reuse(in: fixture.log, version: "1.2.0")
        // Read: 1.0.0's VERSION only (installed from the full archive, no record; same size as 1.2.0's). Not the
        // changed module, whose 1.0.0 file is the very file the record of 1.1.0 says holds another content.
        #expect(hashed == "1.0.0\n".utf8.count, "unchanged files are linked on the record; the changed same-size file is not read")
        #expect(vouched == Self.unchanged(Self.next, from: DeltaFixture.newTree))
        #expect(Set(try fixture.requests().objects) == [try fixture.sha256("1.2.0\n"), try fixture.sha256(Self.next["src/pkg3/module3.py"]!)])
        let archive = fixture.work.url("build/monitor-1.2.0.tar.gz")
        #expect(try DeltaFixture.describe(fixture.installedRoot) == (try fixture.extracted(archive)))
        let versions = KeptIndexes(directory: StateDirectory(installation: fixture.configuration.installation)).all().map(\.version)
        #expect(versions == ["1.1.0", "1.2.0"], "records of the release folders the device holds")
    }

    @Test("a file moved to another path is found by the record's SHA-256s: neither fetched nor read")
    func movedFileIsFoundByTheRecord() async throws {
        let fixture = try await Self.deviceAfterDelta()
        var moved = DeltaFixture.newTree
        moved["VERSION"] = "1.3.0\n"
        moved["src/renamed/module6.py"] = moved.removeValue(forKey: "src/pkg2/module6.py")
        try fixture.publish("1.3.0", moved)
        try fixture.nginx.clearRequests()
        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 1, 0), to: SemanticVersion(1, 3, 0)))

        #expect(try fixture.requests().objects == [try fixture.sha256("1.3.0\n")], "only VERSION is new")
        let (vouched, hashed) = try Self.reuse(in: fixture.log, version: "1.3.0")
        #expect(hashed == "1.0.0\n".utf8.count, "1.0.0's VERSION only (no record); the installed tree is not walked")
        #expect(vouched == Self.unchanged(moved, from: DeltaFixture.newTree) + 1)
        let archive = fixture.work.url("build/monitor-1.3.0.tar.gz")
        #expect(try DeltaFixture.describe(fixture.installedRoot) == (try fixture.extracted(archive)))
    }

    @Test("a content also placed at a new path (before its own in the index) is linked from its staged copy: not fetched, not read")
    func duplicateContentIsLinkedFromItsStagedCopy() async throws {
        let fixture = try await Self.deviceAfterDelta()
        var copied = DeltaFixture.newTree
        copied["VERSION"] = "1.3.0\n"
        copied["src/copy/module5.py"] = copied["src/pkg1/module5.py"]
        try fixture.publish("1.3.0", copied)
        try fixture.nginx.clearRequests()
        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 1, 0), to: SemanticVersion(1, 3, 0)))

        #expect(try fixture.requests().objects == [try fixture.sha256("1.3.0\n")], "only VERSION is new")
        let (_, hashed) = try Self.reuse(in: fixture.log, version: "1.3.0")
        #expect(hashed == "1.0.0\n".utf8.count, "1.0.0's VERSION only (no record)")
        let archive = fixture.work.url("build/monitor-1.3.0.tar.gz")
        #expect(try DeltaFixture.describe(fixture.installedRoot) == (try fixture.extracted(archive)))
    }

    @Test("a file of the kept release changed since (same size) is hashed, refused and fetched")
    func changedFileIsNotTrusted() async throws {
        let fixture = try await Self.deviceAfterDelta()
        let path = "src/pkg0/module0.py"
        let original = try #require(DeltaFixture.newTree[path])
        let fd = open(fixture.installedRoot + "/" + path, O_WRONLY)
        try #require(fd >= 0)
        _ = String(repeating: "#", count: original.utf8.count).withCString { write(fd, $0, original.utf8.count) }
        close(fd)
        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 1, 0), to: SemanticVersion(1, 2, 0)))

        let (vouched, hashed) = try Self.reuse(in: fixture.log, version: "1.2.0")
        #expect(hashed == original.utf8.count + "1.0.0\n".utf8.count, "only the changed file (once, though 1.0.0 links it too) and 1.0.0's VERSION are read")
        #expect(vouched == Self.unchanged(Self.next, from: DeltaFixture.newTree) - 1)
        #expect(Set(try fixture.requests().objects).contains(try fixture.sha256(original)))
        let archive = fixture.work.url("build/monitor-1.2.0.tar.gz")
        #expect(try DeltaFixture.describe(fixture.installedRoot) == (try fixture.extracted(archive)))
    }

    @Test("pruning the release the kept one was linked from (which sets the shared files' ctime) leaves the record valid")
    func pruningKeepsTheRecord() async throws {
        let fixture = try DeltaFixture(layout: "releases")
        try await fixture.provision()
        var configuration = fixture.configuration
        configuration.installation.maxBackups = 0
        try fixture.publish("1.1.0", DeltaFixture.newTree)
        #expect(try await DeltaFixture.update(configuration) == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))
        #expect(!FileSystem.exists(fixture.work.url("install/releases/1.0.0")), "1.0.0, whose files 1.1.0 links, is pruned")
        try fixture.publish("1.2.0", Self.next)
        try fixture.nginx.clearRequests()

        #expect(try await DeltaFixture.update(configuration) == .updated(from: SemanticVersion(1, 1, 0), to: SemanticVersion(1, 2, 0)))
        let (vouched, hashed) = try Self.reuse(in: fixture.log, version: "1.2.0")
        #expect(hashed == 0 && vouched == Self.unchanged(Self.next, from: DeltaFixture.newTree))
        let archive = fixture.work.url("build/monitor-1.2.0.tar.gz")
        #expect(try DeltaFixture.describe(fixture.installedRoot) == (try fixture.extracted(archive)))
    }

    @Test("a file changed after staging, before the commit (by the health check), is hashed by the next delta, refused and fetched")
    func changedBeforeCommitIsNotTrusted() async throws {
        let fixture = try DeltaFixture(layout: "releases")
        try await fixture.provision()
        let path = "src/pkg0/module0.py"
        let original = try #require(DeltaFixture.newTree[path])
        // Overwrites the first byte of the installed file (same size, same inode) once.
        let script = try fixture.work.write("rewrite.sh", """
            #!/bin/sh
            [ -e "\(fixture.work.url("rewritten"))" ] && exit 0
            printf X | dd of="\(fixture.installedRoot)/\(path)" bs=1 count=1 conv=notrunc 2>/dev/null && touch "\(fixture.work.url("rewritten"))"
            """)
        chmod(script, 0o755)
        var configuration = fixture.configuration
        configuration.hooks.healthCheck = script
        try fixture.publish("1.1.0", DeltaFixture.newTree)
        #expect(try await DeltaFixture.update(configuration) == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))
        #expect(try String(contentsOfFile: fixture.installedRoot + "/" + path, encoding: .utf8) == "X" + original.dropFirst())
        try fixture.publish("1.2.0", Self.next)
        try fixture.nginx.clearRequests()

        #expect(try await DeltaFixture.update(configuration) == .updated(from: SemanticVersion(1, 1, 0), to: SemanticVersion(1, 2, 0)))
        let (_, hashed) = try Self.reuse(in: fixture.log, version: "1.2.0")
        #expect(hashed == original.utf8.count + "1.0.0\n".utf8.count, "the rewritten file is read (once) and 1.0.0's VERSION")
        #expect(Set(try fixture.requests().objects).contains(try fixture.sha256(original)))
        let archive = fixture.work.url("build/monitor-1.2.0.tar.gz")
        #expect(try DeltaFixture.describe(fixture.installedRoot) == (try fixture.extracted(archive)))
    }

    @Test("a record names its folder by device and inode: a folder made again at the same path has no record")
    func recordBelongsToItsFolder() throws {
        let work = try TemporaryDirectory("kept-index")
        let directory = StateDirectory(path: work.url("state"))
        try directory.prepare()
        let keptIndexes = KeptIndexes(directory: directory)
        let folder = work.url("releases/1.1.0")
        try work.makeDirectory("releases/1.1.0")
        let index = DeltaIndex(entries: [.init(path: "VERSION", kind: .file(size: 6, sha256: String(repeating: "a", count: 64)), mode: 0o644)])
        _ = try work.write("state/downloads/app.index.gz", DeltaPackedIndex.encoded(index: index, table: DeltaPackTable(size: 10, objects: [
            .init(sha256: String(repeating: "a", count: 64), offset: 0, length: 10),
        ])))
        let fd = open(work.url("state/downloads/app.index.gz"), O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        try keptIndexes.keep(work.url("state/downloads/app.index.gz"), fd: fd, version: "1.1.0", form: .pack, stagedFolder: folder)
        let record = try #require(keptIndexes.record(of: folder))
        #expect(KeptIndex(name: record.name) == record)
        #expect(keptIndexes.tree(of: folder, policy: ExtractionPolicy()) != nil)

        try FileSystem.rename(folder, work.url("aside"))
        try work.makeDirectory("releases/1.1.0")
        #expect(keptIndexes.record(of: folder) == nil, "another folder (a rollback put back, or made again)")
        try FileSystem.rename(work.url("aside"), work.url("releases/1.2.0"))
        #expect(keptIndexes.record(of: work.url("releases/1.2.0")) == nil, "the record is of version 1.1.0")

        // A symbolic link planted in the record's place is not followed.
        try FileSystem.removeTree(work.url("releases/1.1.0"))
        try FileSystem.rename(work.url("releases/1.2.0"), folder)
        let recordPath = keptIndexes.path + "/" + record.name
        try FileSystem.rename(recordPath, work.url("elsewhere.gz"))
        symlink(work.url("elsewhere.gz"), recordPath)
        #expect(keptIndexes.tree(of: folder, policy: ExtractionPolicy()) == nil)
    }
}
