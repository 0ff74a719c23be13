import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import OTA
@testable import OTAMirror

@Suite("Mirror endpoints", .timeLimit(.minutes(10)))
struct MirrorEndpointTests {
    /// Keys GitHub sends only in some cases: `discussion_url` only for releases with a discussion.
    static let optionalKeys: Set<String> = ["discussion_url"]
    /// Keys whose value may be `null` in GitHub's schema.
    static let nullableKeys: Set<String> = ["zipball_url", "tarball_url", "name", "body", "published_at", "label", "digest",
                                            "gravatar_id", "uploader"]

    /// Compares key sets and JSON types of `mirror` with `github`, recursing into objects and arrays.
    static func compareShape(_ mirror: Any, _ github: Any, path: String = "$") {
        switch (mirror, github) {
        case let (left as [String: Any], right as [String: Any]):
            let expectedKeys = Set(right.keys).subtracting(optionalKeys)
            #expect(Set(left.keys) == expectedKeys, "keys differ at \(path)")
            for key in expectedKeys {
                guard let value = left[key], let expected = right[key] else { continue }
                if value is NSNull || expected is NSNull {
                    #expect(nullableKeys.contains(key) || (value is NSNull) == (expected is NSNull), "null at \(path).\(key)")
                    continue
                }
                compareShape(value, expected, path: "\(path).\(key)")
            }
        case let (left as [Any], right as [Any]):
            if let first = left.first, let expected = right.first { compareShape(first, expected, path: path + "[0]") }
        default:
            #expect(typeName(mirror) == typeName(github), "type differs at \(path)")
        }
    }

    static func typeName(_ value: Any) -> String {
        if let number = value as? NSNumber {
            return String(cString: number.objCType) == "c" ? "bool" : "number"
        }
        return value is String ? "string" : "\(type(of: value))"
    }

    @Test("tags/TAG has GitHub's field names and JSON types, field by field, and the fixture's size and digest")
    func fixtureShape() async throws {
        let directory = try TemporaryDirectory()
        try GitHubFixture.makeRoot(in: directory)
        try await withMirror(root: directory.path) { client in
            let github = try GitHubFixture.release
            let response = try await client.get("/repos/octocat/Hello-World/releases/tags/v1.2.0")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            let mirror = try #require(try JSONSerialization.jsonObject(with: response.data) as? [String: Any])
            Self.compareShape(mirror, github)
            for key in ["tag_name", "name", "body", "draft", "prerelease", "published_at", "immutable"] {
                #expect((mirror[key] as? NSObject) == (github[key] as? NSObject), "\(key)")
            }
            let assets = try #require(mirror["assets"] as? [[String: Any]])
            let asset = try #require(assets.first { $0["name"] as? String == GitHubFixture.assetName })
            let expected = (github["assets"] as! [[String: Any]])[0]
            #expect(asset["size"] as? Int == 40)
            #expect(asset["size"] as? Int == expected["size"] as? Int)
            #expect(asset["digest"] as? String == expected["digest"] as? String)
            #expect(asset["content_type"] as? String == "application/gzip")
            #expect(asset["label"] is NSNull)
            #expect(mirror["zipball_url"] is NSNull)
            #expect(mirror["tarball_url"] as? String == client.apiURL + "/repos/octocat/Hello-World/tarball/v1.2.0")
            #expect((mirror["author"] as? [String: Any])?["login"] as? String == "octocat")
            // The decoder the client uses accepts the answer.
            let decoded = try JSONDecoder().decode(GitHubJSON.Release.self, from: response.data)
            #expect(decoded.assets.count == 2)
        }
    }

    @Test("every URL in an answer is absolute and fetchable from the mirror")
    func urlsAreFetchable() async throws {
        let directory = try TemporaryDirectory()
        try GitHubFixture.makeRoot(in: directory)
        try await withMirror(root: directory.path) { client in
            let release = try JSONDecoder().decode(GitHubJSON.Release.self,
                                                   from: try await client.get("/repos/octocat/Hello-World/releases/latest").data)
            let asset = try #require(release.assets.first { $0.name == GitHubFixture.assetName })
            let prefix = client.apiURL
            for url in [release.url, asset.url, asset.browserDownloadURL, release.tarballURL!] {
                #expect(url.hasPrefix(prefix), "\(url)")
                let response = try await client.get(String(url.dropFirst(prefix.count)))
                #expect(response.status == .ok, "\(url)")
            }
            let bytes = try await client.get(String(asset.browserDownloadURL.dropFirst(prefix.count)))
            #expect(bytes.text == GitHubFixture.payload)
            #expect(try await client.get(String(release.tarballURL!.dropFirst(prefix.count))).text == "not really a tarball\n")
            let assetJSON = try JSONDecoder().decode(GitHubJSON.Asset.self, from: try await client.get(String(asset.url.dropFirst(prefix.count))).data)
            #expect(assetJSON == asset)
            let octets = try await client.get(String(asset.url.dropFirst(prefix.count)), headers: [.accept: "application/octet-stream"])
            #expect(octets.text == GitHubFixture.payload)
            #expect(octets.headers[.contentType] == "application/octet-stream")
        }
    }

