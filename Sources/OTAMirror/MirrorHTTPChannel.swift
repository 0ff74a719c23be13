import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1.1 channel with the mirror's connection limits: a connection beyond the
/// per-client cap is closed as soon as it is accepted, and every other one gets the request-header
/// and idle timeouts (`ConnectionTimeoutHandler`).
struct MirrorHTTPChannel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let http: HTTP1Channel
    let limiter: ClientConnectionLimiter

    init(responder: @escaping HTTPChannelHandler.Responder, configuration: OTAMirror.Configuration, limiter: ClientConnectionLimiter) {
        let logger = configuration.logger
        let headerTimeout = configuration.requestHeaderTimeout, idleTimeout = configuration.idleTimeout
        self.http = HTTP1Channel(responder: responder, configuration: .init(additionalChannelHandlers: [
            ConnectionTimeoutHandler(headerTimeout: headerTimeout, idleTimeout: idleTimeout, logger: logger),
        ]))
        self.limiter = limiter
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        guard limiter.admit(channel) else {
            logger.debug("Refusing a connection from \(channel.remoteAddress?.description ?? "?"): it has too many open")
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(ConnectionCapReached())
        }
        return http.setup(channel: channel, logger: logger).flatMapErrorThrowing { error in
            channel.close(promise: nil)
            throw error
        }
    }

    func handle(value: Value, logger: Logger) async {
        await http.handle(value: value, logger: logger)
    }
}

/// The reason a connection beyond the per-client cap is not set up (it is already closed).
private struct ConnectionCapReached: Error {}
