import Hummingbird

/// The request context of the mirror: Hummingbird's core context plus a way to wait for the
/// connection's event loop to catch up.
///
/// Why: a response body written from a task (not the event loop) hands each chunk to the event
/// loop asynchronously, and the writer learns that the socket is full only when the event loop has
/// processed those hand-offs. A fast reader can therefore queue hundreds of megabytes before the
/// writer suspends (measured with Hummingbird's `FileIO`: 100–560 MB peak RSS serving 1 GB to a
/// local `curl`). Awaiting a no-op on the event loop every few chunks bounds what is queued.
struct MirrorRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// Completes once every task queued earlier on this connection's event loop has run.
    let drainEventLoop: @Sendable () async throws -> Void

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        let eventLoop = source.channel.eventLoop
        self.drainEventLoop = { try await eventLoop.submit {}.get() }
    }
}
