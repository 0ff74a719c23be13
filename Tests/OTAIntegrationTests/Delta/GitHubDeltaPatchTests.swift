import Foundation
import Testing
@testable import OTA
import OTATestSupport

/// The patch tier from GitHub release assets: `ota sign --index --patch-from` appends the zstd patches to the
/// pack after the objects, and the device fetches a patch's byte range instead of the object's.
@Suite("Delta updates: zstd patches in a GitHub release's pack", .timeLimit(.minutes(10)))
struct GitHubDeltaPatchTests {
    /// A text of 3,000 lines, a few of which name the release.
    static func notes(_ release: String) -> [UInt8] {
        Array((0..<3000).map { $0 % 700 == 0 ? "line \($0) of release \(release)\n" : "line \($0): \($0 * 7919 % 10007)\n" }.joined().utf8)
    }

    static func trees() -> (old: [String: [UInt8]], new: [String: [UInt8]]) {
        var old = GitHubDeltaFixture.oldTree, new = GitHubDeltaFixture.newTree(changing: [3])
        old["assets/notes.txt"] = notes("1.0.0")
        new["assets/notes.txt"] = notes("1.1.0")
        return (old, new)
    }

    /// The published index of `version` and its pack table.
    static func index(_ fixture: GitHubDeltaFixture, _ version: String) throws -> (DeltaIndex, DeltaPackTable) {
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: fixture.work.url("releases/v\(version)/app-\(version).tar.gz.index.gz"))))
        return try DeltaPackedIndex.parse(compressed: bytes, policy: ExtractionPolicy())
    }

    static func managed(_ tree: [String: String]) -> [String: String] {
        tree.filter { $0.key == "VERSION" || $0.key.hasPrefix("assets") }
    }

    @Test("a file changed at the same path comes as its patch's range of the pack, in fewer bytes than its object; the tree equals the archive's")
    func patchFromThePack() async throws {
        let fixture = try GitHubDeltaFixture()
        let (old, new) = Self.trees()
        try await fixture.provision(old)
        let archive = try fixture.publish("1.1.0", new, patchFrom: [fixture.work.url("releases/v1.0.0/app-1.0.0.tar.gz")])
        let (index, table) = try Self.index(fixture, "1.1.0")
        let notes = SHA256Hex.of(new["assets/notes.txt"]!)
        let patch = try #require(index.patches.first { $0.newSHA256 == notes })
        let location = try #require(table.locations(of: index.patches)[patch])
        let object = try #require(table.objects.first { $0.sha256 == notes })
        #expect(patch.length * 10 < object.length, "\(patch.length) bytes of patch against \(object.length) of object")
        #expect(location.offset >= table.objects.last!.range.upperBound, "patches follow the objects")
        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))

        let ranges = fixture.server.takeServed().filter { $0.name == "app-1.1.0.tar.gz.pack" }.compactMap(\.range)
        let requested = ranges.compactMap { range -> ClosedRange<Int64>? in
            let bounds = range.dropFirst("bytes=".count).split(separator: "-").compactMap { Int64($0) }
            return bounds.count == 2 ? bounds[0]...bounds[1] : nil
        }
        #expect(requested.contains { $0.contains(location.offset) && $0.contains(location.range.upperBound - 1) }, "the patch's range: \(ranges)")
        #expect(!requested.contains { $0.contains(object.offset) }, "not the object's: \(ranges)")
        #expect(Self.managed(try fixture.installed()) == Self.managed(try fixture.extracted(archive)))
        let patchBytes = index.patches.reduce(0) { $0 + $1.length }
        #expect(fixture.log.contains(", \(index.patches.count) patches \(patchBytes) bytes in "), "\(fixture.log)")
    }

    @Test("a corrupt patch in the pack falls back to the full archive, which installs")
    func corruptPatchFallsBack() async throws {
        let fixture = try GitHubDeltaFixture()
        let (old, new) = Self.trees()
        try await fixture.provision(old)
        let archive = try fixture.build("1.1.0", new, patchFrom: [fixture.work.url("releases/v1.0.0/app-1.0.0.tar.gz")])
        let (index, table) = try Self.index(fixture, "1.1.0")
        let patch = try #require(index.patches.first { $0.newSHA256 == SHA256Hex.of(new["assets/notes.txt"]!) })
        let location = try #require(table.locations(of: index.patches)[patch])
        let pack = fixture.work.url("releases/v1.1.0/app-1.1.0.tar.gz.pack")
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: pack)))
        bytes[Int(location.offset + location.length / 2)] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: pack))
        try fixture.server.publish("v1.1.0")
        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))

        #expect(fixture.server.takeServed().contains { $0.name == "app-1.1.0.tar.gz" }, "the full archive was fetched")
        #expect(fixture.log.contains("delta update of 1.1.0 failed, fetching the full archive"), "\(fixture.log)")
        #expect(Self.managed(try fixture.installed()) == Self.managed(try fixture.extracted(archive)))
    }
}
