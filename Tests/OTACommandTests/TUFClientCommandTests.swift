import Foundation
import OTATestSupport
import Testing

/// `ota tuf-client` (the real binary) against a repository made by python-tuf and served by nginx.
@Suite("ota tuf-client against python-tuf repositories on nginx", .timeLimit(.minutes(10)))
struct TUFClientCommandTests {
    static let files = ["app/1.0.0/app.tar.gz": "release one\n", "docs/read me.txt": "hello\n"]

    static func repository() throws -> TUFCatalogRepository {
        try TUFCatalogRepository(files.sorted { $0.key < $1.key }.map { TUFCatalogRepository.Target(path: $0.key, contents: Data($0.value.utf8)) })
    }

    @Test("init trusts the root, refresh stores the metadata under unversioned names, download fetches each target once by its signed hashes")
    func initRefreshDownload() async throws {
        let repository = try Self.repository()
        let work = try TemporaryDirectory("tuf-client")
        let metadata = work.url("metadata"), targets = work.url("targets")
        let common = ["tuf-client", "--metadata-dir", metadata]
        let initialized = try await CommandRunner.run(common + ["init", repository.initialRoot])
        #expect(initialized.status == 0, "\(initialized.stderr)")
        #expect(FileManager.default.contents(atPath: metadata + "/root.json") == FileManager.default.contents(atPath: repository.initialRoot))

        let online = common + ["--metadata-url", repository.url + "/metadata"]
        let refreshed = try await CommandRunner.run(online + ["refresh"])
        #expect(refreshed.status == 0, "\(refreshed.stderr)")
        for name in ["timestamp.json", "snapshot.json", "targets.json"] {
            #expect(FileManager.default.fileExists(atPath: metadata + "/" + name), "\(name)")
        }

        try FileManager.default.createDirectory(atPath: targets, withIntermediateDirectories: true)
        let download = online + ["--target-name", "app/1.0.0/app.tar.gz", "--target-name", "docs/read me.txt",
                                 "--target-base-url", repository.url + "/targets", "--target-dir", targets, "download"]
        let first = try await CommandRunner.run(download)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try String(contentsOfFile: targets + "/app%2F1.0.0%2Fapp.tar.gz", encoding: .utf8) == "release one\n")
        #expect(try String(contentsOfFile: targets + "/docs%2Fread%20me.txt", encoding: .utf8) == "hello\n")
        #expect(try repository.nginx.requests().filter { $0.uri.hasPrefix("/targets/") }.map(\.status) == [200, 200])

        try repository.nginx.clearRequests()
        let again = try await CommandRunner.run(download)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try repository.nginx.requests().filter { $0.uri.hasPrefix("/targets/") }.isEmpty, "targets already downloaded are not fetched again")
        #expect(try repository.nginx.requests().map(\.description) == ["GET /metadata/2.root.json 404", "GET /metadata/timestamp.json 304"])
    }

    @Test("failures exit 1 with one sentence and leave the trusted metadata as it was; usage errors exit 64")
    func failures() async throws {
        let repository = try Self.repository()
        let work = try TemporaryDirectory("tuf-client")
        let metadata = work.url("metadata")
        let online = ["tuf-client", "--metadata-dir", metadata, "--metadata-url", repository.url + "/metadata"]
        let uninitialised = try await CommandRunner.run(online + ["refresh"])
        #expect(uninitialised.status == 1 && uninitialised.stderr.contains("no trusted TUF root is stored in \(metadata)"), "\(uninitialised.stderr)")

        #expect(try await CommandRunner.run(["tuf-client", "--metadata-dir", metadata, "init", repository.initialRoot]).status == 0)
        #expect(try await CommandRunner.run(online + ["refresh"]).status == 0)
        let missing = try await CommandRunner.run(online + ["--target-name", "app/9.9.9/app.tar.gz", "--target-base-url", repository.url + "/targets",
                                                            "--target-dir", work.url("targets"), "download"])
        #expect(missing.status == 1 && missing.stderr.contains("no target app/9.9.9/app.tar.gz"), "\(missing.stderr)")

        let trusted = FileManager.default.contents(atPath: metadata + "/targets.json")
        try repository.change("forge-targets")
        let forged = try await CommandRunner.run(online + ["refresh"])
        #expect(forged.status == 1 && forged.stderr.contains("targets.json is signed by 0 of the 1 keys of role targets required by root version 1"), "\(forged.stderr)")
        #expect(FileManager.default.contents(atPath: metadata + "/targets.json") == trusted)

        let usage = try await CommandRunner.run(["tuf-client", "--metadata-dir", metadata, "refresh"])
        #expect(usage.status == 64, "\(usage.stderr)")
    }
}
