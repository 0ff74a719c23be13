import Crypto
import Foundation
import Testing
@testable import OTA
@testable import OTATestSupport

@Suite("Downloader", .timeLimit(.minutes(10)))
struct DownloaderTests {
    static let payload: [UInt8] = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 7) }
    static var payloadSHA: String { SHA256.hash(data: payload).map { String(format: "%02x", $0) }.joined() }

    func artifact(_ url: String, size: Int? = payload.count, name: String = "app-1.0.0.tar.gz") -> Artifact {
        let release = Release(tag: "v1.0.0", version: SemanticVersion(1, 0, 0))
        if let size {
            let asset = ReleaseAsset(id: 1, name: name, size: size, apiURL: url)
            return Artifact(release: release, kind: .asset(asset), fileName: name, url: url)
        }
        return Artifact(release: release, kind: .sourceTarball, fileName: name, url: url)
    }

    /// Serves `payload`, honouring `Range` + `If-Range` like GitHub's storage.
    static func rangeServer(dropFirstAt cut: Int? = nil, ignoreRange: Bool = false) throws -> FakeHTTPServer {
        let count = Counter()
        return try FakeHTTPServer { request, connection in
            let attempt = count.next()
            var start = 0
            if !ignoreRange, let range = request.headers["range"], request.headers["if-range"] == "\"abc\"",
               let from = Int(range.dropFirst(6).dropLast()) {
                start = from
                connection.write("HTTP/1.1 206 Partial Content\r\nETag: \"abc\"\r\nContent-Range: bytes \(from)-\(payload.count - 1)/\(payload.count)\r\nContent-Length: \(payload.count - from)\r\nConnection: close\r\n\r\n")
            } else {
                connection.write("HTTP/1.1 200 OK\r\nETag: \"abc\"\r\nContent-Length: \(payload.count)\r\nConnection: close\r\n\r\n")
            }
            if attempt == 1, let cut {
                connection.write(Array(payload[start..<cut]))
                return
            }
            connection.write(Array(payload[start...]))
        }
    }

    @Test("streams to disk, hashes while writing, and renames only when complete")
    func plainDownload() async throws {
        let server = try Self.rangeServer()
        let directory = try TemporaryDirectory()
        let progress = ProgressLog()
        let result = try await withTransfer(.forTest(api: server.baseURL, state: directory)) { _, downloader in
            try await downloader.download(artifact(server.baseURL + "/file"), progress: progress.record)
        }
        #expect(result.sha256 == Self.payloadSHA)
        #expect(result.size == Self.payload.count)
        #expect(result.path == directory.url("state/downloads/app-1.0.0.tar.gz"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: result.path)) == Data(Self.payload))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url("state/downloads")) == ["app-1.0.0.tar.gz"])
        #expect(progress.last?.received == Int64(Self.payload.count))
        #expect(server.requests[0].headers["accept"] == "application/octet-stream")
    }

    @Test("a connection dropped mid-body is resumed with Range and If-Range, and the SHA-256 is still right")
    func resume() async throws {
        let server = try Self.rangeServer(dropFirstAt: 120_000)
        let directory = try TemporaryDirectory()
        let result = try await withTransfer(.forTest(api: server.baseURL, state: directory)) { _, downloader in
            try await downloader.download(artifact(server.baseURL + "/file"))
        }
        #expect(result.sha256 == Self.payloadSHA)
        #expect(server.requests.count == 2)
        // Whatever reached the disk before the drop (at most the 120,000 bytes sent) is kept and resumed from.
        let range = try #require(server.requests[1].headers["range"])
        let resumedFrom = try #require(Int(range.dropFirst("bytes=".count).dropLast()))
        #expect(range.hasPrefix("bytes=") && range.hasSuffix("-"))
        #expect(resumedFrom > 0 && resumedFrom <= 120_000)
        #expect(server.requests[1].headers["if-range"] == "\"abc\"")
    }

    @Test("a server that ignores Range makes the download start over, with the right result")
    func ignoredRange() async throws {
        let server = try Self.rangeServer(dropFirstAt: 100_000, ignoreRange: true)
        let directory = try TemporaryDirectory()
        let result = try await withTransfer(.forTest(api: server.baseURL, state: directory)) { _, downloader in
            try await downloader.download(artifact(server.baseURL + "/file"))
        }
        #expect(result.sha256 == Self.payloadSHA)
        #expect(result.size == Self.payload.count)
        #expect(server.requests.count == 2)
    }

    @Test("a 416 answer to the resume request makes the download start over, with the right result")
    func unsatisfiableRange() async throws {
        let count = Counter()
        let server = try FakeHTTPServer { request, connection in
            let attempt = count.next()
            if request.headers["range"] != nil {
                return connection.respond(status: 416, headers: ["Content-Range": "bytes */\(Self.payload.count)"])
            }
            connection.write("HTTP/1.1 200 OK\r\nETag: \"abc\"\r\nContent-Length: \(Self.payload.count)\r\nConnection: close\r\n\r\n")
            connection.write(attempt == 1 ? Array(Self.payload[0..<50_000]) : Self.payload)
        }
        let directory = try TemporaryDirectory()
        let result = try await withTransfer(.forTest(api: server.baseURL, state: directory, retries: 3)) { _, downloader in
            try await downloader.download(artifact(server.baseURL + "/file"))
        }
        #expect(result.sha256 == Self.payloadSHA)
        #expect(server.requests.count == 3)
        #expect(server.requests[1].headers["range"] != nil && server.requests[2].headers["range"] == nil)
    }

    @Test("a body longer than the announced size is refused and nothing is kept")
    func bodyTooLong() async throws {
        let server = try FakeHTTPServer { _, connection in
            connection.write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
            connection.write(Self.payload + Self.payload)
        }
        let directory = try TemporaryDirectory()
        let error = try await #require(throws: TransferError.self) {
            try await withTransfer(.forTest(api: server.baseURL, state: directory)) { _, downloader in
                try await downloader.download(artifact(server.baseURL + "/file"))
            }
        }
        #expect(error.code == .responseTooLarge)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url("state/downloads")).isEmpty)
    }

    @Test("a Content-Length above the announced size is refused before the body is read")
    func announcedTooLong() async throws {
        let server = try FakeHTTPServer { _, connection in
            connection.respond(status: 200, body: Self.payload + [1, 2, 3])
        }
        let directory = try TemporaryDirectory()
        let error = try await #require(throws: TransferError.self) {
            try await withTransfer(.forTest(api: server.baseURL, state: directory)) { _, downloader in
                try await downloader.download(artifact(server.baseURL + "/file"))
            }
        }
        #expect(error.code == .responseTooLarge)
    }

    @Test("a body shorter than announced, again and again, fails after the retries without a final file")
    func bodyTooShort() async throws {
        let server = try FakeHTTPServer { _, connection in
            connection.write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
            connection.write(Array(Self.payload[0..<1000]))
        }
        let directory = try TemporaryDirectory()
        let error = try await #require(throws: TransferError.self) {
            try await withTransfer(.forTest(api: server.baseURL, state: directory, retries: 2)) { _, downloader in
                try await downloader.download(artifact(server.baseURL + "/file"))
            }
        }
        #expect(error.code == .connectionFailed)
        #expect(server.requests.count == 3)
        #expect(!FileManager.default.fileExists(atPath: directory.url("state/downloads/app-1.0.0.tar.gz")))
    }

    @Test("not enough disk space is reported with the numbers before anything is requested")
    func diskSpace() async throws {
        let server = try Self.rangeServer()
        let directory = try TemporaryDirectory()
        let error = try await #require(throws: TransferError.self) {
            try await withTransfer(.forTest(api: server.baseURL, state: directory)) { _, downloader in
                try await downloader.download(artifact(server.baseURL + "/file", size: 1 << 55))
            }
        }
        #expect(error.code == .insufficientSpace)
        #expect(error.message.contains("needed") && error.message.contains("free"))
        #expect(server.requests.isEmpty)
    }

    @Test("a redirect to a second origin never carries the Authorization header")
    func tokenNotLeakedOnRedirect() async throws {
        let storage = try FakeHTTPServer { _, connection in connection.respond(status: 200, body: Self.payload) }
        let api = try FakeHTTPServer { _, connection in
            connection.respond(status: 302, headers: ["Location": storage.baseURL + "/objects/123?sig=x"])
        }
        let directory = try TemporaryDirectory()
        let result = try await withTransfer(.forTest(api: api.baseURL, state: directory, token: "tok-123")) { _, downloader in
            try await downloader.download(artifact(api.baseURL + "/repos/octo/app/releases/assets/1"))
        }
        #expect(result.sha256 == Self.payloadSHA)
        #expect(api.requests.first?.headers["authorization"] == "Bearer tok-123")
        #expect(storage.requests.count == 1)
        #expect(storage.requests.first?.headers["authorization"] == nil)
        #expect(storage.requests.first?.headers.values.contains { $0.contains("tok-123") } == false)
    }

    @Test("the token is sent to the API origin only, never to another port of the same host")
    func tokenOnlyToAPIOrigin() async throws {
        let other = try FakeHTTPServer { _, connection in connection.respond(status: 200, body: Self.payload) }
        let api = try FakeHTTPServer { _, connection in connection.respond(status: 200, json: "[]") }
        let directory = try TemporaryDirectory()
        _ = try await withTransfer(.forTest(api: api.baseURL, state: directory, token: "tok-123")) { _, downloader in
            try await downloader.download(artifact(other.baseURL + "/file"))
        }
        #expect(other.requests.first?.headers["authorization"] == nil)
    }

    @Test("plain http to a non-loopback host is refused before connecting")
    func insecureRefused() async throws {
        let directory = try TemporaryDirectory()
        let error = try await #require(throws: TransferError.self) {
            try await withTransfer(.forTest(api: "http://127.0.0.1:9", state: directory)) { _, downloader in
                try await downloader.download(artifact("http://downloads.example.com/file"))
            }
        }
        #expect(error.code == .insecureURL)
    }

    @Test("a companion file is read into memory, capped")
    func companion() async throws {
        let server = try FakeHTTPServer { _, connection in connection.respond(status: 200, body: Array("abc  app.tar.gz\n".utf8)) }
        let directory = try TemporaryDirectory()
        let data = try await withTransfer(.forTest(api: server.baseURL, state: directory)) { _, downloader in
            try await downloader.fetchCompanion(ReleaseAsset(id: 2, name: "SHA256SUMS", size: 16, apiURL: server.baseURL + "/sums"))
        }
        #expect(String(decoding: data, as: UTF8.self) == "abc  app.tar.gz\n")
        let big = try FakeHTTPServer { _, connection in connection.respond(status: 200, body: [UInt8](repeating: 65, count: 5000)) }
        await #expect(throws: TransferError.self) {
            try await withTransfer(.forTest(api: big.baseURL, state: directory)) { _, downloader in
                try await downloader.fetchCompanion(ReleaseAsset(id: 2, name: "SHA256SUMS", size: 100, apiURL: big.baseURL + "/sums"))
            }
        }
    }
}

final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [Downloader.Progress] = []
    var last: Downloader.Progress? { lock.withLock { entries.last } }
    var record: @Sendable (Downloader.Progress) -> Void { { [self] progress in lock.withLock { entries.append(progress) } } }
}
