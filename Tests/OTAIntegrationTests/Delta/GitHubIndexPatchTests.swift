import Foundation
import Testing
@testable import OTA
import OTATestSupport

/// The compact index from GitHub release assets: `ota sign --index --patch-from OLD` writes the packed index
/// as a patch against OLD's packed index, signed like the index; a device that kept OLD's index fetches the
/// patch and its signature instead of the index, and refuses a relabelled or forged one as it refuses a
/// relabelled index.
@Suite("Delta updates: the index as a patch against the kept index (GitHub)", .timeLimit(.minutes(10)))
struct GitHubIndexPatchTests {
    static let old = GitHubDeltaFixture.oldTree
    static let new = GitHubDeltaFixture.newTree(changing: [3])

    /// A fixture at 1.0.0 — installed by delta, which keeps its index, when `keep`, else from its full archive —
    /// with 1.1.0 built (patched from 1.0.0) but not listed.
    static func prepared(keep: Bool = true) async throws -> (GitHubDeltaFixture, String) {
        let fixture = try GitHubDeltaFixture()
        if keep {
            try fixture.publish("1.0.0", old)
            #expect(try await fixture.update() == .updated(from: SemanticVersion(0, 0, 0), to: SemanticVersion(1, 0, 0)))
            let kept = KeptIndexes(directory: StateDirectory(installation: fixture.configuration.installation)).all()
            try #require(kept.map(\.version) == ["1.0.0"] && kept.map(\.form) == [.pack], "1.0.0's packed index is kept")
            _ = fixture.server.takeServed()
        } else {
            try await fixture.provision(old)
        }
        let archive = try fixture.build("1.1.0", new, patchFrom: [fixture.work.url("releases/v1.0.0/app-1.0.0.tar.gz")])
        return (fixture, archive)
    }

