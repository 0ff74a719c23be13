import Foundation
import Logging
import Testing
@testable import OTAMirror

@Suite("Release catalog")
struct ReleaseCatalogTests {
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    func catalog(_ directory: TemporaryDirectory) throws -> ReleaseCatalog {
        try ReleaseCatalog(root: directory.path, logger: Self.logger)
    }

    @Test("a missing root is a clear error")
    func missingRoot() throws {
        let directory = try TemporaryDirectory()
        let error = #expect(throws: MirrorError.self) { try ReleaseCatalog(root: directory.url("nope"), logger: Self.logger) }
        #expect(error?.code == .rootNotFound)
        #expect(error?.message.contains("nope") == true)
        try directory.write("file", "x")
        #expect(throws: MirrorError.self) { try ReleaseCatalog(root: directory.url("file"), logger: Self.logger) }
    }

    @Test("releases are ordered newest SemVer first, non-SemVer tags last by name")
    func ordering() throws {
        let directory = try TemporaryDirectory()
        for tag in ["v1.9.0", "nightly", "v1.10.0", "v1.9.0-rc.1", "v1.9.0-beta.2", "2.0.0", "edge"] {
            try directory.write("o/r/\(tag)/a.bin", tag)
        }
        let repository = try #require(try catalog(directory).repository(owner: "o", repo: "r"))
        #expect(repository.releases.map(\.tag) == ["2.0.0", "v1.10.0", "v1.9.0", "v1.9.0-rc.1", "v1.9.0-beta.2", "edge", "nightly"])
        #expect(repository.latest?.tag == "2.0.0")
    }

