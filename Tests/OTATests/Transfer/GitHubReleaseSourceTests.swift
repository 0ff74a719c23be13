import Foundation
import Testing
@testable import OTA
@testable import OTATestSupport

@Suite("GitHub release source", .timeLimit(.minutes(10)))
struct GitHubReleaseSourceTests {
    @Test("follows pagination and orders releases by SemVer, not by the server's order")
    func pagination() async throws {
        let server = try FakeHTTPServer { request, connection in
            let base = "http://127.0.0.1:\(request.headers["host"]!.split(separator: ":").last!)"
            switch request.query["page"] ?? "1" {
            case "1":
                connection.respond(status: 200, headers: ["Link": "<\(base)/repos/octo/app/releases?per_page=100&page=2>; rel=\"next\", <\(base)/repos/octo/app/releases?per_page=100&page=3>; rel=\"last\""],
                                   json: FakeGitHub.json([FakeGitHub.release("v1.9.0", base: base, id: 1), FakeGitHub.release("v1.10.0-rc.1", base: base, id: 2)]))
            case "2":
                connection.respond(status: 200, headers: ["Link": "<\(base)/repos/octo/app/releases?per_page=100&page=3>; rel=\"next\""],
                                   json: FakeGitHub.json([FakeGitHub.release("v1.10.0", base: base, id: 3), FakeGitHub.release("nightly", base: base, id: 4)]))
            default:
                connection.respond(status: 200, json: FakeGitHub.json([FakeGitHub.release("v0.9.0", base: base, id: 5)]))
            }
        }
        let directory = try TemporaryDirectory()
        let releases = try await withTransfer(.forTest(api: server.baseURL, state: directory)) { source, _ in try await source.releases() }
        #expect(releases.map(\.tag) == ["v1.10.0", "v1.10.0-rc.1", "v1.9.0", "v0.9.0"])
        #expect(server.requests.count == 3)
        let first = try #require(server.requests.first)
        #expect(first.path == "/repos/octo/app/releases")
        #expect(first.headers["accept"] == "application/vnd.github+json")
        #expect(first.headers["x-github-api-version"] == "2022-11-28")
        #expect(first.headers["user-agent"]?.hasPrefix("swift-ota/") == true)
        #expect(first.headers["authorization"] == nil)
        #expect(releases[1].isPrerelease)
        #expect(releases[0].notes == "Notes for v1.10.0")
    }

    @Test("GitHub Enterprise: the API path prefix is kept")
    func enterprisePrefix() async throws {
        let server = try FakeHTTPServer { request, connection in
            connection.respond(status: request.path == "/api/v3/repos/octo/app/releases" ? 200 : 404, json: "[]")
        }
        let directory = try TemporaryDirectory()
        let releases = try await withTransfer(.forTest(api: server.baseURL + "/api/v3", state: directory)) { source, _ in try await source.releases() }
        #expect(releases.isEmpty)
        #expect(server.requests.map(\.path) == ["/api/v3/repos/octo/app/releases"])
    }

    @Test("a private repository answers 404 without the token and the list with it")
    func privateRepository() async throws {
        let server = try FakeHTTPServer { request, connection in
            guard request.headers["authorization"] == "Bearer s3cret-token" else {
                return connection.respond(status: 404, json: #"{"message":"Not Found"}"#)
            }
            connection.respond(status: 200, json: FakeGitHub.json([FakeGitHub.release("v2.0.0", base: "http://x")]))
        }
        let directory = try TemporaryDirectory()
        let error = try await #require(throws: TransferError.self) {
            try await withTransfer(.forTest(api: server.baseURL, state: directory)) { source, _ in try await source.releases() }
        }
        #expect(error.code == .notFound)
        #expect(error.message.contains("github_token"))
        #expect(server.requests.count == 1, "404 is final: no retry")
        let releases = try await withTransfer(.forTest(api: server.baseURL, state: directory, token: "s3cret-token")) { source, _ in try await source.releases() }
        #expect(releases.map(\.tag) == ["v2.0.0"])
        #expect(!error.message.contains("s3cret"))
    }

    @Test("a 304 reuses the cached list: the ETag is sent back and the body is not downloaded again")
    func etag() async throws {
        let server = try FakeHTTPServer { request, connection in
            if request.headers["if-none-match"] == "\"v1\"" {
                return connection.respond(status: 304, headers: ["ETag": "\"v1\""])
            }
            connection.respond(status: 200, headers: ["ETag": "\"v1\""], json: FakeGitHub.json([FakeGitHub.release("v1.0.0", base: "http://x")]))
        }
        let directory = try TemporaryDirectory()
        let config = OTAConfiguration.forTest(api: server.baseURL, state: directory)
        let first = try await withTransfer(config) { source, _ in try await source.releases() }
        let second = try await withTransfer(config) { source, _ in try await source.releases() }
        #expect(first == second)
        #expect(second.map(\.tag) == ["v1.0.0"])
        #expect(server.requests.count == 2)
        #expect(server.requests[0].headers["if-none-match"] == nil)
        #expect(server.requests[1].headers["if-none-match"] == "\"v1\"")
        let cacheMode = try FileManager.default.attributesOfItem(atPath: directory.url("state/cache/releases.json"))[.posixPermissions] as? Int
        #expect(cacheMode == 0o600)
    }

