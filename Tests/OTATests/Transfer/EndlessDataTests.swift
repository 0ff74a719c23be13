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

    /// An hour: a time-out that no test here may reach, however long a loaded machine stalls it.
    static let never = Duration.seconds(3600)

    /// A downloader whose transport has no retries, `maxDownloadBytes`, and only the limits a test passes:
    /// every other time-out is ``never``, so that the limit under test is the only one that can end the
    /// transfer, however late a busy machine runs the test.
    static func withDownloader<T>(state: TemporaryDirectory, rateWindow: Duration = never, headTimeout: Duration = never,
                                  maxDownloadBytes: Int = 2 << 30, _ body: (Downloader) async throws -> T) async throws -> T {
        var settings = HTTPTransport.Configuration()
        settings.idleTimeout = never
        settings.minimumRate = 1024
        settings.rateWindow = rateWindow
        settings.headTimeout = headTimeout
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
            connection.write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
            // 10 bytes/s at most, until the client hangs up: the body never ends, so only the rate floor can
            // end it, however late a loaded machine reads it (bytes that piled up arrive in one burst, and
            // the trickle after it is still 10 bytes/s).
            while connection.write([UInt8(ascii: "a")]) {
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        let directory = try TemporaryDirectory()
        let error = try await #require(throws: TransferError.self) {
            try await Self.withDownloader(state: directory, rateWindow: .milliseconds(300)) { downloader in
                try await downloader.download(Self.sourceTarball(server.baseURL + "/tarball"))
            }
        }
        #expect(error.code == .tooSlow)
        #expect(error.message.contains("min_download_rate (1024 bytes/s)"), "\(error.message)")
        #expect(error.isTransient)
    }

    @Test("a response head that trickles fails at the head time-out")
    func tricklingHead() async throws {
        let server = try FakeHTTPServer { _, connection in
            connection.write("HTTP/1.1 200 OK\r\n")
            // A head that never ends, a line every 0.1 s until the client hangs up: only the deadline can end it.
            var index = 0
            while connection.write("X-Padding-\(index): y\r\n") {
                index += 1
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        let directory = try TemporaryDirectory()
        let error = try await #require(throws: TransferError.self) {
            try await Self.withDownloader(state: directory, headTimeout: .milliseconds(300)) { downloader in
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
            // Until the client hangs up (the writes then fail at once).
            while connection.write(chunk) {}
        }
        let directory = try TemporaryDirectory()
        let error = try await #require(throws: TransferError.self) {
            try await Self.withDownloader(state: directory, maxDownloadBytes: 1 << 20) { downloader in
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
            try await Self.withDownloader(state: directory, maxDownloadBytes: 1 << 20) { downloader in
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
        #expect(transport.configuration.headTimeout == .seconds(42))
        #expect(transport.configuration.minimumRate == 0)
        let error = try #require(throws: ConfigurationError.self) {
            try OTAConfiguration.parse(yaml: "github_repo: o/r\nmin_download_rate: -1\n", environment: ConfigurationEnvironment([:]))
        }
        #expect(error.key == "min_download_rate")
    }
}
