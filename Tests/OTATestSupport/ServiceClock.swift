import Foundation

/// Records the service's waits, and a time that moves only by them; the `limit`-th wait starts a graceful shutdown
/// and lasts until the shutdown cancels it.
final class ServiceClock: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var delays: [Duration] = []
    private var current: Date
    let limit: Int
    let shutdown: @Sendable () -> Void

    init(limit: Int, start: Date = Date(timeIntervalSince1970: 1_700_000_000), shutdown: @escaping @Sendable () -> Void) {
        self.limit = limit
        self.current = start
        self.shutdown = shutdown
    }

    /// The start time plus every wait so far.
    var now: @Sendable () -> Date {
        { [self] in lock.withLock { current } }
    }

    var sleep: @Sendable (Duration) async throws -> Void {
        { [self] duration in
            let count = lock.withLock {
                delays.append(duration)
                let (seconds, attoseconds) = duration.components
                current += TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
                return delays.count
            }
            guard count >= limit else { return await Task.yield() }
            // The wait ends only with the shutdown (which cancels it), so no further cycle can start first.
            shutdown()
            await untilCancelled()
            throw CancellationError()
        }
    }
}
