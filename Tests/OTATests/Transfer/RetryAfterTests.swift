import Foundation
import Logging
import NIOHTTP1
import Testing
@testable import OTA
@testable import OTATestSupport

/// A server that asks to be asked again later — GitHub, an `ota serve` mirror, the static host of a TUF
/// repository, the host of a download — is not asked before then, whoever it is.
@Suite("Retry-After from any server", .timeLimit(.minutes(10)))
struct RetryAfterTests {
    static var logger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    /// A TUF fetcher for `server` whose retries wait 30 s ± 50 % unless told otherwise; the waits go to `sleep`.
    func withFetcher<T>(_ server: FakeHTTPServer, sleep: SleepRecorder, _ body: (TUFFetcher) async throws -> T) async throws -> T {
        let directory = try TemporaryDirectory()
        let configuration = OTAConfiguration.forTest(api: server.baseURL, state: directory)
        let transport = HTTPTransport(transfer: configuration.transfer, source: configuration.source, logger: Self.logger)
        let retry = RetryPolicy(maxRetries: 3, baseDelay: .seconds(30), sleep: sleep.sleep)
        do {
            let result = try await body(TUFFetcher(transport: transport, retry: retry, logger: Self.logger))
            await transport.shutdown()
            return result
        } catch {
            await transport.shutdown()
            throw error
        }
    }

    @Test("a 503 with Retry-After (seconds or an HTTP date) is a not-before time; without it, an ordinary failure")
    func nextAllowed() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(RateLimit.nextAllowed(status: 503, headers: ["Retry-After": "120"], now: now) == now.addingTimeInterval(120))
        #expect(RateLimit.nextAllowed(status: 503, headers: ["Retry-After": UTCTime.httpDate(now.addingTimeInterval(600))], now: now)
                == now.addingTimeInterval(600))
        #expect(RateLimit.nextAllowed(status: 503, headers: ["Retry-After": "soon"], now: now) == nil)
        #expect(RateLimit.nextAllowed(status: 503, headers: [:], now: now) == nil)
        #expect(RateLimit.nextAllowed(status: 500, headers: ["Retry-After": "120"], now: now) == nil)
    }

    @Test("a TUF host's 429 or 503 with a long Retry-After ends the fetch at once, carrying the time to come back",
          arguments: [(503, "120", 120.0), (429, "600", 600.0)])
    func tufLong(status: Int, retryAfter: String, seconds: Double) async throws {
        let server = try FakeHTTPServer { _, connection in
            connection.respond(status: status, reason: "Busy", headers: ["Retry-After": retryAfter])
        }
        let sleep = SleepRecorder()
        let asked = Date()
        let error = try await #require(throws: TransferError.self) {
            try await withFetcher(server, sleep: sleep) { fetcher in
                try await fetcher.fetch(URL(string: "\(server.baseURL)/metadata/timestamp.json")!, file: "timestamp.json", limit: 4096)
            }
        }
        #expect(error.code == .rateLimited && error.status == status)
        let until = try #require(error.retryAfter)
        #expect(until.timeIntervalSince(asked) >= seconds - 1 && until.timeIntervalSinceNow <= seconds)
        #expect(error.message.contains("answered HTTP \(status) for the TUF metadata timestamp.json; next try after"), "\(error.message)")
        #expect(server.requests.count == 1)
        #expect(sleep.recorded.isEmpty)
    }

    @Test("a TUF host's short Retry-After is waited out — that long, not the backoff — and the fetch then succeeds")
    func tufShort() async throws {
        let count = Counter()
        let server = try FakeHTTPServer { _, connection in
            if count.next() == 1 { return connection.respond(status: 503, reason: "Busy", headers: ["Retry-After": "2"]) }
            connection.respond(status: 200, body: Array("{}".utf8))
        }
        let sleep = SleepRecorder()
        let answer = try await withFetcher(server, sleep: sleep) { fetcher in
            try await fetcher.fetch(URL(string: "\(server.baseURL)/metadata/timestamp.json")!, file: "timestamp.json", limit: 4096)
        }
        #expect(answer == .file(Data("{}".utf8), etag: nil))
        #expect(sleep.recorded.count == 1)
        #expect(sleep.recorded.first.map { $0 <= .seconds(2) } == true, "\(sleep.recorded)")
    }

    @Test("a download host's 429 or 503 with a long Retry-After ends the download at once, carrying the time to come back")
    func download() async throws {
        let server = try FakeHTTPServer { request, connection in
            if request.path.hasSuffix(".minisig") {
                return connection.respond(status: 503, reason: "Busy", headers: ["Retry-After": UTCTime.httpDate(Date().addingTimeInterval(900))])
            }
            connection.respond(status: 429, reason: "Too Many Requests", headers: ["Retry-After": "600"])
        }
        let directory = try TemporaryDirectory()
        let sleep = SleepRecorder()
        let release = Release(tag: "v1.0.0", version: SemanticVersion(1, 0, 0))
        let asset = ReleaseAsset(id: 1, name: "app.tar.gz", size: 10, apiURL: "\(server.baseURL)/app.tar.gz")
        let signature = ReleaseAsset(id: 2, name: "app.tar.gz.minisig", size: 10, apiURL: "\(server.baseURL)/app.tar.gz.minisig")
        let asked = Date()
        let (download, companion) = try await withTransfer(.forTest(api: server.baseURL, state: directory, retries: 3), sleep: sleep) { _, downloader in
            let download = await #expect(throws: TransferError.self) {
                try await downloader.download(Artifact(release: release, kind: .asset(asset), fileName: asset.name, url: asset.apiURL))
            }
            let companion = await #expect(throws: TransferError.self) { try await downloader.fetchCompanion(signature) }
            return (download, companion)
        }
        let answered = Date()
        #expect(download?.code == .rateLimited && download?.status == 429)
        #expect(download?.retryAfter.map { $0 >= asked.addingTimeInterval(600) && $0 <= answered.addingTimeInterval(600) } == true)
        #expect(download?.message.contains("answered HTTP 429 for the download of app.tar.gz; next try after") == true, "\(String(describing: download))")
        #expect(companion?.code == .rateLimited && companion?.status == 503)
        // An HTTP date has whole seconds.
        #expect(companion?.retryAfter.map { $0 >= asked.addingTimeInterval(899) && $0 <= answered.addingTimeInterval(900) } == true)
        #expect(server.requests.count == 2)
        #expect(sleep.recorded.isEmpty)
    }

    @Test("a mirror's 503 with Retry-After fails the check with the time to come back, and nothing is asked before it")
    func mirror() async throws {
        let server = try FakeHTTPServer { _, connection in
            connection.respond(status: 503, headers: ["Retry-After": "300"], json: #"{"message":"maintenance"}"#)
        }
        let directory = try TemporaryDirectory()
        let config = OTAConfiguration.forTest(api: server.baseURL, state: directory)
        let asked = Date()
        try await withTransfer(config) { source, _ in
            for attempt in 0..<2 {
                let error = try await #require(throws: TransferError.self) { try await source.releases() }
                #expect(error.code == .rateLimited)
                #expect(error.retryAfter.map { $0 >= asked.addingTimeInterval(299) && $0 <= Date().addingTimeInterval(300) } == true)
                if attempt == 0 {
                    #expect(error.message.hasPrefix("the release server for octo/app is unavailable (HTTP 503); next try after"), "\(error.message)")
                }
            }
        }
        #expect(server.requests.count == 1)
    }
}
