import Synchronization

/// Requests to a running agent, from its status API (`POST /v1/check`, `POST /v1/update`): the
/// ``UpdateService`` wakes from its wait between checks and runs the cycle asked for. A request made
/// during a cycle runs right after it; requests made meanwhile count once (an update includes a check).
public final class AgentRequests: Sendable {
    /// What the agent is asked to do now.
    public enum Kind: String, Sendable {
        /// Check for an update (and install nothing).
        case check
        /// Check, and install what is found, even with `auto_update` off.
        case update
    }

    private struct Inbox {
        var pending: Kind?
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let inbox = Mutex(Inbox())

    public init() {}

    /// Asks the agent to `kind` as soon as it can.
    public func submit(_ kind: Kind) {
        let waiter = inbox.withLock { inbox in
            if inbox.pending != .update { inbox.pending = kind }
            defer { inbox.waiter = nil }
            return inbox.waiter
        }
        waiter?.resume()
    }

    /// Waits `delay` with `sleep`, or less when a request comes; returns the request (`nil` when the
    /// delay passed without one). A request already made returns at once.
    /// - Throws: what `sleep` throws; `CancellationError` whenever the wait is cancelled.
    func wait(_ delay: Duration, sleep: @escaping @Sendable (Duration) async throws -> Void) async throws -> Kind? {
        if let pending = take() { return pending }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await sleep(delay) }
            group.addTask { await self.nextSubmission() }
            try await group.next()
            group.cancelAll()
        }
        // A cancelled wait can end by its submission side first, which returns rather than throws.
        try Task.checkCancellation()
        return take()
    }

    private func take() -> Kind? {
        inbox.withLock { inbox in
            defer { inbox.pending = nil }
            return inbox.pending
        }
    }

    /// Returns when a request is made (or one is pending), or when the task is cancelled.
    private func nextSubmission() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = inbox.withLock { inbox in
                    if inbox.pending != nil || Task.isCancelled { return true }
                    inbox.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = inbox.withLock { inbox in
                defer { inbox.waiter = nil }
                return inbox.waiter
            }
            waiter?.resume()
        }
    }
}
