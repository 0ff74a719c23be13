import Foundation
import Testing
@testable import OTA
import NIOHTTP1
@testable import OTATestSupport

/// Numbers a server sends (rate-limit times, sizes, lengths, ranges) never trap the process and never
/// make it wait longer than an hour.
@Suite("Server numbers", .timeLimit(.minutes(10)))
struct ServerNumberTests {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    @Test("a rate-limit wait lies between now and one hour from now, whatever the headers say", arguments: [
        (429, ["Retry-After": "9223372036854775807"], 3600.0),
        (429, ["Retry-After": "99999999999999999999999"], 60),
        (429, ["Retry-After": "-5"], 60),
        (429, ["Retry-After": "1e300"], 60),
        (429, ["Retry-After": "Fri, 01 Jan 2100 00:00:00 GMT"], 3600),
        (429, ["Retry-After": "Wed, 15 Nov 2023 00:00:00 GMT"], 3600),
        (429, ["Retry-After": "Tue, 14 Nov 2023 00:00:00 GMT"], 0),
        (429, ["Retry-After": "120"], 120),
        (403, ["X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1e300"], 60),
        (403, ["X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "nan"], 60),
        (403, ["X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "4102444800"], 3600),
        (403, ["X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "9223372036854775807"], 3600),
        (403, ["X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1700000600"], 600),
    ] as [(Int, [String: String], TimeInterval)])
    func rateLimitWaits(_ status: Int, _ headers: [String: String], _ wait: TimeInterval) throws {
        let until = try #require(RateLimit.nextAllowed(status: status, headers: HTTPHeaders(headers.map { ($0.key, $0.value) }), now: Self.now))
        #expect(until.timeIntervalSince(Self.now) == wait)
        // The error message formats the time: it must not trap either.
        #expect(RateLimit.error(repository: "o/r", until: until, authenticated: true).message.contains("next try after"))
    }

    @Test("the retry loop never waits more than an hour, nor for a date in the past")
    func retryWaits() {
        #expect(RetryPolicy.wait(until: Date(timeIntervalSince1970: 1e300)) == .seconds(3600))
        #expect(RetryPolicy.wait(until: Date.distantFuture) == .seconds(3600))
        #expect(RetryPolicy.wait(until: Date(timeIntervalSince1970: 0)) == .zero)
        #expect(RetryPolicy.wait(until: Date(timeIntervalSince1970: .nan)) == .zero)
    }

    @Test("lengths and ranges are read strictly", arguments: [
        ("Content-Length", "123", "123"), ("Content-Length", "+5", "nil"), ("Content-Length", "-1", "nil"),
        ("Content-Length", "9223372036854775808", "nil"), ("Content-Length", "1e3", "nil"), ("Content-Length", " 42 ", "42"),
        ("Content-Range", "bytes 10-99/100", "10-99/100"), ("Content-Range", "bytes 10-99/*", "10-99/*"),
        ("Content-Range", "bytes 99-10/100", "nil"), ("Content-Range", "bytes 10-100/100", "nil"),
        ("Content-Range", "bytes 9223372036854775807-9223372036854775808/*", "nil"), ("Content-Range", "bytes -5/100", "nil"),
    ])
    func strictHeaders(_ name: String, _ value: String, _ expected: String) {
        let headers = HTTPHeaders([(name, value)])
        if name == "Content-Length" {
            #expect((HeaderValues.contentLength(headers).map(String.init) ?? "nil") == expected)
        } else {
            let range = HeaderValues.contentRange(headers)
            #expect((range.map { "\($0.first)-\($0.last)/\($0.total.map(String.init) ?? "*")" } ?? "nil") == expected)
        }
    }

    @Test("a rate-limit reset in the year 2100 is stored as one hour, and no request is sent before it")
    func resetFarAway() async throws {
        let server = try FakeHTTPServer { _, connection in
            connection.respond(status: 403, headers: ["X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "4102444800"], json: #"{"message":"API rate limit exceeded"}"#)
        }
        let directory = try TemporaryDirectory()
        let config = OTAConfiguration.forTest(api: server.baseURL, state: directory)
        let before = Date()
        try await withTransfer(config) { source, _ in
            for _ in 0..<2 {
                let error = try await #require(throws: TransferError.self) { try await source.releases() }
                let after = Date()
                #expect(error.code == .rateLimited)
                // An hour from when the answer came, which lies between `before` and `after` however slow the machine.
                let until = try #require(error.retryAfter)
                #expect(until >= before.addingTimeInterval(3600 - 1) && until <= after.addingTimeInterval(3600 + 1), "\(before) \(until) \(after)")
            }
        }
        #expect(server.requests.count == 1)
    }

    @Test("a release cache an older version wrote with a rate_limited_until does not hold the source: state.json keeps the limit")
    func oldCachedWaitIgnored() async throws {
        let server = try FakeHTTPServer { _, connection in
            connection.respond(status: 200, json: FakeGitHub.json([FakeGitHub.release("v1.0.0", base: "http://x")]))
        }
        let directory = try TemporaryDirectory()
        let config = OTAConfiguration.forTest(api: server.baseURL, state: directory)
        let listURL = server.baseURL + "/repos/octo/app/releases?per_page=100"
        let soon = UTCTime.iso8601(Date().addingTimeInterval(1800))
        try directory.write("state/cache/releases.json", #"{"url": "\#(listURL)", "etag": null, "releases": [], "rate_limited_until": "\#(soon)"}"#)
        let releases = try await withTransfer(config) { source, _ in try await source.releases() }
        #expect(releases.map(\.tag) == ["v1.0.0"])
        #expect(server.requests.count == 1)
    }

    @Test("Retry-After: 9223372036854775807 and X-RateLimit-Reset: 1e300 are rate limits, not crashes", arguments: [
        ["Retry-After": "9223372036854775807"], ["X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1e300"],
    ])
    func hugeRateLimitHeaders(_ headers: [String: String]) async throws {
        let server = try FakeHTTPServer { _, connection in connection.respond(status: 429, headers: headers, json: "{}") }
        let directory = try TemporaryDirectory()
        let error = try await #require(throws: TransferError.self) {
            try await withTransfer(.forTest(api: server.baseURL, state: directory)) { source, _ in try await source.releases() }
        }
        #expect(error.code == .rateLimited)
        #expect(try #require(error.retryAfter).timeIntervalSinceNow <= 3600)
    }

    @Test("an asset size of 9223372036854775807 is a clear error for the download and no trap for its companion")
    func hugeAssetSize() async throws {
        let server = try FakeHTTPServer { _, connection in connection.respond(status: 200, body: Array("sig".utf8)) }
        let directory = try TemporaryDirectory()
        let release = Release(tag: "v1.0.0", version: SemanticVersion(1, 0, 0))
        let asset = ReleaseAsset(id: 1, name: "app.tar.gz", size: Int.max, apiURL: server.baseURL + "/asset")
        try await withTransfer(.forTest(api: server.baseURL, state: directory)) { _, downloader in
            let error = try await #require(throws: TransferError.self) {
                try await downloader.download(Artifact(release: release, kind: .asset(asset), fileName: asset.name, url: asset.apiURL))
            }
            #expect(error.code == .insufficientSpace)
            let companion = try await downloader.fetchCompanion(ReleaseAsset(id: 2, name: "app.tar.gz.minisig", size: Int.max, apiURL: server.baseURL + "/sig"))
            #expect(companion == Data("sig".utf8))
        }
        #expect(Downloader.companionLimit(announcedSize: Int.max) == Downloader.maxCompanionBytes)
        #expect(Downloader.companionLimit(announcedSize: -7) == 1)
    }

    @Test("a resumed download whose Content-Length overflows the offset sum is refused, not trapped")
    func resumeOffsetOverflow() async throws {
        let server = try FakeHTTPServer { request, connection in
            guard request.headers["range"] == "bytes=10-" else { return connection.respond(status: 500) }
            connection.write("HTTP/1.1 206 Partial Content\r\nETag: \"abc\"\r\nContent-Range: bytes 10-99/100\r\nContent-Length: 9223372036854775807\r\nConnection: close\r\n\r\n")
        }
        let directory = try TemporaryDirectory()
        let config = OTAConfiguration.forTest(api: server.baseURL, state: directory, retries: 0)
        let url = server.baseURL + "/asset"
        let part = config.installation.stateDirectory + "/downloads/app.tar.gz.part"
        try FileManager.default.createDirectory(atPath: config.installation.stateDirectory + "/downloads", withIntermediateDirectories: true)
        try Data(count: 10).write(to: URL(fileURLWithPath: part))
        try PartialDownload(url: url, etag: "\"abc\"", lastModified: nil, expectedSize: 100)
            .save("app.tar.gz.part.json", to: StateDirectory(installation: config.installation), in: StateDirectory.Entry.downloads)
        let asset = ReleaseAsset(id: 1, name: "app.tar.gz", size: 100, apiURL: url)
        let error = try await #require(throws: TransferError.self) {
            try await withTransfer(config) { _, downloader in
                try await downloader.download(Artifact(release: Release(tag: "v1.0.0", version: SemanticVersion(1, 0, 0)), kind: .asset(asset),
                                                       fileName: asset.name, url: url))
            }
        }
        #expect(error.code == .responseTooLarge)
        #expect(server.requests.count == 1)
    }

    @Test("the announced-size arithmetic saturates instead of overflowing")
    func announcedSizes() {
        #expect(Downloader.announcedSize(.max, after: 10, expected: 100, maxDownloadBytes: 1) == .beyondRelease(total: nil))
        #expect(Downloader.announcedSize(.max, after: 10, expected: nil, maxDownloadBytes: .max) == .beyondLimit)
        #expect(Downloader.announcedSize(90, after: 10, expected: 100, maxDownloadBytes: 1) == .fits)
        #expect(Downloader.announcedSize(91, after: 10, expected: 100, maxDownloadBytes: 1) == .beyondRelease(total: 101))
        #expect(Downloader.announcedSize(100, after: 0, expected: nil, maxDownloadBytes: 100) == .fits)
        #expect(Downloader.announcedSize(101, after: 0, expected: nil, maxDownloadBytes: 100) == .beyondLimit)
    }
}
