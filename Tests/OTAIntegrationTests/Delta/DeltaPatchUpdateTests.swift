import Foundation
import Testing
@testable import OTA
import OTATestSupport

/// The patch tier of delta updates from a repository on nginx: a file changed at the same path comes as a
/// zstd patch from the installed file when the device holds exactly the old content, else as its object;
/// a corrupt patch falls back to the full archive.
@Suite("Delta updates: zstd patches from the previous release", .timeLimit(.minutes(10)))
struct DeltaPatchUpdateTests {
    /// The patches published in the repository: new SHA-256 → patch file path.
    static func patches(_ fixture: DeltaFixture) throws -> [String: String] {
        let folder = fixture.work.url("repo/targets/patches")
        var result: [String: String] = [:]
        guard FileSystem.exists(folder) else { return result }
        for entry in try FileSystem.walk(folder) where entry.kind == .file {
            result[String(PathName.lastComponent(of: entry.path).prefix(64))] = folder + "/" + entry.path
        }
        return result
    }

    /// The patches requested from nginx (their new SHA-256s).
    static func patchRequests(_ fixture: DeltaFixture) throws -> [String] {
        try fixture.nginx.requests().filter { $0.uri.hasPrefix("/targets/patches/") }.map { String($0.uri.split(separator: "/").last!.prefix(64)) }
    }

    static func size(_ path: String) -> Int { Int(FileSystem.lstatInfo(path)?.st_size ?? -1) }

    static func managed(_ tree: [String: String]) -> [String: String] {
        tree.filter { ["src", "config", "VERSION"].contains(String($0.key.split(separator: "/")[0])) }
    }

    @Test("files changed at the same path come as patches against the installed files, new files as objects, in fewer bytes; the tree equals the archive's",
          arguments: ["in_place", "releases"])
    func patchesAreUsed(layout: String) async throws {
        let fixture = try DeltaFixture(layout: layout)
        try await fixture.provision()
        let archive = try fixture.publish("1.1.0", DeltaFixture.newTree, patches: true)
        let published = try Self.patches(fixture)
        let patched = try fixture.sha256(DeltaFixture.newTree["src/pkg1/module1.py"]!)
        try #require(published[patched] != nil, "a patch for the changed module1.py: \(published)")
        #expect(published[try fixture.sha256(DeltaFixture.newTree["src/pkg3/new.py"]!)] == nil, "no patch for a file new at its path")
        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))

        let objects = try fixture.requests().objects, patches = try Self.patchRequests(fixture)
        #expect(Set(patches) == Set(published.keys), "every published patch is used: the device holds each old content")
        #expect(Set(objects).isDisjoint(with: patches))
        #expect(Set(objects).union(patches) == (try fixture.changedDigests()), "each changed content once, by patch or object")
        let patchBytes = published.values.reduce(0) { $0 + Self.size($1) }
        let objectBytesInstead = published.keys.reduce(0) { $0 + Self.size(fixture.objectPath($1)) }
        #expect(patchBytes < objectBytesInstead, "\(patchBytes) bytes of patches against \(objectBytesInstead) of objects")
        #expect(fixture.log.contains(", \(published.count) patches \(patchBytes) bytes in "), "\(fixture.log)")
        #expect(Self.managed(try DeltaFixture.describe(fixture.installedRoot)) == Self.managed(try fixture.extracted(archive)))
    }

    @Test("a file the device changed locally has not the patch's old content: its object is fetched instead")
    func changedOldContentTakesTheObject() async throws {
        let fixture = try DeltaFixture()
        try await fixture.provision()
        let archive = try fixture.publish("1.1.0", DeltaFixture.newTree, patches: true)
        try fixture.work.write("install/src/pkg1/module1.py", DeltaFixture.oldTree["src/pkg1/module1.py"]! + "# edited on the device\n")
        let patched = try fixture.sha256(DeltaFixture.newTree["src/pkg1/module1.py"]!)
        try #require(try Self.patches(fixture)[patched] != nil)
        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))

        #expect(try fixture.requests().objects.contains(patched), "module1.py's object")
        #expect(try !Self.patchRequests(fixture).contains(patched), "not its patch")
        #expect(try !fixture.requests().others.contains { $0.hasSuffix("monitor-1.1.0.tar.gz") }, "by delta")
        #expect(Self.managed(try DeltaFixture.describe(fixture.installedRoot)) == Self.managed(try fixture.extracted(archive)))
    }

    @Test("a corrupt patch, or a missing one, falls back to the full archive, which installs", arguments: ["corrupt", "missing"])
    func brokenPatchFallsBack(damage: String) async throws {
        let fixture = try DeltaFixture()
        try await fixture.provision()
        let archive = try fixture.publish("1.1.0", DeltaFixture.newTree, patches: true)
        let patch = try #require(try Self.patches(fixture)[try fixture.sha256(DeltaFixture.newTree["src/pkg1/module1.py"]!)])
        if damage == "corrupt" {
            var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: patch)))
            bytes[bytes.count / 2] ^= 0xFF
            try Data(bytes).write(to: URL(fileURLWithPath: patch))
        } else {
            try FileManager.default.removeItem(atPath: patch)
        }
        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))

        #expect(try fixture.requests().others.contains { $0.hasSuffix("monitor-1.1.0.tar.gz") }, "the full archive was fetched")
        #expect(fixture.log.contains("delta update of 1.1.0 failed, fetching the full archive"), "\(fixture.log)")
        #expect(Self.managed(try DeltaFixture.describe(fixture.installedRoot)) == Self.managed(try fixture.extracted(archive)))
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: fixture.work.url("state/staging"))) ?? []
        #expect(leftovers.isEmpty, "no staged leftovers")
    }

    @Test("--no-patches publishes objects only; --patch-from names the releases patched from")
    func publisherChoosesBases() throws {
        let fixture = try DeltaFixture()
        try fixture.publish("1.0.0", DeltaFixture.oldTree)
        var tree = DeltaFixture.newTree
        try fixture.publish("1.1.0", tree)
        #expect(try Self.patches(fixture).isEmpty)
        tree["VERSION"] = "1.2.0\n"
        tree["src/pkg1/module1.py"]! += "print('again')\n"
        let build = "tree-1.2.0/monitor-1.2.0"
        for (path, content) in tree { try fixture.work.write("\(build)/\(path)", content) }
        let archive = fixture.work.url("build/monitor-1.2.0.tar.gz")
        let tar = try Process.run(URL(fileURLWithPath: "/usr/bin/env"), arguments: ["tar", "-czf", archive, "-C", fixture.work.url("tree-1.2.0"), "monitor-1.2.0"])
        tar.waitUntilExit()
        #expect(throws: TUFPublishError.self) { try fixture.publisher.add(version: "1.2.0", platform: "any", patchFrom: ["0.9.0"], archives: [archive]) }
        try fixture.publisher.add(version: "1.2.0", platform: "any", patchFrom: ["1.0.0", "1.1.0"], archives: [archive])
        // module1.py of 1.2.0 is patched from both 1.0.0's and 1.1.0's module1.py.
        let folder = fixture.work.url("repo/targets/patches")
        let module1 = try fixture.sha256(tree["src/pkg1/module1.py"]!)
        let names = try FileSystem.walk(folder).filter { $0.kind == .file }.map { PathName.lastComponent(of: $0.path) }
        #expect(Set(try [DeltaFixture.oldTree, DeltaFixture.newTree].map { "\(module1).\(try fixture.sha256($0["src/pkg1/module1.py"]!))" })
            .isSubset(of: Set(names)), "\(names)")
    }
}
