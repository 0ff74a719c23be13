import NIOCore

/// Closes a connection whose client stops reading its answer: once the connection has been unwritable
/// (the client's socket buffer and the server's write buffer full) for `timeout` without a break.
///
/// The clock runs on the connection's event loop, started and stopped by the channel's writability, so
/// it measures the client only: a client that reads, however slowly, and a server that takes long to
/// produce the next event are never cut off.
final class WriteStallDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let timeout: TimeAmount
    private var deadline: Scheduled<Void>?

    init(timeout: Duration) {
        self.timeout = .nanoseconds(StatusServer.nanoseconds(timeout))
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            stop()
        } else if deadline == nil {
            deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
                context.close(promise: nil)
            }
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
    }

    private func stop() {
        deadline?.cancel()
        deadline = nil
    }
}
