import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The one place swift-ota sends HTTP requests from: redirects, credentials, time-outs and rate floor.
///
/// AsyncHTTPClient's own redirect handling is off (it would follow HTTPS → HTTP); this type follows
/// redirects itself through ``RedirectPolicy`` and adds `Authorization` to a hop only when that hop's
/// origin (scheme, host, port) is the API origin — so a storage host that GitHub redirects an asset
/// download to never sees the token. Automatic decompression stays off (it would break hashes and `Range`).
/// `idleTimeout` bounds the time without a received byte, for API calls and downloads alike (and the time to
/// connect); a refused connection fails at once (AsyncHTTPClient would otherwise try again and again until
/// the connect time-out: ``RetryPolicy`` decides about another attempt, after `retry_delay`);
/// `headTimeout` bounds the time until the response head, and a body slower than `minimumRate` on
/// average over `rateWindow` fails (``TransferBody``).
final class HTTPTransport: Sendable {
    struct Configuration: Sendable {
        /// No byte received for this long fails the attempt (`download_timeout`).
        var idleTimeout: Duration = .seconds(30)
        /// The lowest average rate in bytes per second over ``rateWindow`` (`min_download_rate`); 0 = none.
        var minimumRate = 1024
        /// The span the rate is averaged over (`download_timeout × 6`).
        var rateWindow: Duration = .seconds(180)
        /// The longest wait for a response head, from sending the request (`download_timeout × 6`).
        var headTimeout: Duration = .seconds(180)
        var redirectPolicy = RedirectPolicy()
        /// The API origin (`https://api.github.com:443`) that may receive ``token``.
        var apiOrigin: String?
        var token: Secret?
        var userAgent = OTAInfo.userAgent
    }