    /// The index patch of `version` in its release folder.
    static func patchPath(_ fixture: GitHubDeltaFixture, _ version: String) throws -> String {
        let folder = fixture.work.url("releases/v\(version)")
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: folder).first { $0.hasSuffix(".patch") }, "an index patch in \(folder)")
        return folder + "/" + name
    }

    static func size(_ path: String) -> Int { Int(FileSystem.lstatInfo(path)?.st_size ?? -1) }

    static func managed(_ tree: [String: String]) -> [String: String] { GitHubDeltaPatchTests.managed(tree) }

    @Test("a device that kept 1.0.0's index fetches the signed index patch instead of the index; the log counts the patch and its signature")
    func patchReplacesTheIndex() async throws {
        let (fixture, archive) = try await Self.prepared()
        try fixture.server.publish("v1.1.0")
        let patch = try Self.patchPath(fixture, "1.1.0")
        let index = fixture.work.url("releases/v1.1.0/app-1.1.0.tar.gz.index.gz")
        #expect(Self.size(patch) * 2 < Self.size(index), "\(Self.size(patch)) bytes of index patch against \(Self.size(index)) of index")
        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))

        let served = fixture.server.takeServed()
        let name = PathName.lastComponent(of: patch)
        #expect(!served.contains { $0.name.contains(".index.gz") }, "neither the index nor its signature: \(served.map(\.name))")
        let proof = served.filter { $0.name == name || $0.name == name + ".minisig" }
        #expect(proof.count == 2, "\(served.map(\.name))")
        let bytes = proof.reduce(0) { $0 + $1.bytes }
        #expect(bytes == Self.size(patch) + Self.size(patch + ".minisig"))
        #expect(fixture.log.contains("by delta: index \(bytes) bytes,"), "\(fixture.log)")
        #expect(Self.managed(try fixture.installed()) == Self.managed(try fixture.extracted(archive)))
    }

    @Test("a device that kept no index fetches the full index")
    func noKeptIndex() async throws {
        let (fixture, archive) = try await Self.prepared(keep: false)
        try fixture.server.publish("v1.1.0")
        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))
        let served = fixture.server.takeServed().map(\.name)
        #expect(served.contains("app-1.1.0.tar.gz.index.gz") && !served.contains { $0.hasSuffix(".patch") }, "\(served)")
        #expect(fixture.log.contains("no index of the installed release is kept, fetching the full index"), "\(fixture.log)")
        #expect(Self.managed(try fixture.installed()) == Self.managed(try fixture.extracted(archive)))
    }

    @Test("an index patch signed by another key, unsigned, signed for another name, or whose signed digest is not the text it makes: the full index is fetched",
          arguments: ["other key", "unsigned", "relabelled", "forged digest"])
    func refusedPatchFallsBackToTheIndex(damage: String) async throws {
        let (fixture, archive) = try await Self.prepared()
        let patch = try Self.patchPath(fixture, "1.1.0")
        switch damage {
        case "other key":
            try fixture.sign(patch, key: "other")
        case "unsigned":
            try FileManager.default.removeItem(atPath: patch + ".minisig")
        case "relabelled":
            // The same patch, validly signed under the name of another release's index patch.
            let other = fixture.work.url("elsewhere/" + PathName.lastComponent(of: patch).replacingOccurrences(of: "1.1.0", with: "1.0.9"))
            try FileManager.default.createDirectory(atPath: fixture.work.url("elsewhere"), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: patch, toPath: other)
            try fixture.sign(other)
            try FileManager.default.removeItem(atPath: patch + ".minisig")
            try FileManager.default.copyItem(atPath: other + ".minisig", toPath: patch + ".minisig")
        default:
            // Signed by the publisher's key, but its header's text digest is not that of the text it makes.
            var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: patch)))
            var (header, frame) = try DeltaIndexPatch.Header.read(bytes)
            header.text = String(repeating: "0", count: 64)
            bytes = header.line + Array(bytes[frame...])
            try Data(bytes).write(to: URL(fileURLWithPath: patch))
            try fixture.sign(patch)
        }
        try fixture.server.publish("v1.1.0")
        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))

        let served = fixture.server.takeServed().map(\.name)
        #expect(served.contains("app-1.1.0.tar.gz.index.gz"), "the full index: \(served)")
        #expect(!served.contains("app-1.1.0.tar.gz"), "still by delta: \(served)")
        #expect(fixture.log.contains("was not used") && fixture.log.contains("fetching the full index"), "\(fixture.log)")
        #expect(Self.managed(try fixture.installed()) == Self.managed(try fixture.extracted(archive)))
    }

    @Test("another release's signed index patch relabelled into this release is refused: the tree installed is this release's")
    func otherReleasesPatchIsRefused() async throws {
        let (fixture, _) = try await Self.prepared()
        try fixture.server.publish("v1.1.0")
        // 1.2.0 publishes 1.1.0's signed patch from 1.0.0's index under its own name.
        var tree = Self.new
        tree["VERSION"] = Array("1.2.0\n".utf8)
        tree[GitHubDeltaFixture.name(5)] = GitHubDeltaFixture.blob(5, release: "1.2.0")
        let archive = try fixture.build("1.2.0", tree, patchFrom: [fixture.work.url("releases/v1.0.0/app-1.0.0.tar.gz")])
        let patch = try Self.patchPath(fixture, "1.2.0")
        let stolen = try Self.patchPath(fixture, "1.1.0")
        try FileManager.default.removeItem(atPath: patch)
        try FileManager.default.removeItem(atPath: patch + ".minisig")
        try FileManager.default.copyItem(atPath: stolen, toPath: patch)
        try FileManager.default.copyItem(atPath: stolen + ".minisig", toPath: patch + ".minisig")
        try fixture.server.publish("v1.2.0")
        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 2, 0)))

        #expect(fixture.server.takeServed().contains { $0.name == "app-1.2.0.tar.gz.index.gz" }, "the full index")
        #expect(fixture.log.contains("app-1.1.0.tar.gz.index."), "the refusal names the signed file: \(fixture.log)")
        #expect(Self.managed(try fixture.installed()) == Self.managed(try fixture.extracted(archive)))
    }

    @Test("a signed index patch that makes a hostile index is refused like a hostile index: nothing installed, no fallback")
    func hostileReconstructedIndexIsRefused() async throws {
        let (fixture, _) = try await Self.prepared()
        let patch = try Self.patchPath(fixture, "1.1.0")
        let base = try Gzip.decompress(Array(try Data(contentsOf: URL(fileURLWithPath: fixture.work.url("releases/v1.0.0/app-1.0.0.tar.gz.index.gz")))), limit: 1 << 26)
        let text = try Gzip.decompress(Array(try Data(contentsOf: URL(fileURLWithPath: fixture.work.url("releases/v1.1.0/app-1.1.0.tar.gz.index.gz")))), limit: 1 << 26)
        let hostile = String(decoding: text, as: UTF8.self).replacingOccurrences(of: "\tassets/blob03.bin", with: "\t../blob03.bin")
        try #require(hostile != String(decoding: text, as: UTF8.self))
        try Data(try DeltaIndexPatch.make(from: base, to: Array(hostile.utf8))).write(to: URL(fileURLWithPath: patch))
        try fixture.sign(patch)
        try fixture.server.publish("v1.1.0")

        let thrown = await #expect(throws: DeltaError.self) { try await fixture.update() }
        #expect(thrown?.code == .refusedIndex)
        let served = fixture.server.takeServed().map(\.name)
        #expect(!served.contains("app-1.1.0.tar.gz") && !served.contains("app-1.1.0.tar.gz.index.gz"), "no fallback: \(served)")
        #expect(try fixture.installed()["VERSION"] == "file 644 " + SHA256Hex.of(Array("1.0.0\n".utf8)), "nothing was installed")
    }
}
