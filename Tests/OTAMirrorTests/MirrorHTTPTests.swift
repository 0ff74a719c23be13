import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import OTAMirror

@Suite("Mirror HTTP behaviour", .timeLimit(.minutes(10)))
struct MirrorHTTPTests {
    static let content = (0..<1000).map { String(format: "%03d|", $0 % 1000) }.joined()  // 4000 bytes

    static func makeRoot() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        try directory.write("o/r/v1.0.0/data.bin", content)
        try directory.write("o/r/v1.0.0/empty.bin", "")
        return directory
    }

    static let file = "/o/r/releases/download/v1.0.0/data.bin"

    @Test("JSON answers carry a strong ETag; If-None-Match gives 304 without a body")
    func jsonETag() async throws {
        let directory = try Self.makeRoot()
        try await withMirror(root: directory.path) { client in
            let first = try await client.get("/repos/o/r/releases")
            let etag = try #require(first.headers[.eTag])
            #expect(etag.hasPrefix("\"") && !etag.hasPrefix("W/"))
            let again = try await client.get("/repos/o/r/releases", headers: [.ifNoneMatch: etag])
            #expect(again.status == .notModified)
            #expect((again.body?.readableBytes ?? 0) == 0)
            #expect(again.headers[.eTag] == etag)
            let other = try await client.get("/repos/o/r/releases", headers: [.ifNoneMatch: "\"other\""])
            #expect(other.status == .ok && other.data == first.data)
            try directory.write("o/r/v1.1.0/new.bin", "new")
            let changed = try await client.get("/repos/o/r/releases", headers: [.ifNoneMatch: etag])
            #expect(changed.status == .ok)
            #expect(changed.headers[.eTag] != etag)
        }
    }

    @Test("files carry the SHA-256 as strong ETag; If-None-Match gives 304")
    func fileETag() async throws {
        let directory = try Self.makeRoot()
        try await withMirror(root: directory.path) { client in
            let full = try await client.get(Self.file)
            #expect(full.status == .ok && full.text == Self.content)
            #expect(full.headers[.contentLength] == "4000")
            #expect(full.headers[.acceptRanges] == "bytes")
            let sha = SHA256.hash(data: Data(Self.content.utf8)).map { String(format: "%02x", $0) }.joined()
            #expect(full.headers[.eTag] == "\"\(sha)\"")
            let cached = try await client.get(Self.file, headers: [.ifNoneMatch: "\"\(sha)\""])
            #expect(cached.status == .notModified && (cached.body?.readableBytes ?? 0) == 0)
        }
    }

    @Test("HEAD answers the headers of GET without the body")
    func head() async throws {
        let directory = try Self.makeRoot()
        try await withMirror(root: directory.path) { client in
            let response = try await client.client.execute(TestClient.Request(Self.file, method: .head))
            #expect(response.status == .ok)
            #expect(response.headers[.contentLength] == "4000")
            #expect((response.body?.readableBytes ?? 0) == 0)
            #expect(try await client.get(Self.file).text == Self.content)
        }
    }

    @Test("Range: the three forms answer 206 with Content-Range and the right bytes", arguments: [
        ("bytes=0-9", 0, 9), ("bytes=3990-", 3990, 3999), ("bytes=-7", 3993, 3999), ("bytes=3999-5000", 3999, 3999),
        ("bytes=-9999", 0, 3999),
    ])
    func ranges(header: String, start: Int, end: Int) async throws {
        let directory = try Self.makeRoot()
        try await withMirror(root: directory.path) { client in
            let response = try await client.get(Self.file, headers: [.range: header])
            #expect(response.status == .partialContent)
            #expect(response.headers[.contentRange] == "bytes \(start)-\(end)/4000")
            #expect(response.headers[.contentLength] == String(end - start + 1))
            let expected = Array(Self.content.utf8)[start...end]
            #expect(Array(response.data) == Array(expected))
            // The connection stays usable after a range answer.
            #expect(try await client.get(Self.file).text == Self.content)
        }
    }

    @Test("Range at or after EOF (and any range of an empty file) answers 416 with bytes */size", arguments: [
        (file, "bytes=4000-", "4000"), (file, "bytes=4000-4001", "4000"), (file, "bytes=9999-", "4000"), (file, "bytes=-0", "4000"),
        ("/o/r/releases/download/v1.0.0/empty.bin", "bytes=0-", "0"),
    ])
    func unsatisfiable(path: String, header: String, size: String) async throws {
        let directory = try Self.makeRoot()
        try await withMirror(root: directory.path) { client in
            let response = try await client.get(path, headers: [.range: header])
            #expect(response.status == .rangeNotSatisfiable)
            #expect(response.headers[.contentRange] == "bytes */\(size)")
            // The keep-alive connection still works afterwards.
            #expect(try await client.get(Self.file).status == .ok)
        }
    }

    @Test("If-Range with a different or weak ETag sends the whole file with 200; with the same one, 206")
    func ifRange() async throws {
        let directory = try Self.makeRoot()
        try await withMirror(root: directory.path) { client in
            let etag = try #require(try await client.get(Self.file).headers[.eTag])
            let stale = try await client.get(Self.file, headers: [.range: "bytes=100-", .ifRange: "\"stale\""])
            #expect(stale.status == .ok && stale.text == Self.content && stale.headers[.contentRange] == nil)
            let weak = try await client.get(Self.file, headers: [.range: "bytes=100-", .ifRange: "W/" + etag])
            #expect(weak.status == .ok)
            let same = try await client.get(Self.file, headers: [.range: "bytes=100-", .ifRange: etag])
            #expect(same.status == .partialContent && same.data.count == 3900)
            let multi = try await client.get(Self.file, headers: [.range: "bytes=0-1,5-6"])
            #expect(multi.status == .ok && multi.data.count == 4000)
        }
    }

    @Test("--token: no credentials → 404, wrong → 401 Bad credentials, Bearer or token scheme → 200")
    func token() async throws {
        let directory = try Self.makeRoot()
        try await withMirror(root: directory.path, configuration: .init(token: "s3cret")) { client in
            for path in ["/repos/o/r/releases", Self.file, "/repos/o/r/releases/latest"] {
                let anonymous = try await client.get(path)
                #expect(anonymous.status == .notFound, "\(path)")
                #expect(try JSONSerialization.jsonObject(with: anonymous.data) as? [String: String]
                    == ["message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"])
                for wrong in ["Bearer s3cre", "Bearer s3cret2", "Basic czNjcmV0", "Bearer", "token  ", "s3cret"] {
                    let denied = try await client.get(path, headers: [.authorization: wrong])
                    #expect(denied.status == .unauthorized, "\(wrong)")
                    #expect(try JSONSerialization.jsonObject(with: denied.data) as? [String: String]
                        == ["message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401"])
                }
            }
            #expect(try await client.get("/repos/o/r/releases", headers: [.authorization: "Bearer s3cret"]).status == .ok)
            #expect(try await client.get(Self.file, headers: [.authorization: "token s3cret"]).text == Self.content)
            #expect(try await client.get(Self.file, headers: [.authorization: "bearer s3cret"]).status == .ok)
        }
    }

    @Test("path traversal never reaches a file outside ROOT", arguments: [
        "/o/r/releases/download/v1.0.0/../../../../secret.txt",
        "/o/r/releases/download/v1.0.0/..%2f..%2f..%2f..%2fsecret.txt",
        "/o/r/releases/download/v1.0.0/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fsecret.txt",
        "/o/r/releases/download/%2e%2e/secret.txt",
        "/o/r/releases/download/..%2f..%2f..%2f..%2f/secret.txt",
        "/%2e%2e/%2e%2e/releases/download/x/secret.txt",
        "/o/r/releases/download/v1.0.0/%2Ftmp%2Fsecret.txt",
        "/o/r/releases/download/v1.0.0/link.txt",
        "/o/r/releases/download/v1.0.0/dirlink",
        "/o/r/releases/download/outside/secret.txt",
        "/repos/o/r/tarball/outside",
        "/o/r/releases/download/v1.0.0/.hidden",
    ])
    func traversal(path: String) async throws {
        let outside = try TemporaryDirectory()
        try outside.write("secret.txt", "TOP SECRET")
        try outside.write("source.tar.gz", "TOP SECRET")
        let parent = try TemporaryDirectory()
        try parent.write("secret.txt", "TOP SECRET")
        let root = parent.url("root")
        try parent.write("root/o/r/v1.0.0/data.bin", "ok")
        try parent.write("root/o/r/v1.0.0/.hidden", "TOP SECRET")
        try parent.write("root/secret.txt", "TOP SECRET")
        try FileManager.default.createSymbolicLink(atPath: parent.url("root/o/r/v1.0.0/link.txt"), withDestinationPath: outside.url("secret.txt"))
        try FileManager.default.createSymbolicLink(atPath: parent.url("root/o/r/v1.0.0/dirlink"), withDestinationPath: outside.path)
        try FileManager.default.createSymbolicLink(atPath: parent.url("root/o/r/outside"), withDestinationPath: outside.path)
        try await withMirror(root: root) { client in
            let response = try await client.get(path)
            #expect(response.status == .notFound || response.status == .badRequest, "\(response.status)")
            #expect(!response.text.contains("TOP SECRET"))
            let list = try await client.get("/repos/o/r/releases")
            #expect(!list.text.contains("link.txt") && !list.text.contains("outside"))
        }
    }

    @Test("a larger asset streams intact and its digest matches")
    func largeFile() async throws {
        let directory = try TemporaryDirectory()
        var bytes = [UInt8](repeating: 0, count: 6 << 20)
        for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 2_654_435_761 >> 13) }
        try directory.write("o/r/v1.0.0/big.bin", bytes)
        let count = bytes.count
        let sha = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        try await withMirror(root: directory.path) { client in
            let response = try await client.get("/o/r/releases/download/v1.0.0/big.bin")
            #expect(response.status == .ok && response.data.count == count)
            #expect(SHA256.hash(data: response.data).map { String(format: "%02x", $0) }.joined() == sha)
            let release = try #require(try await client.json("/repos/o/r/releases/latest") as? [String: Any])
            #expect(((release["assets"] as? [[String: Any]])?.first?["digest"] as? String) == "sha256:" + sha)
        }
    }
}