    @Test("the list is paginated like GitHub's, with a Link header, newest SemVer first")
    func pagination() async throws {
        let directory = try TemporaryDirectory()
        for tag in ["v1.9.0", "v1.10.0", "v1.9.0-rc.1", "v0.1.0", "nightly"] { try directory.write("o/r/\(tag)/a", tag) }
        try await withMirror(root: directory.path) { client in
            let all = try #require(try await client.json("/repos/o/r/releases") as? [[String: Any]])
            #expect(all.map { $0["tag_name"] as! String } == ["v1.10.0", "v1.9.0", "v1.9.0-rc.1", "v0.1.0", "nightly"])
            #expect(all[2]["prerelease"] as? Bool == true)
            let first = try await client.get("/repos/o/r/releases?per_page=2")
            let base = client.apiURL + "/repos/o/r/releases"
            #expect(first.headers[named: "Link"] == "<\(base)?per_page=2&page=2>; rel=\"next\", <\(base)?per_page=2&page=3>; rel=\"last\"")
            let page2 = try #require(try await client.json("/repos/o/r/releases?per_page=2&page=2") as? [[String: Any]])
            #expect(page2.map { $0["tag_name"] as! String } == ["v1.9.0-rc.1", "v0.1.0"])
            let page4 = try await client.get("/repos/o/r/releases?per_page=2&page=4")
            #expect(page4.status == .ok && page4.text == "[]")
            #expect(try await client.get("/repos/o/r/releases").headers[named: "Link"] == nil)
        }
    }

    @Test("drafts are listed (draft: true, published_at null) but never latest nor found by tag")
    func drafts() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("o/r/v2.0.0/release.json", #"{"draft": true, "name": "Next", "body": "wip"}"#)
        try directory.write("o/r/v1.0.0/release.json", #"{"name": "First", "published_at": "2024-01-02T03:04:05Z"}"#)
        try await withMirror(root: directory.path) { client in
            let all = try #require(try await client.json("/repos/o/r/releases") as? [[String: Any]])
            #expect(all[0]["draft"] as? Bool == true && all[0]["published_at"] is NSNull && all[0]["body"] as? String == "wip")
            let latest = try #require(try await client.json("/repos/o/r/releases/latest") as? [String: Any])
            #expect(latest["tag_name"] as? String == "v1.0.0")
            #expect(latest["name"] as? String == "First")
            #expect(latest["published_at"] as? String == "2024-01-02T03:04:05Z")
            #expect(latest["body"] is NSNull)
            #expect(try await client.get("/repos/o/r/releases/tags/v2.0.0").status == .notFound)
        }
    }

    @Test("unknown things answer GitHub's 404 JSON", arguments: [
        "/repos/o/r/releases/tags/v9.9.9", "/repos/o/nope/releases", "/repos/o/r/releases/assets/1", "/repos/o/r/releases/assets/x",
        "/repos/o/r/tarball/v1.0.0", "/o/r/releases/download/v1.0.0/missing", "/nothing/here", "/repos/o/r/releases/latest",
    ])
    func notFound(path: String) async throws {
        let directory = try TemporaryDirectory()
        try directory.write("o/r/v1.0.0/release.json", #"{"prerelease": true}"#)
        try directory.write("o/r/v1.0.0/a", "a")
        try await withMirror(root: directory.path) { client in
            let response = try await client.get(path)
            #expect(response.status == .notFound)
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            let body = try #require(try JSONSerialization.jsonObject(with: response.data) as? [String: String])
            #expect(body == ["message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"])
            #expect(response.headers[named: "X-RateLimit-Remaining"] != nil)
        }
    }

    @Test("URLs follow the Host header, the public URL, and the GitHub Enterprise prefix")
    func baseURLs() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("o/r/v1.0.0/a.bin", "a")
        try await withMirror(root: directory.path) { client in
            let response = try await client.get("/repos/o/r/releases/latest", authority: "mirror.lan:8080")
            let release = try JSONDecoder().decode(GitHubJSON.Release.self, from: response.data)
            #expect(release.assets[0].browserDownloadURL == "http://mirror.lan:8080/o/r/releases/download/v1.0.0/a.bin")
            let hostile = try await client.get("/repos/o/r/releases/latest", authority: "evil/\"x")
            #expect(try JSONDecoder().decode(GitHubJSON.Release.self, from: hostile.data).url.hasPrefix(client.apiURL))
        }
        try await withMirror(root: directory.path, configuration: .init(publicBaseURL: "https://mirror.example/", pathPrefix: "api/v3/")) { client in
            #expect(client.apiURL == "https://mirror.example/api/v3")
            #expect(try await client.get("/repos/o/r/releases/latest").status == .notFound)
            let release = try JSONDecoder().decode(GitHubJSON.Release.self, from: try await client.get("/api/v3/repos/o/r/releases/latest").data)
            #expect(release.url == "https://mirror.example/api/v3/repos/o/r/releases/\(release.id)")
            #expect(release.assets[0].browserDownloadURL == "https://mirror.example/o/r/releases/download/v1.0.0/a.bin")
            #expect(try await client.get("/o/r/releases/download/v1.0.0/a.bin").text == "a")
        }
    }

    @Test("ids are the same in two mirror instances, and releases added while running appear")
    func stableAcrossInstances() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("o/r/v1.0.0/a.bin", "a")
        let first = try await withMirror(root: directory.path) { client in try await client.get("/repos/o/r/releases").data }
        let ids: @Sendable (Data) throws -> [Int] = { data in
            try JSONDecoder().decode([GitHubJSON.Release].self, from: data).flatMap { [$0.id] + $0.assets.map(\.id) }
        }
        try await withMirror(root: directory.path) { client in
            #expect(try ids(try await client.get("/repos/o/r/releases").data) == ids(first))
            try directory.write("o/r/v1.1.0/b.bin", "b")
            let latest = try JSONDecoder().decode(GitHubJSON.Release.self, from: try await client.get("/repos/o/r/releases/latest").data)
            #expect(latest.tagName == "v1.1.0")
        }
    }
}

