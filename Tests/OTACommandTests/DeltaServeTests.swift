import Foundation
import OTATestSupport
import Testing

/// Delta updates with the real binaries: `ota publish add` writes the index and objects, `ota serve --tuf`
/// serves them, `ota update` fetches only what changed.
@Suite("ota update by delta from ota serve --tuf", .timeLimit(.minutes(10)))
struct DeltaServeTests {
    /// Packs `files` as `app-<version>.tar.gz` (one top-level folder) and returns its path.
    static func archive(_ work: TemporaryDirectory, _ version: String, _ files: [String: String]) throws -> String {
        for (path, content) in files { try work.write("tree-\(version)/app-\(version)/\(path)", content) }
        try FileManager.default.createDirectory(atPath: work.url("build"), withIntermediateDirectories: true)
        let archive = work.url("build/app-\(version).tar.gz")
        let tar = try Process.run(URL(fileURLWithPath: "/usr/bin/env"), arguments: ["tar", "-czf", archive, "-C", work.url("tree-\(version)"), "app-\(version)"])
        tar.waitUntilExit()
        #expect(tar.terminationStatus == 0)
        return archive
    }

    @Test("the second update fetches the index and the two changed contents (as patches from the previous release), and hard-links the rest")
    func patchRelease() async throws {
        let work = try TemporaryDirectory("ota-delta-serve")
        var files: [String: String] = ["VERSION": "1.0.0\n"]
        for index in 0..<20 { files["src/module\(index).py"] = String(repeating: "print(\(index))\n", count: 40) }
        let repo = work.url("repo"), keys = work.url("keys")
        #expect(try await CommandRunner.run(["publish", "init", "--repo", repo, "--keys", keys, "--product", "app"]).status == 0)
        let first = try Self.archive(work, "1.0.0", files)
        #expect(try await CommandRunner.run(["publish", "add", "--repo", repo, "--keys", keys, "--version", "1.0.0", "--platform", "any", first]).status == 0)
        let (serve, url) = try PublishServeTests.startServe(repo)
        defer { serve.terminate(); serve.waitUntilExit() }
        let config = try work.write("ota.yaml", """
            source: tuf
            tuf_url: \(url)
            tuf_root: \(repo)/metadata/1.root.json
            product: app
            install_dir: \(work.url("install"))
            state_dir: \(work.url("state"))
            layout: releases
            """)
        #expect(try await CommandRunner.run(["update", "--config", config]).status == 0)

        files["VERSION"] = "1.1.0\n"
        files["src/module3.py"] = "print('patched')\n"
        let second = try Self.archive(work, "1.1.0", files)
        #expect(try await CommandRunner.run(["publish", "add", "--repo", repo, "--keys", keys, "--version", "1.1.0", "--platform", "any", second]).status == 0)
        let result = try await CommandRunner.run(["update", "--config", config])
        #expect(result.status == 0, "\(result.stderr)")

        let log = try String(contentsOfFile: work.url("state/ota.log"), encoding: .utf8)
        #expect(log.contains("fetched 1.1.0 by delta: index "), "\(log)")
        #expect(log.contains(", 0 objects 0 bytes, 2 patches "), "VERSION and module3.py only, as patches from 1.0.0 (the default of publish add): \(log)")
        #expect(log.contains("19 files reused (19 hard links, 19 on recorded hashes), 0 bytes hashed"), "\(log)")
        #expect(try String(contentsOfFile: work.url("install/current/src/module3.py"), encoding: .utf8) == "print('patched')\n")
        #expect(try String(contentsOfFile: work.url("install/current/VERSION"), encoding: .utf8) == "1.1.0\n")
    }
}
