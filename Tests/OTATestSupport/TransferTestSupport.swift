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
        config.githubAPIURL = api
        config.installDir = state.path
        config.stateDir = state.url("state")
        config.maxRetries = retries
        config.retryDelay = 0
        config.downloadTimeout = timeout
        config.githubToken = token.map(Secret.init)
        return config
    }
}

/// A source and downloader wired to `config`, sharing one transport; shut down after `body`.
func withTransfer<T>(_ config: OTAConfiguration, sleep: SleepRecorder = SleepRecorder(),
                     _ body: (GitHubReleaseSource, Downloader) async throws -> T) async throws -> T {
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    let transport = try HTTPTransport(for: config, logger: logger)
    let source = GitHubReleaseSource(configuration: config, transport: transport, logger: logger, sleep: sleep.sleep)
    let downloader = Downloader(configuration: config, transport: transport, logger: logger, sleep: sleep.sleep)
    do {
        let result = try await body(source, downloader)
        await transport.shutdown()
        return result
    } catch {
        await transport.shutdown()
        throw error
    }
}