extension MirrorEndpointTests {
    @Test("edits to release.json and replaced assets show up on the next request")
    func editsAreServed() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("o/r/v1.0.0/release.json", #"{"name": "Before"}"#)
        try directory.write("o/r/v1.0.0/a.bin", "one", modified: Date(timeIntervalSince1970: 1_000_000))
        try await withMirror(root: directory.path) { client in
            let before = try JSONDecoder().decode([GitHubJSON.Release].self, from: try await client.get("/repos/o/r/releases").data)
            #expect(before[0].name == "Before" && before[0].assets[0].size == 3)
            try directory.write("o/r/v1.0.0/release.json", #"{"name": "After"}"#)
            try directory.write("o/r/v1.0.0/a.bin", "longer", modified: Date(timeIntervalSince1970: 1_000_001))
            let after = try JSONDecoder().decode([GitHubJSON.Release].self, from: try await client.get("/repos/o/r/releases").data)
            #expect(after[0].name == "After")
            #expect(after[0].assets[0].size == 6)
            #expect(after[0].assets[0].digest != before[0].assets[0].digest)
            #expect(try await client.get("/o/r/releases/download/v1.0.0/a.bin").text == "longer")
        }
    }
}

@Suite("Mirror lifecycle", .timeLimit(.minutes(10)))
struct MirrorLifecycleTests {
    @Test("a port already in use is a clear cannotListen error, not a hang")
    func portInUse() async throws {
        let directory = try TemporaryDirectory()
        try await withMirror(root: directory.path) { client in
            let port = try #require(Int(client.apiURL.split(separator: ":").last!))
            let second = try OTAMirror(root: directory.path, configuration: .init(host: "127.0.0.1", port: port))
            let error = await #expect(throws: MirrorError.self) { try await second.withRunning { _ in 1 } }
            #expect(error?.code == .cannotListen)
            #expect(error?.message.contains("127.0.0.1:\(port)") == true)
        }
    }

    @Test("invalid configurations are refused with the value named", arguments: [
        OTAMirror.Configuration(port: 70000), OTAMirror.Configuration(token: ""), OTAMirror.Configuration(token: "a b"),
        OTAMirror.Configuration(publicBaseURL: "ftp://x"), OTAMirror.Configuration(pathPrefix: "/api/../v3"),
    ])
    func invalidConfiguration(configuration: OTAMirror.Configuration) throws {
        let directory = try TemporaryDirectory()
        let error = #expect(throws: MirrorError.self) { try OTAMirror(root: directory.path, configuration: configuration) }
        #expect(error?.code == .invalidConfiguration)
    }
}
