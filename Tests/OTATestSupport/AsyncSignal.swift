import Foundation

/// A one-shot event that tests use instead of sleeping: any thread or task fires it, and `wait()`
/// suspends until it has fired without holding a thread (a blocked cooperative thread can starve the
/// very task that was to fire it on a 2-core machine).
public final class AsyncSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var fired = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init() {}

    /// Whether `fire()` was called.
    public var hasFired: Bool { lock.withLock { fired } }

    /// Fires the event: every current and future `wait()` returns. Later calls do nothing.
    public func fire() {
        let waiting = lock.withLock {
            fired = true
            defer { waiters = [] }
            return waiters
        }
        for waiter in waiting { waiter.resume() }
    }

    /// Returns once the event has fired.
    public func wait() async {
        await withCheckedContinuation { continuation in
            let firedAlready = lock.withLock {
                if !fired { waiters.append(continuation) }
                return fired
            }
            if firedAlready { continuation.resume() }
        }
    }
}

/// Returns when the current task is cancelled, holding no thread meanwhile.
public func untilCancelled() async {
    let cancelled = AsyncSignal()
    await withTaskCancellationHandler {
        await cancelled.wait()
    } onCancel: {
        cancelled.fire()
    }
}
