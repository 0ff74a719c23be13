import Foundation
import Testing
@testable import OTA
@testable import OTATestSupport

/// The client reads only the release fields it uses, so other servers' lists work: Gitea and Forgejo
/// (`/api/v1`), proxies that trim objects, and any list within the 4 MiB cap.
@Suite("Release list shapes", .timeLimit(.minutes(10)))
struct ReleaseListShapesTests {
    /// A release list as Gitea 1.2x and Forgejo send it: no `node_id`, user objects without GitHub's
    /// URLs, assets without `url`, `content_type` or `digest`, dates with a zone offset.
    static func giteaList(base: String) -> String {
        """
        [{"id": 12, "tag_name": "v1.3.0", "target_commitish": "main", "name": "Monitor 1.3.0", "body": "Fixes",
          "url": "\(base)/api/v1/repos/octo/app/releases/12", "html_url": "\(base)/octo/app/releases/tag/v1.3.0",
          "tarball_url": "\(base)/octo/app/archive/v1.3.0.tar.gz", "zipball_url": "\(base)/octo/app/archive/v1.3.0.zip",
          "upload_url": "\(base)/api/v1/repos/octo/app/releases/12/assets", "draft": false, "prerelease": false,
          "created_at": "2026-03-01T10:00:00+01:00", "published_at": "2026-03-01T10:00:00+01:00",
          "author": {"id": 1, "login": "octo", "login_name": "", "source_id": 0, "full_name": "", "email": "octo@noreply.localhost",
                     "avatar_url": "\(base)/avatars/1", "html_url": "\(base)/octo", "language": "", "is_admin": false},
          "assets": [{"id": 31, "name": "app-1.3.0-linux-x86_64.tar.gz", "size": 5, "download_count": 0,
                      "created_at": "2026-03-01T10:00:00+01:00", "uuid": "8e2d6a51-4a8f-4c1e-9b57-2f3c0d1e7a90",
                      "browser_download_url": "\(base)/octo/app/releases/download/v1.3.0/app-1.3.0-linux-x86_64.tar.gz", "type": "attachment"}]},
         {"id": 11, "tag_name": "v1.2.0", "target_commitish": "main", "name": "", "body": "", "url": "\(base)/api/v1/repos/octo/app/releases/11",
          "html_url": "\(base)/octo/app/releases/tag/v1.2.0", "tarball_url": "\(base)/octo/app/archive/v1.2.0.tar.gz", "zipball_url": "",
          "upload_url": "", "draft": false, "prerelease": true, "created_at": "2026-02-01T10:00:00Z", "published_at": "2026-02-01T10:00:00Z",
          "author": {"id": 1, "login": "octo"}, "assets": []}]
        """
    }

