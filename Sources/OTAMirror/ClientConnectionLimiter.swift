import Foundation
import NIOCore

/// Counts the open connections of each client (remote IP address) and refuses those beyond a cap,
/// so one host cannot take all of the server's file descriptors.
final class ClientConnectionLimiter: @unchecked Sendable {
    private let lock = NSLock()
    private var open: [String: Int] = [:]
    private let limit: Int
    private let released: (@Sendable () -> Void)?

    /// A limiter allowing `limit` connections per client; `released` runs after each slot is freed.
    init(limit: Int, released: (@Sendable () -> Void)? = nil) {
        self.limit = limit
        self.released = released
    }

    /// Takes a slot for `channel`'s client and frees it when the channel closes; `false` (and no
    /// slot taken) when the client already holds `limit` connections. Channels without an IP
    /// address (Unix sockets) are not counted.
    func admit(_ channel: any Channel) -> Bool {
        guard let client = channel.remoteAddress?.ipAddress else { return true }
        let admitted = lock.withLock {
            let count = open[client, default: 0]
            guard count < limit else { return false }
            open[client] = count + 1
            return true
        }
        guard admitted else { return false }
        channel.closeFuture.whenComplete { _ in self.release(client) }
        return true
    }

    private func release(_ client: String) {
        lock.withLock {
            let remaining = open[client, default: 1] - 1
            open[client] = remaining > 0 ? remaining : nil
        }
        released?()
    }
}
