import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The agent's status API: HTTP/1.1 on a UNIX socket (`status_socket`, mode 0660) — `GET /v1/status`,
/// `GET /v1/events`, `POST /v1/check`, `POST /v1/update` and `GET /metrics` — as a swift-service-lifecycle
/// `Service` beside ``UpdateService``.
///
/// A client cannot hold the agent up: the agent never waits for the server, each client has
/// ``Limits/requestTimeout`` to send a request of at most ``Limits/maxRequestBytes``, a client that
/// stops reading is dropped after ``Limits/writeTimeout``, and connections beyond
/// ``Limits/maxConnections`` are closed at once. Each connection serves one request.
///
/// ```swift
/// let server = try await StatusServer.bind(path: config.statusSocketPath!, updater: updater,
///                                          requests: service.requests, metrics: metrics)
/// let group = ServiceGroup(services: [service, server], gracefulShutdownSignals: [.sigterm], logger: logger)
/// ```
public final class StatusServer: Service, Sendable {
    /// What a client may cost.
    public struct Limits: Sendable {
        /// How long a client has to send its whole request.
        public var requestTimeout: Duration = .seconds(5)
        /// How long a client may leave its answer unread while the server's write buffer for it is full
        /// (a client that does not read is dropped).
        public var writeTimeout: Duration = .seconds(10)
        /// The most bytes a request may have.
        public var maxRequestBytes = 16 << 10
        /// The most connections open at once; more are closed as soon as they are accepted.
        public var maxConnections = 16

        public init() {}
    }

    /// The socket's path.
    public let path: String
    let routes: StatusRoutes
    let limits: Limits
    let logger: Logger
    private let listener: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
    /// The socket file's identity, so that only this server's socket is removed at the end.
    private let socketFile: (device: UInt64, inode: UInt64)
    private let connections = Mutex(Connections())

    /// The connections being served, and whether the server stops.
    private struct Connections {
        var open: [ObjectIdentifier: any Channel] = [:]
        var stopping = false
    }

    private init(path: String, routes: StatusRoutes, limits: Limits, logger: Logger,
                 listener: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>,
                 socketFile: (device: UInt64, inode: UInt64)) {
        self.path = path
        self.routes = routes
        self.limits = limits
        self.logger = logger
        self.listener = listener
        self.socketFile = socketFile
    }

    /// Listens on the socket at `path` (replacing a stale one); call ``run()`` to serve.
    /// - Parameters:
    ///   - path: the socket's absolute path (`status_socket`).
    ///   - updater: the updater whose status, events and metrics are served.
    ///   - requests: where `POST /v1/check` and `POST /v1/update` go (``UpdateService/requests``).
    ///   - metrics: the metrics `GET /metrics` serves.
    ///   - limits: what a client may cost.
    ///   - logger: receives the server's messages.
    /// - Throws: ``StatusServerError`` when the socket cannot be used (its folder is writable by other
    ///   users, another agent answers on it, …); run the agent without the API then.
    public static func bind(path: String, updater: OTAUpdater, requests: AgentRequests?, metrics: AgentMetrics,
                            limits: Limits = Limits(), logger: Logger = Logger(label: "ota.status-api")) async throws(StatusServerError) -> StatusServer {
        let socket = StatusSocket(path: path)
        let folder: Int32, address: String
        do { (folder, address) = try socket.prepareToBind() } catch { throw StatusServerError(message: error.message) }
        defer { close(folder) }
        let listener: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
        do {
            listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: 64)
                .bind(unixDomainSocketPath: address) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(RequestSizeLimit(limit: limits.maxRequestBytes))
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(RequestDeadline(timeout: limits.requestTimeout))
                        try channel.pipeline.syncOperations.addHandler(WriteStallDeadline(timeout: limits.writeTimeout))
                        return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw StatusServerError(message: "status_socket \(path) cannot be listened on: \(error)")
        }
        var info = stat()
        guard fchmodat(folder, socket.name, 0o660, 0) == 0, fstatat(folder, socket.name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
            let failure = SystemError.last("chmod \(path)")
            try? await listener.channel.close()
            throw StatusServerError(message: "status_socket \(path): \(failure.message)")
        }
        let routes = StatusRoutes(updater: updater, requests: requests, metrics: metrics)
        return StatusServer(path: path, routes: routes, limits: limits, logger: logger, listener: listener,
                            socketFile: (UInt64(info.st_dev), UInt64(info.st_ino)))
    }

    /// Serves until a graceful shutdown (or cancellation), then closes every connection and removes the socket.
    public func run() async {
        logger.info("status API listening", metadata: ["ota.socket": "\(path)"])
        defer { removeSocketFile() }
        // The accept loop runs in a task of its own that cancellation does not reach: it ends when the
        // listening socket is closed, so that a connection accepted meanwhile is still closed properly
        // (NIO traps on a connection dropped unclosed) instead of being dropped with the loop.
        let accepting = Task { await acceptConnections() }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await accepting.value
            } onGracefulShutdown: {
                self.stop()
            }
        } onCancel: {
            self.stop()
        }
    }

    /// Closes the listening socket and every connection.
    private func stop() {
        let open = connections.withLock { connections in
            connections.stopping = true
            return Array(connections.open.values)
        }
        listener.channel.close(promise: nil)
        for channel in open { channel.close(promise: nil) }
    }

    private func acceptConnections() async {
        do {
            try await listener.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in inbound {
                        let channel = connection.channel
                        guard admit(channel) else {
                            try? await connection.executeThenClose { _, _ in }
                            continue
                        }
                        group.addTask {
                            await self.serve(connection)
                            self.connections.withLock { _ = $0.open.removeValue(forKey: ObjectIdentifier(channel)) }
                        }
                    }
                }
            }
        } catch {
            logger.warning("status API stopped accepting connections", metadata: ["ota.error": "\(error)"])
        }
    }

    /// Counts `channel` in, unless there are too many connections or the server stops.
    private func admit(_ channel: any Channel) -> Bool {
        let admitted = connections.withLock { connections in
            guard !connections.stopping, connections.open.count < limits.maxConnections else { return false }
            connections.open[ObjectIdentifier(channel)] = channel
            return true
        }
        if !admitted { logger.debug("status API: too many connections, or stopping; closing a new one") }
        return admitted
    }

    /// Reads one request and answers it (``RequestDeadline`` and ``RequestSizeLimit`` bound the request).
    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        let channel = connection.channel
        do {
            try await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                var complete = false
                reading: for try await part in inbound {
                    switch part {
                    case .head(let received): head = received
                    case .body: continue
                    case .end:
                        complete = true
                        break reading
                    }
                }
                guard let head, complete else { return }
                let writer = StatusResponseWriter(outbound: outbound, channel: channel)
                switch await routes.answer(head.method, head.uri) {
                case .response(let response):
                    try await writer.send(response)
                case .events:
                    try await writer.streamEvents(routes.updater.activity)
                }
            }
        } catch {
            logger.debug("status API connection ended", metadata: ["ota.error": "\(error)"])
        }
    }

    /// Removes the socket file, unless it is no longer this server's (another agent replaced it).
    private func removeSocketFile() {
        var info = stat()
        guard lstat(path, &info) == 0, UInt64(info.st_dev) == socketFile.device, UInt64(info.st_ino) == socketFile.inode else { return }
        unlink(path)
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

/// The status API's socket cannot be used; the agent runs without it.
public struct StatusServerError: OTAError {
    public let message: String
}
