import Foundation
import Testing
@testable import OTA
import OTATestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A release folder staged from an index made from an index patch keeps that patch as its record, with the name
/// of the record it applies to, instead of writing the whole index text again.
@Suite("Delta updates: records kept as index patches", .timeLimit(.minutes(10)))
struct KeptPatchRecordTests {
    /// A device in the `releases` layout keeping no older release (`max_backups: 0`), at 1.0.0 installed by
    /// delta (so 1.0.0's index is kept as a text), with its configuration and its records.
    static func device() async throws -> (DeltaFixture, OTAConfiguration, KeptIndexes) {
        let fixture = try DeltaFixture(layout: "releases")
        var configuration = fixture.configuration
        configuration.installation.maxBackups = 0
        try await IndexPatchUpdateTests.provisionByDelta(fixture)
        return (fixture, configuration, KeptIndexes(directory: StateDirectory(installation: configuration.installation)))
    }

    @Test("a record kept as a patch whose base is gone is not used: the next delta fetches the full index, hashes the files it links, and installs the release")
    func missingBase() async throws {
        let (fixture, configuration, kept) = try await Self.device()
        try fixture.publish("1.1.0", DeltaFixture.newTree, patches: true)
        #expect(try await DeltaFixture.update(configuration) == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))
        let base = try #require(kept.all().first { $0.version == "1.0.0" })
        try FileSystem.removeTree(kept.path + "/" + base.name)

        var next = DeltaFixture.newTree
        next["VERSION"] = "1.2.0\n"
        let archive = try fixture.publish("1.2.0", next, patches: true)
        try fixture.nginx.clearRequests()
        #expect(try await DeltaFixture.update(configuration) == .updated(from: SemanticVersion(1, 1, 0), to: SemanticVersion(1, 2, 0)))
        #expect((try fixture.nginx.requests()).contains { $0.uri.hasSuffix(".index.gz") }, "the index patch has no base: the full index is fetched")
        let (vouched, hashed) = try DeltaKeptIndexTests.reuse(in: fixture.log, version: "1.2.0")
        #expect(vouched == 0 && hashed > 0, "1.1.0's files are hashed, not taken on the broken record")
        #expect(fixture.log.contains("fetched 1.2.0 by delta"), "still a delta")
        #expect(kept.all().first { $0.version == "1.2.0" }?.patched == false, "1.2.0's record is the fetched index")
        #expect(DeltaPatchUpdateTests.managed(try DeltaFixture.describe(fixture.installedRoot)) == DeltaPatchUpdateTests.managed(try fixture.extracted(archive)))
    }

    @Test("an index made from an index patch is kept as the patch; the next delta takes the files on it unread, and pruning the releases it is made from keeps their records as its base")
    func patchRecordChain() async throws {
        let (fixture, configuration, kept) = try await Self.device()

        try fixture.publish("1.1.0", DeltaFixture.newTree, patches: true)
        #expect(try await DeltaFixture.update(configuration) == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))
        #expect(!FileSystem.exists(fixture.work.url("install/releases/1.0.0")), "1.0.0 is pruned")
        let record = try #require(kept.all().first { $0.version == "1.1.0" })
        #expect(record.patched && record.form == .folder)
        let index = try #require(try IndexPatchUpdateTests.repositoryFile(fixture, "1.1.0", suffix: ".index.gz"))
        let patch = try #require(try IndexPatchUpdateTests.repositoryFile(fixture, "1.1.0", suffix: ".patch"))
        #expect(IndexPatchUpdateTests.size(kept.path + "/" + record.name) < IndexPatchUpdateTests.size(index) / 2,
                "the record is the patch and a line, not the index")
        #expect(IndexPatchUpdateTests.size(kept.path + "/" + record.name) < IndexPatchUpdateTests.size(patch) + KeptIndexes.patchRecordHeaderBytes)
        #expect(kept.all().contains { $0.version == "1.0.0" && !$0.patched }, "1.0.0's record stays: 1.1.0's applies to it")

        var next = DeltaFixture.newTree
        next["VERSION"] = "1.2.0\n"
        next["src/pkg3/new.py"] = "print('changed in 1.2.0')\n"
        let archive = try fixture.publish("1.2.0", next, patches: true)
        try fixture.nginx.clearRequests()
        #expect(try await DeltaFixture.update(configuration) == .updated(from: SemanticVersion(1, 1, 0), to: SemanticVersion(1, 2, 0)))

