import Foundation
import Testing
@testable import OTA
import OTATestSupport

/// In the `releases` layout with `delta` on, a release installed from its full archive gets a record too: the
/// device hashes the extracted folder once and keeps the index it made, so that the next delta reads none of
/// its unchanged files.
@Suite("Delta updates: the record of a release installed from its full archive", .timeLimit(.minutes(10)))
struct DeltaHashedRecordTests {
    /// A device (releases layout, `delta` on) at 1.0.0, installed from the full archive because the delta failed
    /// (1.0.0's VERSION object is missing from the repository), with 1.1.0 published.
    static func deviceAfterFullInstall() async throws -> DeltaFixture {
        let fixture = try DeltaFixture(layout: "releases")
        try fixture.publish("1.0.0", DeltaFixture.oldTree)
        try FileManager.default.removeItem(atPath: fixture.objectPath(try fixture.sha256("1.0.0\n")))
        #expect(try await fixture.update() == .updated(from: SemanticVersion(0, 0, 0), to: SemanticVersion(1, 0, 0)))
        #expect(fixture.log.contains("delta update of 1.0.0 failed, fetching the full archive"))
        try fixture.publish("1.1.0", DeltaFixture.newTree)
        try fixture.nginx.clearRequests()
        return fixture
    }

    @Test("the extracted release is hashed once and kept as its folder's record; the next delta reads none of its files")
    func nextDeltaHashesNothing() async throws {
        let fixture = try await Self.deviceAfterFullInstall()
        let kept = KeptIndexes(directory: StateDirectory(installation: fixture.configuration.installation))
        #expect(kept.all().map(\.form) == [.hashed])
        #expect(kept.record(of: fixture.work.url("install/releases/1.0.0")) != nil, "the record names the installed folder")

        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))
        let (vouched, hashed) = try DeltaKeptIndexTests.reuse(in: fixture.log, version: "1.1.0")
        #expect(hashed == 0, "unchanged and moved files are taken on the record; the changed same-size VERSION is not read")
        #expect(vouched == DeltaKeptIndexTests.unchanged(DeltaFixture.newTree, from: DeltaFixture.oldTree) + 1, "+ the moved module")
        #expect(Set(try fixture.requests().objects) == (try fixture.changedDigests()))
        let archive = fixture.work.url("build/monitor-1.1.0.tar.gz")
        #expect(try DeltaFixture.describe(fixture.installedRoot) == (try fixture.extracted(archive)))
        #expect(kept.all().map(\.form) == [.hashed, .folder], "1.0.0's record, and 1.1.0's fetched index")
    }

    @Test("a file of the extracted release changed after the install (same size) is hashed, refused and fetched")
    func changedFileIsNotTrusted() async throws {
        let fixture = try await Self.deviceAfterFullInstall()
        let path = "src/pkg0/module0.py"
        let original = try #require(DeltaFixture.oldTree[path])
        let fd = open(fixture.installedRoot + "/" + path, O_WRONLY)
        try #require(fd >= 0)
        _ = String(repeating: "#", count: original.utf8.count).withCString { write(fd, $0, original.utf8.count) }
        close(fd)

        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))
        let (vouched, hashed) = try DeltaKeptIndexTests.reuse(in: fixture.log, version: "1.1.0")
        #expect(hashed == original.utf8.count, "only the changed file is read")
        #expect(vouched == DeltaKeptIndexTests.unchanged(DeltaFixture.newTree, from: DeltaFixture.oldTree))
        #expect(Set(try fixture.requests().objects).contains(try fixture.sha256(original)))
        let archive = fixture.work.url("build/monitor-1.1.0.tar.gz")
        #expect(try DeltaFixture.describe(fixture.installedRoot) == (try fixture.extracted(archive)))
    }

    @Test("a record that cannot be kept (a file planted where its folder goes) leaves the install as it is; the next delta hashes")
    func recordNotKept() async throws {
        let fixture = try DeltaFixture(layout: "releases")
        try fixture.publish("1.0.0", DeltaFixture.oldTree)
        try FileManager.default.removeItem(atPath: fixture.objectPath(try fixture.sha256("1.0.0\n")))
        try FileManager.default.createDirectory(atPath: fixture.work.url("state"), withIntermediateDirectories: true)
        _ = try fixture.work.write("state/kept-indexes", "not a folder\n")
        #expect(try await fixture.update() == .updated(from: SemanticVersion(0, 0, 0), to: SemanticVersion(1, 0, 0)))
        #expect(try DeltaFixture.describe(fixture.installedRoot) == (try fixture.extracted(fixture.work.url("build/monitor-1.0.0.tar.gz"))))

        try fixture.publish("1.1.0", DeltaFixture.newTree)
        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))
        let (vouched, hashed) = try DeltaKeptIndexTests.reuse(in: fixture.log, version: "1.1.0")
        #expect(vouched == 0 && hashed > 0, "no record: the linked files are hashed")
        #expect(try DeltaFixture.describe(fixture.installedRoot) == (try fixture.extracted(fixture.work.url("build/monitor-1.1.0.tar.gz"))))
    }

    @Test("with delta off, or in the in_place layout, a full install hashes nothing and keeps no record")
    func noRecordWithoutDelta() async throws {
        for (layout, delta) in [("releases", false), ("in_place", true)] {
            let fixture = try DeltaFixture(layout: layout)
            try fixture.publish("1.0.0", DeltaFixture.oldTree)
            try FileManager.default.removeItem(atPath: fixture.objectPath(try fixture.sha256("1.0.0\n")))
            var configuration = fixture.configuration
            configuration.transfer.delta = delta
            #expect(try await DeltaFixture.update(configuration) == .updated(from: SemanticVersion(0, 0, 0), to: SemanticVersion(1, 0, 0)))
            #expect(KeptIndexes(directory: StateDirectory(installation: configuration.installation)).all().isEmpty, "\(layout), delta \(delta)")
        }
    }
}
