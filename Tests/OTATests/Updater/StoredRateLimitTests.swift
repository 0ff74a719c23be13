import Foundation
import Logging
import Testing
@testable import OTA
@testable import OTATestSupport

/// A server's "not before" time outlives the process that heard it: a restarted agent, or the next one-shot
/// `ota update` of a timer, does not ask any source again before then.
@Suite("A stored rate limit")
struct StoredRateLimitTests {
    static let release = Release(tag: "v2.0.0", version: SemanticVersion(2, 0, 0))

    func updater(_ source: ScriptedSource, state directory: TemporaryDirectory) throws -> OTAUpdater {
        let config = OTAConfiguration.forTest(api: "http://127.0.0.1:9", state: directory)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return try OTAUpdater(configuration: config, source: source, logger: logger)
    }

    @Test("after a rate limit, a new updater on the same state asks no source before the time, and says when")
    func restartKeepsTheLimit() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("VERSION", "1.0.0\n")
        let until = Date().addingTimeInterval(1800)
        let first = ScriptedSource([.failure(TransferError(.rateLimited, "limited", retryAfter: until))])
        let agent = try updater(first, state: directory)
        await #expect(throws: TransferError.self) { try await agent.checkForUpdates() }
        await agent.shutdown()

        let second = ScriptedSource([.success([Self.release])])
        let restarted = try updater(second, state: directory)
        let error = await #expect(throws: TransferError.self) { try await restarted.checkForUpdates() }
        #expect(error?.code == .rateLimited)
        #expect(abs((error?.retryAfter ?? .distantPast).timeIntervalSince(until)) < 1, "\(String(describing: error?.retryAfter))")
        #expect(error?.message.contains("next check waits until then") == true, "\(error?.message ?? "")")
        #expect(second.calls == 0)
        await restarted.shutdown()
    }

    @Test("GitHub's rate limit is kept in state.json only: a new updater sends no request before its reset, and no cache file holds it")
    func gitHubLimitInStateOnly() async throws {
        let reset = Int(Date().timeIntervalSince1970) + 1800
        let server = try FakeHTTPServer { _, connection in
            connection.respond(status: 403, headers: ["X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "\(reset)"], json: #"{"message":"API rate limit exceeded"}"#)
        }
        let directory = try TemporaryDirectory()
        try directory.write("VERSION", "1.0.0\n")
        let config = OTAConfiguration.forTest(api: server.baseURL, state: directory)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        for _ in 0..<2 {
            let agent = try OTAUpdater(configuration: config, logger: logger)
            let error = await #expect(throws: TransferError.self) { try await agent.checkForUpdates() }
            await agent.shutdown()
            #expect(error?.code == .rateLimited)
            #expect(error?.retryAfter.map { abs($0.timeIntervalSince1970 - Double(reset)) < 1 } == true)
        }
        #expect(server.requests.count == 1)
        let stored = StateStore(directory: StateDirectory(installation: config.installation)).load().rateLimitNextAllowed
        #expect(stored.map { abs($0.timeIntervalSince1970 - Double(reset)) < 1 } == true)
        #expect(!FileManager.default.fileExists(atPath: directory.url("state/cache/releases.json")))
    }

    @Test("a stored time that has passed, or lies beyond the longest wait (a clock set back), does not hold the check")
    func staleOrUnbelievableTimes() async throws {
        for stored in [Date().addingTimeInterval(-5), Date().addingTimeInterval(RateLimit.longestWait + 600)] {
            let directory = try TemporaryDirectory()
            try directory.write("VERSION", "1.0.0\n")
            let source = ScriptedSource([.success([Self.release])])
            let agent = try updater(source, state: directory)
            _ = try await agent.pipeline.records.store.update { $0.rateLimitNextAllowed = stored }
            let found = try await agent.checkForUpdates()
            #expect(found?.version == SemanticVersion(2, 0, 0))
            #expect(source.calls == 1)
            await agent.shutdown()
        }
    }
}
