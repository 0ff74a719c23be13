import Foundation
import Logging
import Testing
@testable import OTA

/// A server must never hold the agent for ever or fill its disk: trickling bodies and heads,
/// bodies without end, release lists without end.
@Suite("Endless data", .timeLimit(.minutes(10)))
struct EndlessDataTests {
    static let logger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }()

    /// A downloader whose transport has the given rate floor, no retries, and `maxDownloadBytes`. Its idle
    /// time-out is a minute: these tests are about the rate floor, the head deadline and the size cap, and a
    /// busy machine that stalls the test process for seconds must not end them with an idle time-out instead.
    static func withDownloader<T>(state: TemporaryDirectory, window: Duration, minimumRate: Int = 1024, maxDownloadBytes: Int = 2 << 30,
                                  _ body: (Downloader) async throws -> T) async throws -> T {
        var settings = HTTPTransport.Configuration()
        settings.idleTimeout = .seconds(60)
        settings.minimumRate = minimumRate
        settings.rateWindow = window
        let transport = HTTPTransport(configuration: settings, logger: logger)
        let downloader = Downloader(directory: state.url("downloads"), transport: transport, retry: RetryPolicy(maxRetries: 0, baseDelay: .zero),
                                    maxDownloadBytes: maxDownloadBytes, logger: logger)
        do {
            let result = try await body(downloader)
            await transport.shutdown()
            return result
        } catch {
            await transport.shutdown()
            throw error
        }
    }

    static func sourceTarball(_ url: String) -> Artifact {
        Artifact(release: Release(tag: "v1.0.0", version: SemanticVersion(1, 0, 0)), kind: .sourceTarball, fileName: "app-v1.0.0.tar.gz", url: url)
    }

    @Test("a body that trickles a byte at a time fails as too slow, although bytes keep coming")
    func tricklingBody() async throws {
        let server = try FakeHTTPServer { _, connection in
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n")
            // 10 bytes/s at most, until the client hangs up: the body cannot end before the rate floor
            // ends it, however late a loaded machine reads it (bytes that piled up arrive in one burst,
            // and the trickle after it is still 10 bytes/s).
            for _ in 0..<6000 {
                guard connection.write([UInt8(ascii: "a")]) else { return }
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        let directory = try TemporaryDirectory()
        let error = try await #require(throws: TransferError.self) {
            try await Self.withDownloader(state: directory, window: .milliseconds(300)) { downloader in
                try await downloader.download(Self.sourceTarball(server.baseURL + "/tarball"))
            }
        }
        #expect(error.code == .tooSlow)
        #expect(error.message.contains("min_download_rate (1024 bytes/s)"), "\(error.message)")
        #expect(error.isTransient)
    }

    @Test("a response head that trickles fails within the transfer window")
    func tricklingHead() async throws {
        let server = try FakeHTTPServer { _, connection in
            connection.write("HTTP/1.1 200 OK\r\n")
            // A head that keeps coming for longer than the test may run: only the deadline can end it.
            for index in 0..<600 {
                guard connection.write("X-Padding-\(index): y\r\n") else { return }
                Thread.sleep(forTimeInterval: 0.1)
            }
            connection.write("Content-Length: 2\r\nConnection: close\r\n\r\nok")
        }
        let directory = try TemporaryDirectory()
        let error = try await #require(throws: TransferError.self) {
            try await Self.withDownloader(state: directory, window: .milliseconds(300)) { downloader in
                try await downloader.download(Self.sourceTarball(server.baseURL + "/tarball"))
            }
        }
        #expect(error.code == .timedOut)
        #expect(error.message.contains("head"), "\(error.message)")
    }

    @Test("a source tarball that never ends stops at max_download_bytes and leaves nothing behind")
    func endlessTarball() async throws {
        let server = try FakeHTTPServer { _, connection in
            connection.write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
            let chunk = [UInt8](repeating: 0x1f, count: 1 << 16)
            // Until the client hangs up (the writes then fail at once), or 256 MiB.
            for _ in 0..<4096 { connection.write(chunk) }
        }
        let directory = try TemporaryDirectory()
        let error = try await #require(throws: TransferError.self) {
            try await Self.withDownloader(state: directory, window: .seconds(30), maxDownloadBytes: 1 << 20) { downloader in
                try await downloader.download(Self.sourceTarball(server.baseURL + "/tarball"))
            }
        }
        #expect(error.code == .responseTooLarge)
        #expect(error.message.contains("max_download_bytes (1048576 bytes)"), "\(error.message)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url("downloads")).isEmpty)
    }

    @Test("a source tarball announcing more than max_download_bytes is refused before its body is read")
    func announcedTarballTooLarge() async throws {
        let server = try FakeHTTPServer { _, connection in
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: 10485760\r\nConnection: close\r\n\r\n")
            connection.write([UInt8](repeating: 0, count: 1 << 16))
        }
        let directory = try TemporaryDirectory()
        let error = try await #require(throws: TransferError.self) {
            try await Self.withDownloader(state: directory, window: .seconds(30), maxDownloadBytes: 1 << 20) { downloader in
                try await downloader.download(Self.sourceTarball(server.baseURL + "/tarball"))
            }
        }
        #expect(error.code == .responseTooLarge)
        #expect(error.message.contains("max_download_bytes"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url("downloads")).isEmpty)
    }

    @Test("max_download_bytes and min_download_rate come from the configuration, with their defaults")
    func configurationKeys() throws {
        let defaults = try OTAConfiguration.parse(yaml: "github_repo: o/r\n", environment: ConfigurationEnvironment([:]))
        #expect(defaults.transfer.maxDownloadBytes == 2 << 30)
        #expect(defaults.transfer.minDownloadRate == 1024)
        let set = try OTAConfiguration.parse(yaml: "github_repo: o/r\nmax_download_bytes: 64MiB\nmin_download_rate: 0\ndownload_timeout: 7\n",
                                             environment: ConfigurationEnvironment([:]))
        #expect(set.transfer.maxDownloadBytes == 64 << 20)
        #expect(set.transfer.minDownloadRate == 0)
        let transport = HTTPTransport(transfer: set.transfer, source: set.source, logger: Self.logger)
        #expect(transport.configuration.rateWindow == .seconds(42))
        #expect(transport.configuration.minimumRate == 0)
        let error = try #require(throws: ConfigurationError.self) {
            try OTAConfiguration.parse(yaml: "github_repo: o/r\nmin_download_rate: -1\n", environment: ConfigurationEnvironment([:]))
        }
        #expect(error.key == "min_download_rate")
    }
}