    @Test("403 with X-RateLimit-Remaining: 0 fails at once with the reset time, and the source sends no request before it")
    func rateLimitExhausted() async throws {
        let reset = Int(Date().timeIntervalSince1970) + 3600
        let server = try FakeHTTPServer { _, connection in
            connection.respond(status: 403, headers: ["X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "\(reset)"], json: #"{"message":"API rate limit exceeded"}"#)
        }
        let directory = try TemporaryDirectory()
        let config = OTAConfiguration.forTest(api: server.baseURL, state: directory)
        try await withTransfer(config) { source, _ in
            for _ in 0..<2 {
                let error = try await #require(throws: TransferError.self) { try await source.releases() }
                #expect(error.code == .rateLimited)
                #expect(error.retryAfter.map { abs($0.timeIntervalSince1970 - Double(reset)) < 1 } == true)
                #expect(error.message.contains("GitHub rate limit exhausted for octo/app; next try after"))
                #expect(error.message.contains("set github_token"))
            }
        }
        #expect(server.requests.count == 1)
    }

    @Test("429 with a short Retry-After is waited out and then succeeds")
    func shortRetryAfter() async throws {
        let count = Counter()
        let server = try FakeHTTPServer { _, connection in
            if count.next() == 1 { return connection.respond(status: 429, headers: ["Retry-After": "1"], json: "{}") }
            connection.respond(status: 200, json: FakeGitHub.json([FakeGitHub.release("v1.0.0", base: "http://x")]))
        }
        let directory = try TemporaryDirectory()
        let sleep = SleepRecorder()
        let releases = try await withTransfer(.forTest(api: server.baseURL, state: directory), sleep: sleep) { source, _ in try await source.releases() }
        #expect(releases.count == 1)
        #expect(sleep.recorded.count == 1)
        #expect(sleep.recorded[0] <= .seconds(1) && sleep.recorded[0] > .zero)
    }

    @Test("transient 5xx is retried with backoff; a permanent one fails after max_retries")
    func serverErrors() async throws {
        let count = Counter()
        let flaky = try FakeHTTPServer { _, connection in
            if count.next() <= 2 { return connection.respond(status: 503, json: "{}") }
            connection.respond(status: 200, json: "[]")
        }
        let directory = try TemporaryDirectory()
        let sleep = SleepRecorder()
        _ = try await withTransfer(.forTest(api: flaky.baseURL, state: directory, retries: 3), sleep: sleep) { source, _ in try await source.releases() }
        #expect(flaky.requests.count == 3)
        #expect(sleep.recorded.count == 2)

        let broken = try FakeHTTPServer { _, connection in connection.respond(status: 500, json: "{}") }
        let error = try await #require(throws: TransferError.self) {
            try await withTransfer(.forTest(api: broken.baseURL, state: directory, retries: 2)) { source, _ in try await source.releases() }
        }
        #expect(error.code == .httpStatus && error.status == 500)
        #expect(broken.requests.count == 3)
    }

    @Test("4xx other than 408/429 is final", arguments: [400, 401, 403, 410, 422])
    func finalClientErrors(_ status: Int) async throws {
        let server = try FakeHTTPServer { _, connection in connection.respond(status: status, json: "{}") }
        let directory = try TemporaryDirectory()
        await #expect(throws: TransferError.self) {
            try await withTransfer(.forTest(api: server.baseURL, state: directory, retries: 3)) { source, _ in try await source.releases() }
        }
        #expect(server.requests.count == 1)
    }

    @Test("invalid JSON and wrong shapes are clear errors", arguments: ["not json", "{\"message\":\"x\"}", "[{\"tag_name\": 5}]"])
    func invalidJSON(_ body: String) async throws {
        let server = try FakeHTTPServer { _, connection in connection.respond(status: 200, json: body) }
        let directory = try TemporaryDirectory()
        let error = try await #require(throws: TransferError.self) {
            try await withTransfer(.forTest(api: server.baseURL, state: directory)) { source, _ in try await source.releases() }
        }
        #expect(error.code == .invalidResponse)
        #expect(error.message.contains("octo/app"))
    }

    @Test("a huge JSON body is refused once it passes the cap, without reading it all")
    func hugeBody() async throws {
        let server = try FakeHTTPServer { _, connection in
            connection.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n[")
            let chunk = [UInt8](repeating: UInt8(ascii: " "), count: 1 << 20)
            for _ in 0..<64 { connection.write(chunk) }
        }
        let directory = try TemporaryDirectory()
        let error = try await #require(throws: TransferError.self) {
            try await withTransfer(.forTest(api: server.baseURL, state: directory)) { source, _ in try await source.releases() }
        }
        #expect(error.code == .responseTooLarge)
    }

    @Test("a redirect loop is refused")
    func redirectLoop() async throws {
        let server = try FakeHTTPServer { request, connection in
            connection.respond(status: 302, headers: ["Location": request.path == "/a" ? "/b" : "/a"])
        }
        let directory = try TemporaryDirectory()
        let error = try await #require(throws: TransferError.self) {
            try await withTransfer(.forTest(api: server.baseURL + "/a", state: directory)) { source, _ in try await source.releases() }
        }
        #expect(error.code == .redirectRefused)
    }

    @Test("a body that stalls longer than download_timeout fails as a time-out")
    func idleTimeout() async throws {
        // The server stalls until the test ends: only the time-out can end the request.
        let testEnded = DispatchSemaphore(value: 0)
        defer { testEnded.signal() }
        let server = try FakeHTTPServer { _, connection in
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n[")
            testEnded.wait()
            testEnded.signal()
        }
        let directory = try TemporaryDirectory()
        let error = try await #require(throws: TransferError.self) {
            try await withTransfer(.forTest(api: server.baseURL, state: directory, retries: 0, timeout: 1)) { source, _ in try await source.releases() }
        }
        #expect(error.code == .timedOut)
    }
}

/// A thread-safe counter for request handlers.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.withLock { value += 1; return value } }
}
