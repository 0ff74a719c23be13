import Logging
import NIOCore
import NIOHTTPTypes

/// Closes connections that hold a file descriptor without making progress on a request.
///
/// - Request-header timeout: from the moment the connection opens, or on a kept-alive connection
///   from the first bytes of the next request, the head must be complete within this time. A
///   silent connection or a head trickling in a byte at a time is closed.
/// - Idle timeout: after a response ended, the next request must start within this time.
///
/// Neither clock runs while a request is being answered, so a long download is never cut.
/// (Hummingbird's own idle timeout runs from the moment a connection opens and keeps running while
/// the next head arrives, so it cannot tell the two apart.)
final class ConnectionTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum Phase {
        case awaitingHead
        case answering(requests: Int)
        case idle
    }

    private let headerTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    private let logger: Logger
    private var phase = Phase.awaitingHead
    private var deadline: Scheduled<Void>?

    init(headerTimeout: Duration, idleTimeout: Duration, logger: Logger) {
        self.headerTimeout = TimeAmount(headerTimeout)
        self.idleTimeout = TimeAmount(idleTimeout)
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startClock(context, headerTimeout, "no complete request head") }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stopClock()
    }

    func channelActive(context: ChannelHandlerContext) {
        startClock(context, headerTimeout, "no complete request head")
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopClock()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = Self.unwrapInboundIn(data) {
            stopClock()
            if case .answering(let requests) = phase {
                phase = .answering(requests: requests + 1)
            } else {
                phase = .answering(requests: 1)
            }
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // Bytes arrived without completing a head while the connection was idle: a request has begun.
        if case .idle = phase {
            phase = .awaitingHead
            stopClock()
            startClock(context, headerTimeout, "no complete request head")
        }
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = Self.unwrapOutboundIn(data), case .answering(let requests) = phase {
            if requests > 1 {
                phase = .answering(requests: requests - 1)
            } else {
                phase = .idle
                startClock(context, idleTimeout, "no new request")
            }
        }
        context.write(data, promise: promise)
    }

    private func startClock(_ context: ChannelHandlerContext, _ timeout: TimeAmount, _ reason: String) {
        guard deadline == nil else { return }
        let logger = logger
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            self.deadline = nil
            let client = context.channel.remoteAddress?.description ?? "?"
            logger.debug("Closing connection from \(client): \(reason) within \(Double(timeout.nanoseconds) / 1e9) s")
            context.close(promise: nil)
        }
    }

    private func stopClock() {
        deadline?.cancel()
        deadline = nil
    }
}
