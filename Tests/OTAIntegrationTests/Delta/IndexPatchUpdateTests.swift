import Foundation
import Testing
@testable import OTA
import OTATestSupport

/// The compact index from a TUF repository on nginx: `ota publish add` publishes the new index as a patch
/// against the previous release's index (a target beside it), and a device that kept that index fetches the
/// patch instead of the index; anything else fetches the full index.
@Suite("Delta updates: the index as a patch against the kept index (TUF)", .timeLimit(.minutes(10)))
struct IndexPatchUpdateTests {
    /// The stored file of `version`'s target whose name ends with `suffix`.
    static func repositoryFile(_ fixture: DeltaFixture, _ version: String, suffix: String) throws -> String? {
        let folder = fixture.work.url("repo/targets/monitor/\(version)")
        return try FileManager.default.contentsOfDirectory(atPath: folder).first { $0.hasSuffix(suffix) }.map { folder + "/" + $0 }
    }

    /// Installs 1.0.0 by delta (from an empty installation), which keeps its index, and forgets the requests.
    static func provisionByDelta(_ fixture: DeltaFixture) async throws {
        try fixture.publish("1.0.0", DeltaFixture.oldTree)
        #expect(try await fixture.update() == .updated(from: SemanticVersion(0, 0, 0), to: SemanticVersion(1, 0, 0)))
        try #require(try keptIndex(fixture) != nil, "1.0.0's index is kept")
        try fixture.nginx.clearRequests()
    }

    /// The kept index of 1.0.0.
    static func keptIndex(_ fixture: DeltaFixture) throws -> String? {
        let kept = KeptIndexes(directory: StateDirectory(installation: fixture.configuration.installation))
        return kept.all().first { $0.version == "1.0.0" }.map { kept.path + "/" + $0.name }
    }

    static func size(_ path: String) -> Int { Int(FileSystem.lstatInfo(path)?.st_size ?? -1) }

