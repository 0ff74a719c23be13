import Foundation

/// How often and how patiently a failed request is tried again.
///
/// The delay before retry *n* (1-based) is `retryDelay × 2^(n-1)`, capped at ``maxDelay``, multiplied by a
/// random factor in 0.5…1.5 so that a fleet does not retry in step. Only transient failures are retried
/// (``TransferError/isTransient``): connection problems, time-outs, 5xx, 408 and 429.
public struct RetryPolicy: Sendable {
    /// Retries after the first attempt (`max_retries`).
    public var maxRetries: Int
    /// The first delay (`retry_delay`).
    public var baseDelay: Duration
    /// The longest delay between two attempts.
    public var maxDelay: Duration
    /// Sleeps between attempts; tests inject one that records instead of waiting.
    public var sleep: @Sendable (Duration) async throws -> Void

    public init(maxRetries: Int, baseDelay: Duration, maxDelay: Duration = .seconds(300),
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
        self.maxRetries = maxRetries
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.sleep = sleep
    }

    /// The delay before retry `attempt` (1 for the first retry), jitter included.
    public func delay(beforeRetry attempt: Int, jitter: Double = Double.random(in: 0.5...1.5)) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let raw = baseDelay * (1 << exponent)
        let capped = raw > maxDelay ? maxDelay : raw
        return capped * jitter
    }

    /// Runs `operation`, retrying transient ``TransferError``s; any other error ends at once.
    ///
    /// - Parameter onRetry: told about each failure that will be retried, with the delay.
    func run<T: Sendable>(
        onRetry: (TransferError, Int, Duration) -> Void = { _, _, _ in },
        _ operation: (Int) async throws(TransferError) -> T
    ) async throws(TransferError) -> T {
        var attempt = 0
        while true {
            do {
                return try await operation(attempt)
            } catch where error.isTransient && attempt < maxRetries {
                attempt += 1
                let wait = error.retryAfter.map(Self.wait(until:)) ?? delay(beforeRetry: attempt)
                onRetry(error, attempt, wait)
                do {
                    try await sleep(wait)
                } catch {
                    throw TransferError(.connectionFailed, "cancelled while waiting to retry", underlying: error)
                }
            }
        }
    }

    /// The wait until `date`: from zero up to ``RateLimit/longestWait``, whatever the date.
    package static func wait(until date: Date) -> Duration {
        let seconds = date.timeIntervalSinceNow
        guard seconds.isFinite, seconds > 0 else { return .zero }
        return .seconds(min(seconds, RateLimit.longestWait))
    }
}