    /// A response whose body has not been read yet. Read it with ``body`` or drop it.
    struct Response: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var url: URL
        var body: TransferBody
    }

    let configuration: Configuration
    private let logger: Logger
    /// Made on first use, so that commands without network (`ota status`) start no event loop.
    private let state = Mutex<(client: HTTPClient?, shutDown: Bool)>((nil, false))

    init(configuration: Configuration, logger: Logger = Logger(label: "ota.http")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// The client, created on first use.
    private var client: HTTPClient {
        get throws(TransferError) {
            let configuration = self.configuration
            let client: HTTPClient? = state.withLock { state in
                guard !state.shutDown else { return nil }
                if let client = state.client { return client }
                let idle = Self.timeAmount(configuration.idleTimeout)
                var settings = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: idle, read: idle),
                                                        decompression: .disabled)
                settings.httpVersion = .automatic
                settings.connectionPool.retryConnectionEstablishment = false
                let made = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: settings)
                state.client = made
                return made
            }
            guard let client else { throw TransferError(.connectionFailed, "the HTTP client was already shut down") }
            return client
        }
    }

    /// Closes the connections. Call when done with the transport; a transport dropped without it
    /// shuts its client down in the background (AsyncHTTPClient would otherwise trap).
    func shutdown() async {
        guard let client = takeClientForShutdown() else { return }
        try? await client.shutdown()
    }

    deinit {
        guard let client = takeClientForShutdown() else { return }
        client.shutdown { _ in _ = client }
    }

    /// Marks the transport shut down and hands back its client, if one was made and not yet shut down.
    private func takeClientForShutdown() -> HTTPClient? {
        state.withLock { state in
            defer { state = (nil, true) }
            return state.shutDown ? nil : state.client
        }
    }

    /// Sends `GET url`, following allowed redirects, and returns the final response with its body unread.
    ///
    /// - Parameter headers: extra request headers (`Accept`, `Range`, `If-None-Match`, …).
    func get(_ url: URL, headers: HTTPHeaders = [:]) async throws(TransferError) -> Response {
        try configuration.redirectPolicy.checkAllowed(url)
        var current = url
        var visited = [url]
        while true {
            var request = HTTPClientRequest(url: current.absoluteString)
            request.method = .GET
            request.headers = headers
            request.headers.replaceOrAdd(name: "User-Agent", value: configuration.userAgent)
            request.headers.remove(name: "Authorization")
            if let token = configuration.token, let apiOrigin = configuration.apiOrigin,
               RedirectPolicy.origin(of: current) == apiOrigin {
                request.headers.replaceOrAdd(name: "Authorization", value: "Bearer \(token.value)")
            }
            let response: HTTPClientResponse
            do {
                response = try await client.execute(request, deadline: .now() + Self.timeAmount(configuration.headTimeout), logger: nil)
            } catch {
                throw Self.transferError(for: error, url: current)
            }
            let status = Int(response.status.code)
            guard [301, 302, 303, 307, 308].contains(status) else {
                let body = TransferBody(body: response.body, minimumRate: configuration.minimumRate, window: configuration.rateWindow, url: current)
                return Response(status: status, headers: response.headers, url: current, body: body)
            }
            let next = try configuration.redirectPolicy.follow(location: response.headers.first(name: "location"), from: current, visited: visited)
            logger.debug("following redirect", metadata: ["ota.http.status": "\(status)", "ota.http.host": "\(next.host ?? "")"])
            current = next
            visited.append(next)
        }
    }

    /// Reads a whole body of at most `limit` bytes.
    static func collect(_ body: TransferBody, limit: Int, url: URL) async throws(TransferError) -> Data {
        var data = Data()
        do {
            for try await chunk in body {
                guard chunk.readableBytes <= limit - data.count else {
                    throw TransferError(.responseTooLarge, "the answer from \(url.host ?? "the server") is larger than \(limit) bytes; refusing it")
                }
                data.append(contentsOf: chunk.readableBytesView)
            }
        } catch let error as TransferError {
            throw error
        } catch {
            throw transferError(for: error, url: url)
        }
        return data
    }

    /// Maps AsyncHTTPClient and NIO errors to a ``TransferError`` that names the host.
    static func transferError(for error: any Error, url: URL) -> TransferError {
        if let transfer = error as? TransferError { return transfer }
        let host = url.host ?? "the server"
        if let client = error as? HTTPClientError {
            switch client {
            case .readTimeout, .connectTimeout:
                return TransferError(.timedOut, "no data from \(host) within the time-out (download_timeout); check the network or raise download_timeout", underlying: client)
            case .deadlineExceeded:
                return TransferError(.timedOut, "\(host) did not send its answer's head within download_timeout × 6; check the network or raise download_timeout", underlying: client)
            case .remoteConnectionClosed, .bodyLengthMismatch:
                return TransferError(.connectionFailed, "the connection to \(host) closed before the answer was complete", underlying: client)
            default:
                return TransferError(.connectionFailed, "request to \(host) failed: \(client)", underlying: client)
            }
        }
        if isConnectionRefused(error) {
            let port = url.port.map { ":\($0)" } ?? ""
            return TransferError(.connectionFailed, "\(host)\(port) refused the connection: nothing listens there; check the URL (\(url.absoluteString)) and that the server runs",
                                 underlying: error)
        }
        return TransferError(.connectionFailed, "cannot reach \(host): \(error)", underlying: error)
    }

    /// Whether every attempt to connect was refused (`ECONNREFUSED`: the host answered, nothing listens on the port).
    static func isConnectionRefused(_ error: any Error) -> Bool {
        if let io = error as? IOError { return io.errnoCode == ECONNREFUSED }
        if let connection = error as? NIOConnectionError {
            return !connection.connectionErrors.isEmpty && connection.connectionErrors.allSatisfy { isConnectionRefused($0.error) }
        }
        return false
    }

    /// `duration` as NIO's `TimeAmount`, saturating instead of overflowing.
    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (total, carry) = whole.addingReportingOverflow(attoseconds / 1_000_000_000)
        guard !overflow, !carry else { return .nanoseconds(seconds < 0 ? .min : .max) }
        return .nanoseconds(total)
    }
}
