import Foundation
import Testing
@testable import OTA
@testable import OTATestSupport

/// A symlink another local user plants in `state_dir` under the name of the release cache or of a partial
/// download is never followed: nothing is read from its target, nothing is written into it.
@Suite("Symlinks planted in state_dir", .timeLimit(.minutes(10)))
struct PlantedStateFileTests {
    /// A file standing for `/etc/shadow`, outside `state_dir`, with `content`.
    static func secret(in directory: TemporaryDirectory, _ content: String) throws -> String {
        let path = try directory.write("elsewhere/shadow", content)
        #expect(chmod(path, 0o600) == 0)
        return path
    }

    @Test("cache/releases.json as a symlink: its target's ETag and list are not used, and the target is not written")
    func releaseCache() async throws {
        let server = try FakeHTTPServer { request, connection in
            if request.headers["if-none-match"] != nil { return connection.respond(status: 304, headers: ["ETag": "\"planted\""]) }
            connection.respond(status: 200, headers: ["ETag": "\"v1\""], json: FakeGitHub.json([FakeGitHub.release("v1.0.0", base: "http://x")]))
        }
        let directory = try TemporaryDirectory()
        let config = OTAConfiguration.forTest(api: server.baseURL, state: directory)
        let listURL = server.baseURL + "/repos/octo/app/releases?per_page=100"
        let planted = #"{"url": "\#(listURL)", "etag": "\"planted\"", "releases": [], "rate_limited_until": null}"#
        let target = try Self.secret(in: directory, planted)
        try FileManager.default.createDirectory(atPath: directory.url("state/cache"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: directory.url("state/cache/releases.json"), withDestinationPath: target)

        let releases = try await withTransfer(config) { source, _ in try await source.releases() }
        #expect(releases.map(\.tag) == ["v1.0.0"])
        let first = try #require(server.requests.first)
        #expect(first.headers["if-none-match"] == nil, "the planted file's ETag was read and sent")
        #expect(try directory.read("elsewhere/shadow") == planted)
        let cache = try #require(FileSystem.lstatInfo(directory.url("state/cache/releases.json")))
        #expect(FileSystem.kind(of: cache) == .file, "the new list replaces the symlink")
    }

    @Test("a partial download whose record or .part file is a symlink starts over: the target is neither read nor appended to",
          arguments: ["record", "part"])
    func partialDownload(_ planted: String) async throws {
        let body = Array(repeating: UInt8(ascii: "x"), count: 100)
        let server = try FakeHTTPServer { request, connection in
            if request.headers["range"] != nil { return connection.respond(status: 500) }
            connection.respond(status: 200, headers: ["ETag": "\"abc\""], body: body)
        }
        let directory = try TemporaryDirectory()
        let config = OTAConfiguration.forTest(api: server.baseURL, state: directory, retries: 0)
        let url = server.baseURL + "/asset"
        let downloads = directory.url("state/downloads")
        try FileManager.default.createDirectory(atPath: downloads, withIntermediateDirectories: true)
        let record = #"{"url": "\#(url)", "etag": "\"abc\"", "expected_size": 100}"#
        let secret: String
        if planted == "record" {
            secret = record
            try FileManager.default.createSymbolicLink(atPath: downloads + "/app.tar.gz.part.json", withDestinationPath: try Self.secret(in: directory, secret))
            try directory.write("state/downloads/app.tar.gz.part", String(repeating: "x", count: 10))
        } else {
            secret = "root:$6$secret:19000:0:99999:7:::\n"
            try FileManager.default.createSymbolicLink(atPath: downloads + "/app.tar.gz.part", withDestinationPath: try Self.secret(in: directory, secret))
            try directory.write("state/downloads/app.tar.gz.part.json", record)
        }
        let asset = ReleaseAsset(id: 1, name: "app.tar.gz", size: 100, apiURL: url)
        let downloaded = try await withTransfer(config) { _, downloader in
            try await downloader.download(Artifact(release: Release(tag: "v1.0.0", version: SemanticVersion(1, 0, 0)), kind: .asset(asset),
                                                   fileName: asset.name, url: url))
        }
        let request = try #require(server.requests.first)
        #expect(request.headers["range"] == nil, "the planted file was taken for a partial download")
        #expect(server.requests.count == 1)
        #expect(downloaded.size == 100)
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: downloaded.path))) == body)
        #expect(try directory.read("elsewhere/shadow") == secret)
    }
}
