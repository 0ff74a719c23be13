import Foundation
import Logging
@testable import OTA

/// Records the waits a retry loop asks for instead of sleeping.
final class SleepRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var waits: [Duration] = []
    var recorded: [Duration] { lock.withLock { waits } }

    var sleep: @Sendable (Duration) async throws -> Void {
        { [self] duration in lock.withLock { waits.append(duration) } }
    }
}

extension OTAConfiguration {
    /// A configuration pointing at a fake server, with fast retries and a temporary state folder; the time-out is
    /// long enough that a busy machine never hits it unless a test asks for a short one.
    static func forTest(api: String, state: TemporaryDirectory, token: String? = nil, retries: Int = 2, timeout: Int = 60) -> OTAConfiguration {
        var config = OTAConfiguration(githubRepo: "octo/app")
        config.source.githubAPIURL = URL(string: api)!
        config.installation.installDir = state.path
        config.installation.stateDir = state.url("state")
        config.transfer.maxRetries = retries
        config.transfer.retryDelay = .zero
        config.transfer.downloadTimeout = .seconds(timeout)
        config.source.githubToken = token.map(Secret.init)
        return config
    }
}

/// A source and downloader wired to `config`, sharing one transport; shut down after `body`.
func withTransfer<T>(_ config: OTAConfiguration, sleep: SleepRecorder = SleepRecorder(),
                     _ body: (GitHubReleaseSource, Downloader) async throws -> T) async throws -> T {
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    let transport = HTTPTransport(transfer: config.transfer, source: config.source, logger: logger)
    let directory = StateDirectory(installation: config.installation)
    let source = GitHubReleaseSource(source: config.source, transfer: config.transfer, directory: directory,
                                     installDirectory: config.installation.installDirectory, transport: transport, logger: logger, sleep: sleep.sleep)
    let downloader = Downloader(transfer: config.transfer, directory: directory, transport: transport, logger: logger, sleep: sleep.sleep)
    do {
        let result = try await body(source, downloader)
        await transport.shutdown()
        return result
    } catch {
        await transport.shutdown()
        throw error
    }
}
