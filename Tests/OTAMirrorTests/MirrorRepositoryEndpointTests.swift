import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import OTAMirror

/// `GET /repos/O/R` (the repository object) and `GET /repos/O/R/releases/ID/assets` (a release's
/// assets, paginated like the release list), which standard GitHub clients call.
@Suite("Mirror repository and asset-list endpoints", .timeLimit(.minutes(10)))
struct MirrorRepositoryEndpointTests {
    static func makeRoot() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        for name in ["a.bin", "b.bin", "c.bin"] { try directory.write("o/r/v1.0.0/\(name)", name) }
        return directory
    }

    @Test("/repos/O/R answers GitHub's repository object; names match case-insensitively; unknown ones are 404")
    func repository() async throws {
        let directory = try Self.makeRoot()
        try await withMirror(root: directory.path) { client in
            let response = try await client.get("/repos/O/R")
            #expect(response.status == .ok)
            #expect(response.headers[.eTag] != nil)
            let repository = try #require(try JSONSerialization.jsonObject(with: response.data) as? [String: Any])
            #expect(repository["full_name"] as? String == "o/r")
            #expect(repository["name"] as? String == "r")
            #expect(repository["url"] as? String == client.apiURL + "/repos/o/r")
            #expect(repository["html_url"] as? String == client.apiURL + "/o/r")
            #expect(repository["private"] as? Bool == false)
            #expect(repository["visibility"] as? String == "public")
            #expect(repository["description"] is NSNull)
            #expect((repository["id"] as? Int ?? 0) > 0)
            #expect((repository["owner"] as? [String: Any])?["login"] as? String == "o")
            let again = try #require(try await client.json("/repos/o/r") as? [String: Any])
            #expect(again["id"] as? Int == repository["id"] as? Int)
            #expect(try await client.get("/repos/o/missing").status == .notFound)
            #expect(try await client.get("/repos/missing/r").status == .notFound)
        }
    }

    @Test("with a token the repository is private, and anonymous callers get 404")
    func privateRepository() async throws {
        let directory = try Self.makeRoot()
        try await withMirror(root: directory.path, configuration: .init(token: "s3cret")) { client in
            #expect(try await client.get("/repos/o/r").status == .notFound)
            let repository = try #require(try await client.json("/repos/o/r", headers: [.authorization: "Bearer s3cret"]) as? [String: Any])
            #expect(repository["private"] as? Bool == true)
            #expect(repository["visibility"] as? String == "private")
        }
    }

    @Test("/releases/ID/assets lists the release's assets, paginated with a Link header; unknown ids are 404")
    func assetList() async throws {
        let directory = try Self.makeRoot()
        try await withMirror(root: directory.path) { client in
            let release = try #require(try await client.json("/repos/o/r/releases/tags/v1.0.0") as? [String: Any])
            let id = try #require(release["id"] as? Int)
            let assetsURL = try #require(release["assets_url"] as? String)
            #expect(assetsURL == client.apiURL + "/repos/o/r/releases/\(id)/assets")

            let all = try #require(try await client.json("/repos/o/r/releases/\(id)/assets") as? [[String: Any]])
            #expect(all.map { $0["name"] as? String } == ["a.bin", "b.bin", "c.bin"])
            let embedded = try #require(release["assets"] as? [[String: Any]])
            #expect(all.map { $0["id"] as? Int } == embedded.map { $0["id"] as? Int })
            #expect(all.map { $0["browser_download_url"] as? String } == embedded.map { $0["browser_download_url"] as? String })

            let first = try await client.get("/repos/o/r/releases/\(id)/assets?per_page=2")
            #expect(first.status == .ok)
            #expect((try JSONSerialization.jsonObject(with: first.data) as? [[String: Any]])?.map { $0["name"] as? String } == ["a.bin", "b.bin"])
            #expect(first.headers[named: "link"] == "<\(assetsURL)?per_page=2&page=2>; rel=\"next\", <\(assetsURL)?per_page=2&page=2>; rel=\"last\"")
            let second = try #require(try await client.json("/repos/o/r/releases/\(id)/assets?per_page=2&page=2") as? [[String: Any]])
            #expect(second.map { $0["name"] as? String } == ["c.bin"])

            #expect(try await client.get("/repos/o/r/releases/12345/assets").status == .notFound)
            #expect(try await client.get("/repos/o/r/releases/v1.0.0/assets").status == .notFound)
            #expect(try await client.get("/repos/o/missing/releases/\(id)/assets").status == .notFound)
        }
    }
}
