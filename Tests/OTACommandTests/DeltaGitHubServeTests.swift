import Foundation
@testable import OTA
import OTAArchiveWriter
import OTATestSupport
import Testing

/// Delta updates from GitHub-style release assets with the real binaries: `ota sign --index` makes and signs
/// the index and the pack, the mirror (`ota serve`'s server) serves them as release assets with `Range`,
/// and `ota update` fetches only the changed contents.
@Suite("ota sign --index and ota update by delta from release assets", .serialized, .timeLimit(.minutes(10)))
struct DeltaGitHubServeTests {
    /// Publishes `files` as `v<version>` (`app-<version>.tar.gz`) into the mirror root and runs `ota sign --index` on it.
    static func publish(_ world: MirrorWorld, _ version: String, _ files: [String: String]) async throws -> CommandRunner.Result {
        for (path, content) in files { try world.directory.write("trees/v\(version)/\(path)", content) }
        try world.directory.makeDirectory("mirror/octo/app/v\(version)")
        let archive = world.directory.url("mirror/octo/app/v\(version)/app-\(version).tar.gz")
        try TarGzipWriter.write(directory: world.directory.url("trees/v\(version)"), to: archive, prefix: "app-\(version)")
        return try await CommandRunner.run(["sign", "--index", "--key", world.directory.url("minisign.key"), archive])
    }

    @Test("the second update fetches the index and the changed contents' ranges of the pack, and hard-links the rest")
    func patchRelease() async throws {
        let world = try MirrorWorld()
        try FileManager.default.removeItem(atPath: world.installDirectory + "/src")
        try FileManager.default.removeItem(atPath: world.installDirectory + "/VERSION")
        let keygen = try await CommandRunner.run(["keygen", "--output", "minisign.key"], in: world.directory.path)
        #expect(keygen.status == 0, "\(keygen.stderr)")
        let publicKey = try MinisignPublicKey(fromFile: world.directory.url("minisign.pub")).base64
        var files: [String: String] = ["VERSION": "1.0.0\n"]
        for index in 0..<20 { files["src/module\(index).py"] = String(repeating: "print(\(index))\n", count: 40 + index) }
        let signed = try await Self.publish(world, "1.0.0", files)
        #expect(signed.status == 0, "\(signed.stderr)")
        let folder = world.directory.url("mirror/octo/app/v1.0.0")
        #expect(signed.stdout.contains("indexed \(folder)/app-1.0.0.tar.gz -> \(folder)/app-1.0.0.tar.gz.index.gz"), "\(signed.stdout)")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: folder)) == [
            "app-1.0.0.tar.gz", "app-1.0.0.tar.gz.minisig", "app-1.0.0.tar.gz.index.gz", "app-1.0.0.tar.gz.index.gz.minisig", "app-1.0.0.tar.gz.pack",
        ])
        #expect(try minisign(["-V", "-p", world.directory.url("minisign.pub"), "-m", folder + "/app-1.0.0.tar.gz.index.gz"]) == 0,
                "minisign accepts the index's signature")

        let oldFiles = files
        try await world.withMirror { api in
            try world.writeConfig(api: api, extra: "layout: releases\npublic_key: \(publicKey)\nstate_dir: \(world.directory.url("state"))")
            let install = world.installDirectory
            let first = try await CommandRunner.run(["update"], in: install)
            #expect(first.status == 0, "\(first.stderr)")

            var newFiles = oldFiles
            newFiles["VERSION"] = "1.1.0\n"
            newFiles["src/module3.py"] = "print('patched')\n"
            newFiles["src/module4.py"] = "print('patched too')\n"
            #expect(try await Self.publish(world, "1.1.0", newFiles).status == 0)
            let second = try await CommandRunner.run(["update"], in: install)
            #expect(second.status == 0, "\(second.stderr)")

            let log = try String(contentsOfFile: world.directory.url("state/ota.log"), encoding: .utf8)
            // The pack holds VERSION, then the modules in path order (0, 1, 10…19, 2, 3, 4, …), about 40 bytes each:
            // module3 and module4 are adjacent (one range); the 13 objects between VERSION and them are far more
            // than the gap budget (1/16 of the objects fetched), so VERSION is a range of its own.
            let line = try #require(log.split(separator: "\n").first { $0.contains("fetched 1.1.0 by delta: index ") }, "\(log)")
            #expect(line.contains(", 3 objects ") && line.contains(", 0 patches 0 bytes in 2 requests; 18 files reused (18 hard links, 18 on recorded hashes), 0 bytes hashed"), "\(line)")
            #expect(try String(contentsOfFile: install + "/current/src/module3.py", encoding: .utf8) == "print('patched')\n")
            #expect(try String(contentsOfFile: install + "/current/VERSION", encoding: .utf8) == "1.1.0\n")
        }
    }

    @Test("ota sign --index on a file that is not an archive fails with a one-line error, and writes no index")
    func notAnArchive() async throws {
        let directory = try TemporaryDirectory("ota-sign-index")
        #expect(try await CommandRunner.run(["keygen"], in: directory.path).status == 0)
        try directory.write("notes.txt", "not an archive\n")
        let result = try await CommandRunner.run(["sign", "--index", "notes.txt"], in: directory.path)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: cannot index notes.txt: "), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.url("notes.txt.index.gz")))
        #expect(!FileManager.default.fileExists(atPath: directory.url("notes.txt.pack")))
    }

    @Test("ota sign --index --patch-from OLD names the patches in the signed index and appends them to the pack; --patch-from needs --index")
    func patchFrom() async throws {
        let directory = try TemporaryDirectory("ota-sign-patch-from")
        #expect(try await CommandRunner.run(["keygen"], in: directory.path).status == 0)
        for version in ["1.0.0", "1.1.0"] {
            let lines = (0..<2000).map { $0 == 1000 ? "changed in \(version)\n" : "line \($0)\n" }.joined()
            try directory.write("trees/v\(version)/src/notes.txt", lines)
            try TarGzipWriter.write(directory: directory.url("trees/v\(version)"), to: directory.url("app-\(version).tar.gz"), prefix: "app-\(version)")
        }
        let result = try await CommandRunner.run(["sign", "--index", "--patch-from", "app-1.0.0.tar.gz", "app-1.1.0.tar.gz"], in: directory.path)
        #expect(result.status == 0, "\(result.stderr)")
        let (index, table) = try DeltaPackedIndex.parse(compressed: Array(try Data(contentsOf: URL(fileURLWithPath: directory.url("app-1.1.0.tar.gz.index.gz")))),
                                                         policy: ExtractionPolicy())
        let patch = try #require(index.patches.first)
        #expect(index.patches.count == 1 && patch.length < table.objects[0].length, "\(index.patches)")
        #expect(result.stdout.contains("1 patches of \(patch.length) bytes"), "\(result.stdout)")
        #expect(table.size == table.objects[0].length + patch.length, "the patch follows the object in the pack")

        let unindexed = try await CommandRunner.run(["sign", "--patch-from", "app-1.0.0.tar.gz", "app-1.1.0.tar.gz"], in: directory.path)
        #expect(unindexed.status != 0)
        #expect(unindexed.stderr.contains("--patch-from needs --index"), "\(unindexed.stderr)")
    }
}
