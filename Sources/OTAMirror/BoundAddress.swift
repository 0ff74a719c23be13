import Foundation

/// The address the server actually listens on, known once it is running (port 0 = any free port).
///
/// Filled in by `onServerRunning`; `wait()` suspends until then, so a test or the CLI can learn the
/// port of a server started on `127.0.0.1:0`. If the server fails before listening, waiters get
/// that failure instead of waiting forever.
final class BoundAddress: @unchecked Sendable {
    private enum State {
        case waiting([CheckedContinuation<Int, any Error>])
        case listening(Int)
        case failed(MirrorError)
    }

    private let lock = NSLock()
    private var state = State.waiting([])
    private let host: String

    init(host: String) { self.host = host }

    /// `http://host:port`, or `nil` while the server is not listening.
    var baseURL: String? {
        lock.withLock {
            if case .listening(let port) = state { return "http://\(Self.hostForURL(host)):\(port)" }
            return nil
        }
    }

    func resolve(port: Int) { settle(.listening(port)) }

    func fail(_ error: MirrorError) { settle(.failed(error)) }

    private func settle(_ new: State) {
        let waiters = lock.withLock { () -> [CheckedContinuation<Int, any Error>] in
            guard case .waiting(let waiters) = state else {
                if case .listening = new { state = new }
                return []
            }
            state = new
            return waiters
        }
        for waiter in waiters {
            switch new {
            case .listening(let port): waiter.resume(returning: port)
            case .failed(let error): waiter.resume(throwing: error)
            case .waiting: break
            }
        }
    }

    /// The bound port, waiting for the server to start listening.
    func wait() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let outcome = lock.withLock { () -> Result<Int, MirrorError>? in
                switch state {
                case .listening(let port): return .success(port)
                case .failed(let error): return .failure(error)
                case .waiting(var waiters):
                    waiters.append(continuation)
                    state = .waiting(waiters)
                    return nil
                }
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }

    /// IPv6 literals need brackets in a URL.
    static func hostForURL(_ host: String) -> String {
        host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
    }
}