        let requests = try fixture.nginx.requests()
        #expect(!requests.contains { $0.uri.hasSuffix(".index.gz") }, "the index came as a patch from 1.1.0's record: \(requests)")
        let (vouched, hashed) = try DeltaKeptIndexTests.reuse(in: fixture.log, version: "1.2.0")
        #expect(hashed == 0 && vouched == DeltaKeptIndexTests.unchanged(next, from: DeltaFixture.newTree), "1.1.0's files are taken on its record")
        #expect(Set(kept.all().map(\.version)) == ["1.0.0", "1.1.0", "1.2.0"], "1.2.0's record applies to 1.1.0's, which applies to 1.0.0's")
        #expect(kept.all().first { $0.version == "1.2.0" }?.patched == true)
        #expect(DeltaPatchUpdateTests.managed(try DeltaFixture.describe(fixture.installedRoot)) == DeltaPatchUpdateTests.managed(try fixture.extracted(archive)))
    }

    @Test("a device updated by index patches keeps each record as a patch until the chain is 8 deep; the next is kept as its text, and the records only it needed go")
    func chainRestartsAsText() async throws {
        let (fixture, configuration, kept) = try await Self.device()
        var previous = DeltaFixture.oldTree
        for minor in UInt(1)...UInt(KeptIndexes.maxPatchChain + 1) {
            let version = "1.\(minor).0"
            var files = DeltaFixture.newTree
            files["VERSION"] = version + "\n"
            files["src/pkg3/new.py"] = "print('changed in \(version)')\n"
            try fixture.publish(version, files, patches: true)
            try fixture.nginx.clearRequests()
            #expect(try await DeltaFixture.update(configuration) == .updated(from: SemanticVersion(1, minor - 1, 0), to: SemanticVersion(1, minor, 0)))
            #expect(!(try fixture.nginx.requests()).contains { $0.uri.hasSuffix(".index.gz") }, "\(version)'s index came as a patch")
            let (vouched, hashed) = try DeltaKeptIndexTests.reuse(in: fixture.log, version: version)
            #expect(hashed == 0, "\(version): the previous release's files are taken on its record")
            if minor > 1 { #expect(vouched == DeltaKeptIndexTests.unchanged(files, from: previous), "\(version)") }
            let record = try #require(kept.all().first { $0.version == version })
            #expect(record.patched == (minor <= KeptIndexes.maxPatchChain), "\(version)")
            previous = files
        }
        let last = "1.\(KeptIndexes.maxPatchChain + 1).0"
        #expect(kept.all().map(\.version) == [last], "the records the chain needed are removed once the new record is a text and the old release is pruned")
        let record = try #require(kept.all().first { $0.version == last })
        let base = try DeltaIndexBase(keptIndexAt: kept.path + "/" + record.name, limit: 1 << 20)
        let index = try #require(try IndexPatchUpdateTests.repositoryFile(fixture, last, suffix: ".index.gz"))
        #expect(base.sha256 == (try DeltaIndexBase(keptIndexAt: index, limit: 1 << 20)).sha256, "the text kept is the published index's")
    }

    @Test("a chain of records made from index patches makes each text again, to the bound; a record deeper than the bound, whose base is missing, named by a path or of another text is not read")
    func chainBound() throws {
        let work = try TemporaryDirectory("kept-patch-record")
        let directory = StateDirectory(path: work.url("state"))
        try directory.prepare()
        let kept = KeptIndexes(directory: directory)
        let limit: Int64 = 1 << 20
        let texts = (0...(KeptIndexes.maxPatchChain + 1)).map { version in
            Array((0..<400).map { "f\($0)\t\(version == 0 || $0 % 97 != version ? 0 : version)\n" }.joined().utf8)
        }

        _ = try work.write("state/downloads/app.index.gz", Gzip.compress(texts[0]))
        let fd = open(work.url("state/downloads/app.index.gz"), O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        try work.makeDirectory("releases/0.0.0")
        var records = [try kept.keep(work.url("state/downloads/app.index.gz"), fd: fd, version: "0.0.0", form: .folder, stagedFolder: work.url("releases/0.0.0"))]
        for version in 1..<texts.count {
            try work.makeDirectory("releases/\(version).0.0")
            let patch = try DeltaIndexPatch.make(from: texts[version - 1], to: texts[version])
            records.append(try kept.keep(patch: patch, base: records[version - 1], version: "\(version).0.0", form: .folder,
                                         stagedFolder: work.url("releases/\(version).0.0")))
        }
        for (depth, record) in records.enumerated().dropLast() {
            let base = try DeltaIndexBase(keptIndexAt: kept.path + "/" + record.name, limit: limit)
            #expect(base.depth == depth)
            #expect(try base.textBytes() == texts[depth], "depth \(depth)")
        }
        #expect(throws: ArchiveError.self, "one patch past the bound") {
            try DeltaIndexBase(keptIndexAt: kept.path + "/" + records.last!.name, limit: limit)
        }

        kept.prune(keeping: ["2.0.0"])
        #expect(Set(kept.all().map(\.version)) == ["0.0.0", "1.0.0", "2.0.0"], "2.0.0's record and the records it is made from stay")

        let second = kept.path + "/" + records[2].name
        let original = try #require(try directory.read(records[2].name, in: KeptIndexes.folder))
        let patchStart = try #require(KeptIndexes.patchRecordBase(original)).patchStart
        for (why, line) in [("a missing base", "\(KeptIndexes.patchRecordMagic)\t9.9.9.folder.1-1.gz\n"),
                            ("a path", "\(KeptIndexes.patchRecordMagic)\t../state/kept-indexes/\(records[1].name)\n"),
                            ("a base of another text", "\(KeptIndexes.patchRecordMagic)\t\(records[0].name)\n"),
                            ("no line", "")] {
            try directory.write(Array(line.utf8) + original[patchStart...], to: records[2].name, in: KeptIndexes.folder)
            #expect(throws: ArchiveError.self, "\(why)") { try DeltaIndexBase(keptIndexAt: second, limit: limit) }
        }
    }
}
