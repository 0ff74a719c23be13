import Foundation

/// A real S3 API for the tests: `moto_server` (PyPI `moto[server]`) on 127.0.0.1, on a free port,
/// stopped by ``stop()`` or when released. Missing moto is an error that says how to install it
/// (CI installs it in `.ci/run`), never a skip.
public final class MotoServer: @unchecked Sendable {
    public static let installHint = "moto_server is not installed: run `python3 -m pip install 'moto[server]' boto3` (CI does this in .ci/run)"

    /// `http://127.0.0.1:PORT`.
    public let endpoint: String
    private let process: Process

    /// Starts `moto_server -H 127.0.0.1 -p 0` and waits (up to `timeout`) until it says where it listens.
    public init(timeout: TimeInterval = 60) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["moto_server", "-H", "127.0.0.1", "-p", "0"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        let found = PortFinder()
        // Reads everything moto prints (one log line per request) so that its pipe never fills.
        output.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            if chunk.isEmpty { handle.readabilityHandler = nil }
            found.add(chunk, ended: chunk.isEmpty)
        }
        try process.run()
        guard found.ready.wait(timeout: .now() + timeout) == .success, let port = found.port else {
            kill(process.processIdentifier, SIGKILL)
            throw MotoError(description: "\(Self.installHint); it printed: \(found.text)")
        }
        self.process = process
        endpoint = "http://127.0.0.1:\(port)"
    }

    /// Stops the server and waits for it to exit. SIGKILL, because a child of the test process may
    /// inherit a signal mask that blocks SIGTERM, which Python never unblocks.
    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }

    public struct MotoError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Collects moto's output until the `Running on http://127.0.0.1:PORT` line (or the end).
    private final class PortFinder: @unchecked Sendable {
        let ready = DispatchSemaphore(value: 0)
        private let lock = NSLock()
        private var buffer = ""
        private var signalled = false
        private(set) var port: Int?

        var text: String { lock.withLock { buffer } }

        func add(_ chunk: Data, ended: Bool) {
            lock.withLock {
                guard !signalled else { return }
                buffer += String(decoding: chunk, as: UTF8.self)
                if let range = buffer.range(of: "Running on http://127.0.0.1:") {
                    let digits = buffer[range.upperBound...].prefix { $0.isNumber }
                    if let value = Int(digits), buffer[range.upperBound...].dropFirst(digits.count).first?.isNewline == true {
                        port = value
                    }
                }
                if port != nil || ended {
                    signalled = true
                    ready.signal()
                }
            }
        }
    }
}
