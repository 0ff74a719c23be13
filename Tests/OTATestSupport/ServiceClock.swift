import Foundation

/// Records the service's waits; after `limit` waits it starts a graceful shutdown.
final class ServiceClock: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var delays: [Duration] = []
    let limit: Int
    let shutdown: @Sendable () -> Void

    init(limit: Int, shutdown: @escaping @Sendable () -> Void) {
        self.limit = limit
        self.shutdown = shutdown
    }

    var sleep: @Sendable (Duration) async throws -> Void {
        { [self] duration in
            let count = lock.withLock { delays.append(duration); return delays.count }
            if count >= limit { shutdown() }
            await Task.yield()
        }
    }
}