    @Test("a Gitea/Forgejo release list at /api/v1 is read, and its asset downloads from browser_download_url")
    func gitea() async throws {
        let server = try FakeHTTPServer { request, connection in
            let base = "http://127.0.0.1:\(request.headers["host"]!.split(separator: ":").last!)"
            switch request.path {
            case "/api/v1/repos/octo/app/releases": connection.respond(status: 200, json: Self.giteaList(base: base))
            case "/octo/app/releases/download/v1.3.0/app-1.3.0-linux-x86_64.tar.gz": connection.respond(status: 200, body: Array("bytes".utf8))
            default: connection.respond(status: 404, json: #"{"message":"not found"}"#)
            }
        }
        let directory = try TemporaryDirectory()
        var config = OTAConfiguration.forTest(api: server.baseURL + "/api/v1", state: directory)
        config.source.assetPattern = "app-{version}-{os}-{arch}.tar.gz"
        let downloaded = try await withTransfer(config) { source, downloader in
            let releases = try await source.releases()
            #expect(releases.map(\.tag) == ["v1.3.0", "v1.2.0"])
            #expect(releases[0].name == "Monitor 1.3.0" && releases[0].notes == "Fixes")
            #expect(releases[1].isPrerelease)
            let asset = try #require(releases[0].assets.first)
            #expect(asset.apiURL == server.baseURL + "/octo/app/releases/download/v1.3.0/app-1.3.0-linux-x86_64.tar.gz")
            #expect(asset.size == 5 && asset.digest == nil)
            let artifact = try AssetPattern(pattern: config.source.assetPattern, arch: "x86_64").artifact(for: releases[0], repository: "octo/app")
            return try await downloader.download(artifact)
        }
        #expect(try String(contentsOfFile: downloaded.path, encoding: .utf8) == "bytes")
    }

    @Test("a list trimmed to the fields the client uses is read", arguments: [
        #"[{"tag_name": "v2.0.0", "assets": [{"name": "app.tar.gz", "size": 3, "url": "https://h/a/1"}]}]"#,
        #"[{"tag_name": "v2.0.0", "draft": null, "assets": [{"name": "app.tar.gz", "size": 3, "browser_download_url": "https://h/a/1"}]}]"#,
        #"[{"tag_name": "v2.0.0", "author": {"login": "x"}, "assets": [{"name": "app.tar.gz", "size": 3, "url": "https://h/a/1", "uploader": null}]}]"#,
    ])
    func trimmed(_ json: String) async throws {
        let server = try FakeHTTPServer { _, connection in connection.respond(status: 200, json: json) }
        let directory = try TemporaryDirectory()
        let releases = try await withTransfer(.forTest(api: server.baseURL, state: directory)) { source, _ in try await source.releases() }
        #expect(releases.count == 1)
        #expect(releases[0].tag == "v2.0.0" && !releases[0].isDraft && !releases[0].isPrerelease)
        #expect(releases[0].assets.map(\.apiURL) == ["https://h/a/1"])
        #expect(releases[0].tarballURL == nil)
    }

    @Test("an asset without any URL, or a release without a tag, is a clear error naming the field", arguments: [
        (#"[{"tag_name": "v2.0.0", "assets": [{"name": "app.tar.gz", "size": 3}]}]"#, "url"),
        (#"[{"name": "2.0.0"}]"#, "tag_name"),
    ])
    func missingFields(_ json: String, _ field: String) async throws {
        let server = try FakeHTTPServer { _, connection in connection.respond(status: 200, json: json) }
        let directory = try TemporaryDirectory()
        let error = try await #require(throws: TransferError.self) {
            try await withTransfer(.forTest(api: server.baseURL, state: directory)) { source, _ in try await source.releases() }
        }
        #expect(error.code == .invalidResponse)
        #expect(error.message.contains("missing field '\(field)'"), "\(error.message)")
    }

    /// A page of `count` releases whose notes make it about `bytes` long.
    static func page(tags: Range<Int>, bytes: Int) -> String {
        let notes = String(repeating: "n", count: bytes / tags.count)
        let releases = tags.map { #"{"tag_name": "v1.\#($0).0", "body": "\#(notes)", "assets": []}"# }
        return "[" + releases.joined(separator: ",") + "]"
    }

    @Test("the release list stops at 4 MiB of JSON across its pages: later pages are left out")
    func listCapAcrossPages() async throws {
        let server = try FakeHTTPServer { request, connection in
            let base = "http://127.0.0.1:\(request.headers["host"]!.split(separator: ":").last!)"
            let page = Int(request.query["page"] ?? "1") ?? 1
            let next = ["Link": "<\(base)/repos/octo/app/releases?per_page=100&page=\(page + 1)>; rel=\"next\""]
            connection.respond(status: 200, headers: next, json: Self.page(tags: (page * 10)..<(page * 10 + 10), bytes: 3 << 20))
        }
        let directory = try TemporaryDirectory()
        let releases = try await withTransfer(.forTest(api: server.baseURL, state: directory)) { source, _ in try await source.releases() }
        #expect(releases.count == 10)
        #expect(releases.map(\.tag).last == "v1.10.0")
        // A loaded machine may time out and retry a page; what matters is that no page past the cap is asked for.
        let pages = server.requests.map { Int($0.query["page"] ?? "1") ?? 1 }
        #expect(pages.first == 1 && pages.contains(2), "\(pages)")
        #expect(pages.allSatisfy { $0 <= 2 }, "the second page is abandoned at the cap, and no third is asked for: \(pages)")
    }

    @Test("a first page beyond 4 MiB is refused with the cap in the message")
    func firstPageTooLarge() async throws {
        let server = try FakeHTTPServer { _, connection in
            connection.respond(status: 200, json: Self.page(tags: 0..<10, bytes: 5 << 20))
        }
        let directory = try TemporaryDirectory()
        let error = try await #require(throws: TransferError.self) {
            try await withTransfer(.forTest(api: server.baseURL, state: directory)) { source, _ in try await source.releases() }
        }
        #expect(error.code == .responseTooLarge)
        #expect(error.message.contains("release list of octo/app") && error.message.contains("\(4 << 20) bytes"), "\(error.message)")
        #expect(GitHubReleaseSource.maxListBytes == 4 << 20)
    }
}