    @Test("a device that kept 1.0.0's index fetches only the index patch, the tree equals the archive's, and the log counts the patch's bytes",
          arguments: ["in_place", "releases"])
    func patchReplacesTheIndex(layout: String) async throws {
        let fixture = try DeltaFixture(layout: layout)
        try await Self.provisionByDelta(fixture)
        let archive = try fixture.publish("1.1.0", DeltaFixture.newTree, patches: true)
        let patch = try #require(try Self.repositoryFile(fixture, "1.1.0", suffix: ".patch"), "an index patch target beside the index")
        let index = try #require(try Self.repositoryFile(fixture, "1.1.0", suffix: ".index.gz"))
        #expect(Self.size(patch) * 5 < Self.size(index), "\(Self.size(patch)) bytes of index patch against \(Self.size(index)) of index")
        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))

        let requests = try fixture.nginx.requests()
        #expect(!requests.contains { $0.uri.hasSuffix(".index.gz") }, "the index was not fetched: \(requests)")
        let sent = requests.filter { $0.uri.hasSuffix(".patch") }
        // nginx counts the response headers too: the patch and its headers are still fewer bytes than the index alone.
        #expect(sent.count == 1 && sent[0].status == 200, "the index patch, once: \(requests)")
        #expect(sent.allSatisfy { $0.bytesSent >= Self.size(patch) && $0.bytesSent < Self.size(index) }, "\(sent)")
        #expect(fixture.log.contains("by delta: index \(Self.size(patch)) bytes,"), "\(fixture.log)")
        #expect(fixture.log.contains("index made from "), "\(fixture.log)")
        #expect(DeltaPatchUpdateTests.managed(try DeltaFixture.describe(fixture.installedRoot)) == DeltaPatchUpdateTests.managed(try fixture.extracted(archive)))
    }

    @Test("without a kept index, with another kept index, or with the patch missing or corrupt, the full index is fetched and the update goes on by delta",
          arguments: ["no kept index", "other kept index", "missing", "corrupt"])
    func fallsBackToTheIndex(damage: String) async throws {
        let fixture = try DeltaFixture()
        if damage == "no kept index" { try await fixture.provision() } else { try await Self.provisionByDelta(fixture) }
        let archive = try fixture.publish("1.1.0", DeltaFixture.newTree, patches: true)
        let patch = try #require(try Self.repositoryFile(fixture, "1.1.0", suffix: ".patch"))
        switch damage {
        case "no kept index":
            break
        case "other kept index":
            let kept = try #require(try Self.keptIndex(fixture))
            try FileManager.default.removeItem(atPath: kept)
            try FileManager.default.copyItem(atPath: try #require(try Self.repositoryFile(fixture, "1.1.0", suffix: ".index.gz")), toPath: kept)
        case "missing":
            try FileManager.default.removeItem(atPath: patch)
        default:
            var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: patch)))
            bytes[bytes.count - 8] ^= 0xFF
            try Data(bytes).write(to: URL(fileURLWithPath: patch))
        }
        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))

        let requests = try fixture.nginx.requests()
        #expect(requests.contains { $0.uri.hasSuffix("monitor-1.1.0.tar.gz.index.gz") && $0.status == 200 }, "the full index: \(requests)")
        #expect(requests.contains { $0.uri.hasSuffix(".patch") } == ["missing", "corrupt"].contains(damage), "\(requests)")
        #expect(!requests.contains { $0.uri.hasSuffix("monitor-1.1.0.tar.gz") }, "still by delta")
        let note = ["no kept index": "no index of the installed release is kept", "other kept index": "no index patch from the kept index",
                    "missing": "was not used", "corrupt": "was not used"][damage]!
        #expect(fixture.log.contains("\(note)") && fixture.log.contains("fetching the full index"), "\(fixture.log)")
        #expect(DeltaPatchUpdateTests.managed(try DeltaFixture.describe(fixture.installedRoot)) == DeltaPatchUpdateTests.managed(try fixture.extracted(archive)))
    }

    @Test("--no-patches publishes no index patch; the index patch is a TUF target beside the index")
    func publisherTargets() async throws {
        let fixture = try DeltaFixture()
        try fixture.publish("1.0.0", DeltaFixture.oldTree)
        try fixture.publish("1.1.0", DeltaFixture.newTree, patches: false)
        #expect(try Self.repositoryFile(fixture, "1.1.0", suffix: ".patch") == nil)
        var tree = DeltaFixture.newTree
        tree["VERSION"] = "1.2.0\n"
        try fixture.publish("1.2.0", tree, patches: true)
        let patch = try #require(try Self.repositoryFile(fixture, "1.2.0", suffix: ".patch"))
        let newest = try FileManager.default.contentsOfDirectory(atPath: fixture.work.url("repo/metadata"))
            .filter { $0.hasSuffix(".targets.json") }.max { Int($0.prefix { $0 != "." }) ?? 0 < Int($1.prefix { $0 != "." }) ?? 0 }
        let targets = try String(contentsOfFile: fixture.work.url("repo/metadata/" + (try #require(newest))), encoding: .utf8)
        let name = String(PathName.lastComponent(of: patch).drop { $0 != "." }.dropFirst())
        #expect(targets.contains("\"monitor/1.2.0/\(name)\""), "\(name) is a signed target")
        let base = try Gzip.decompress(Array(try Data(contentsOf: URL(fileURLWithPath: try #require(try Self.repositoryFile(fixture, "1.1.0", suffix: ".index.gz"))))), limit: 1 << 26)
        let (header, _) = try DeltaIndexPatch.Header.read(Array(try Data(contentsOf: URL(fileURLWithPath: patch))))
        #expect(header.base == SHA256Hex.of(base), "patched from 1.1.0's index text")
    }
}

extension IndexPatchUpdateTests {
    @Test("the index made from a patch is kept in turn: the next release's index comes as a patch from it too")
    func madeIndexIsKept() async throws {
        let fixture = try DeltaFixture(layout: "releases")
        try await Self.provisionByDelta(fixture)
        try fixture.publish("1.1.0", DeltaFixture.newTree, patches: true)
        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))
        var next = DeltaFixture.newTree
        next["VERSION"] = "1.2.0\n"
        next["src/pkg3/new.py"] = "print('changed in 1.2.0')\n"
        let archive = try fixture.publish("1.2.0", next, patches: true)
        try fixture.nginx.clearRequests()
        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 1, 0), to: SemanticVersion(1, 2, 0)))

        let requests = try fixture.nginx.requests()
        #expect(!requests.contains { $0.uri.hasSuffix(".index.gz") }, "the index was not fetched: \(requests)")
        #expect(requests.filter { $0.uri.hasSuffix(".patch") && $0.uri.contains("/1.2.0/") }.count == 1, "\(requests)")
        #expect(DeltaPatchUpdateTests.managed(try DeltaFixture.describe(fixture.installedRoot)) == DeltaPatchUpdateTests.managed(try fixture.extracted(archive)))
    }
}
