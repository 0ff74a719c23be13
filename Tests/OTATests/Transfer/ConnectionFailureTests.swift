import Foundation
import Testing
@testable import OTA
@testable import OTATestSupport

/// A server that is not running fails a check at once, with an error that says so; one that does not answer
/// still gets its connect time-out. The refused cases run with an hour's `download_timeout` (the connect
/// time-out): a client that kept retrying the connection until then would end at the suite's time limit instead.
@Suite("Connection failures", .timeLimit(.minutes(10)))
struct ConnectionFailureTests {
    @Test("nothing listening at the source URL: the check fails at once and says the connection was refused")
    func refusedCheck() async throws {
        let port = try UnservedPort.refusing()
        let directory = try TemporaryDirectory()
        let error = try await #require(throws: TransferError.self) {
            try await withTransfer(.forTest(api: "http://127.0.0.1:\(port.port)", state: directory, retries: 0, timeout: 3600)) { source, _ in
                try await source.releases()
            }
        }
        #expect(error.code == .connectionFailed)
        #expect(error.message.contains("127.0.0.1:\(port.port) refused the connection"), "\(error.message)")
        #expect(error.message.contains("check the URL"), "\(error.message)")
    }

    @Test("a refused download is retried max_retries times (retry_delay apart), then fails as refused")
    func refusedDownloadRetries() async throws {
        let port = try UnservedPort.refusing()
        let directory = try TemporaryDirectory()
        let sleeps = SleepRecorder()
        let url = "http://127.0.0.1:\(port.port)/app-1.0.0.tar.gz"
        let artifact = Artifact(release: Release(tag: "v1.0.0", version: SemanticVersion(1, 0, 0)), kind: .sourceTarball,
                                fileName: "app-1.0.0.tar.gz", url: url)
        let error = try await #require(throws: TransferError.self) {
            try await withTransfer(.forTest(api: "http://127.0.0.1:\(port.port)", state: directory, retries: 2, timeout: 3600), sleep: sleeps) { _, downloader in
                try await downloader.download(artifact)
            }
        }
        #expect(error.code == .connectionFailed)
        #expect(error.message.contains("refused the connection"), "\(error.message)")
        #expect(sleeps.recorded.count == 2)
    }

    @Test("a server that never accepts the connection fails at the connect time-out (download_timeout), as timed out")
    func unacceptedConnectionTimesOut() async throws {
        let port = try UnservedPort.neverAccepting()
        let directory = try TemporaryDirectory()
        let started = ContinuousClock.now
        let error = try await #require(throws: TransferError.self) {
            try await withTransfer(.forTest(api: "http://127.0.0.1:\(port.port)", state: directory, retries: 0, timeout: 1)) { source, _ in
                try await source.releases()
            }
        }
        #expect(error.code == .timedOut, "\(error.message)")
        #expect(ContinuousClock.now - started >= .seconds(1))
    }
}