    @Test("latest skips drafts, pre-releases and non-SemVer tags; release.json is applied")
    func latestAndMetadata() throws {
        let directory = try TemporaryDirectory()
        try directory.write("o/r/v3.0.0/release.json", #"{"draft": true}"#)
        try directory.write("o/r/v2.1.0/release.json", #"{"prerelease": true, "name": "Two one"}"#)
        try directory.write("o/r/v2.0.0-rc.1/a", "x")
        try directory.write("o/r/v2.0.0/release.json",
                            #"{"name": "Two", "body": "Notes", "published_at": "2024-05-01T12:00:00Z", "prerelease": false}"#)
        try directory.write("o/r/zzz/a", "x")
        let repository = try #require(try catalog(directory).repository(owner: "o", repo: "r"))
        let latest = try #require(repository.latest)
        #expect(latest.tag == "v2.0.0")
        #expect(latest.metadata == ReleaseMetadata(name: "Two", body: "Notes", prerelease: false, publishedAt: "2024-05-01T12:00:00Z"))
        #expect(repository.release(tag: "v3.0.0")?.isDraft == true)
        #expect(repository.release(tag: "v2.1.0")?.isPrerelease == true)
        #expect(repository.release(tag: "v2.0.0-rc.1")?.isPrerelease == true)
        #expect(latest.assets.isEmpty, "release.json is not an asset")
    }

    @Test("an invalid release.json leaves that release out, others stay", arguments: [
        "{not json", #"["a"]"#, #"{"draft": "yes"}"#, #"{"pre-release": true}"#, #"{"published_at": "yesterday"}"#,
    ])
    func invalidMetadata(json: String) throws {
        let directory = try TemporaryDirectory()
        try directory.write("o/r/v1.0.0/release.json", json)
        try directory.write("o/r/v1.0.0/a", "x")
        try directory.write("o/r/v0.9.0/a", "x")
        let repository = try #require(try catalog(directory).repository(owner: "o", repo: "r"))
        #expect(repository.releases.map(\.tag) == ["v0.9.0"])
        #expect(throws: MirrorError.self) { try ReleaseMetadata.load(from: URL(fileURLWithPath: directory.url("o/r/v1.0.0/release.json"))) }
    }

    @Test("symlinks that leave the root, hidden files and special files are never assets")
    func symlinksOutsideRoot() throws {
        let outside = try TemporaryDirectory()
        try outside.write("secret.txt", "secret")
        try outside.write("v9.9.9/loot.bin", "loot")
        let directory = try TemporaryDirectory()
        try directory.write("o/r/v1.0.0/ok.bin", "ok")
        try directory.write("o/r/v1.0.0/.hidden", "hidden")
        try FileManager.default.createSymbolicLink(atPath: directory.url("o/r/v1.0.0/secret.txt"), withDestinationPath: outside.url("secret.txt"))
        try FileManager.default.createSymbolicLink(atPath: directory.url("o/r/v9.9.9"), withDestinationPath: outside.url("v9.9.9"))
        try FileManager.default.createSymbolicLink(atPath: directory.url("o/r/v1.0.0/inside.bin"), withDestinationPath: directory.url("o/r/v1.0.0/ok.bin"))
        try FileManager.default.createSymbolicLink(atPath: directory.url("evil"), withDestinationPath: outside.path)
        let catalog = try catalog(directory)
        let repository = try #require(catalog.repository(owner: "o", repo: "r"))
        #expect(repository.releases.map(\.tag) == ["v1.0.0"])
        #expect(repository.releases[0].assets.map(\.name) == ["inside.bin", "ok.bin"])
        #expect(catalog.repository(owner: "evil", repo: "v9.9.9") == nil)
        #expect(catalog.repository(owner: "..", repo: "..") == nil)
        #expect(catalog.insideRoot(outside.url("secret.txt")) == nil)
    }

    @Test("ids are stable across catalog instances and distinct; owner/repo match case-insensitively")
    func stableIDs() throws {
        let directory = try TemporaryDirectory()
        try directory.write("Owner/Repo/v1.0.0/a.bin", "a")
        try directory.write("Owner/Repo/v1.0.0/b.bin", "b")
        try directory.write("Owner/Repo/v2.0.0/a.bin", "a")
        let first = try #require(try catalog(directory).repository(owner: "Owner", repo: "Repo"))
        let second = try #require(try catalog(directory).repository(owner: "owner", repo: "repo"))
        #expect(first == second)
        let ids = first.releases.map(\.id) + first.releases.flatMap { $0.assets.map(\.id) }
        #expect(Set(ids).count == 5)
        #expect(ids.allSatisfy { $0 > 0 && $0 <= StableID.maximum })
        #expect(first.releases[0].id == StableID.id(for: "release:Owner/Repo/v2.0.0"))
    }

    @Test("a colliding id is re-hashed deterministically")
    func collisions() {
        let taken = StableID.id(for: "asset:x")
        let assigned = StableID.assign(["asset:x", "asset:y"], avoiding: [taken])
        #expect(assigned["asset:x"] == StableID.id(for: "asset:x", attempt: 1))
        #expect(assigned["asset:x"] != taken)
        #expect(StableID.assign(["asset:x", "asset:y"], avoiding: [taken]) == assigned)
    }

    @Test("digests are cached per file and recomputed when its mtime changes")
    func digests() throws {
        let directory = try TemporaryDirectory()
        try directory.write("o/r/v1.0.0/a.bin", "one", modified: Date(timeIntervalSince1970: 1_000_000))
        let catalog = try catalog(directory)
        let before = try #require(catalog.repository(owner: "o", repo: "r")?.releases[0].assets[0])
        #expect(before.sha256 == "7692c3ad3540bb803c020b3aee66cd8887123234ea0c6e7143c0add73ff431ed")
        #expect(catalog.digests.isCached(before.file.path))
        try directory.write("o/r/v1.0.0/a.bin", "two", modified: Date(timeIntervalSince1970: 1_000_001))
        let after = try #require(catalog.repository(owner: "o", repo: "r")?.releases[0].assets[0])
        #expect(after.sha256 == "3fc4ccfe745870e2c0d99f71f30ff0656c8dedd41cc1d7d3d376b0dbe685e2f3")
    }
}
