import Foundation
import Logging
@testable import OTA
@testable import OTATestSupport

/// An installation at 1.0.0 with a release server (``UpdateFixture``), its updater reporting into an
/// ``UpdateActivity`` whose counters land in ``metrics``, and the status API's socket path.
struct StatusAPIFixture {
    let base: UpdateFixture
    let metrics = AgentMetrics()
    let updater: OTAUpdater

    init(autoUpdate: Bool = true, now: @escaping @Sendable () -> Date = { Date() }, configure: (inout OTAConfiguration) -> Void = { _ in }) throws {
        var base = try UpdateFixture()
        base.configuration.schedule.autoUpdate = autoUpdate
        configure(&base.configuration)
        self.base = base
        try StateDirectory(installation: base.configuration.installation).prepare()
        updater = try OTAUpdater(configuration: base.configuration, logger: Self.quiet,
                                 activity: UpdateActivity(metrics: metrics.factory, now: now))
    }

    static var quiet: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    var socket: String { base.configuration.statusSocketPath! }

    func bind(requests: AgentRequests? = nil, limits: StatusServer.Limits = StatusServer.Limits()) async throws -> StatusServer {
        try await StatusServer.bind(path: socket, updater: updater, requests: requests, metrics: metrics, limits: limits, logger: Self.quiet)
    }

    /// Runs `body` while `server` serves, then stops it.
    func serving<T: Sendable>(_ server: StatusServer, _ body: @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { await server.run(); return nil }
            let result = try await body()
            group.cancelAll()
            return result
        }
    }

    /// How long a test waits for the in-process server: a hang guard only, as long as the suites' time
    /// limit. The server answers on the same concurrency pool as every test running in parallel, so on
    /// a loaded machine any shorter limit is a race between the answer and the clock.
    static let hangGuard = Duration.seconds(600)

    /// `method path` on the status API, answered off the concurrency pool.
    func request(_ method: String, _ path: String) async throws -> StatusClient.Response {
        try await StatusClient(path: socket, timeout: Self.hangGuard).requestInBackground(method, path)
    }

    func json(_ response: StatusClient.Response) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(response.body)) as! [String: Any]
    }
}
