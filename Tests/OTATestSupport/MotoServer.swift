import Foundation

/// A real S3 API for the tests: `moto_server` (PyPI `moto[server]`) on 127.0.0.1, on a free port,
/// stopped by ``stop()`` or when released. Missing moto is an error that says how to install it
/// (CI installs it in `.ci/run`), never a skip.
///
/// Each request moto answers is one line of its log, read back by ``requests()``: method, URI, status.
public final class MotoServer: @unchecked Sendable {
    /// One request moto logged.
    public struct Request: Sendable, Equatable, CustomStringConvertible {
        public let method: String
        public let uri: String
        public let status: Int

        public var description: String { "\(method) \(uri) \(status)" }
    }

    public static let installHint = "moto_server is not installed: run `python3 -m pip install 'moto[server]' boto3` (CI does this in .ci/run)"

    /// `http://127.0.0.1:PORT`.
    public let endpoint: String
    private let port: Int
    private let process: Process
    /// moto's output.
    private let found: PortFinder

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
        self.found = found
        self.port = port
        endpoint = "http://127.0.0.1:\(port)"
    }

    /// The requests moto answered since it started or since ``clearRequests()``, in order. Sends a marker
    /// request first and waits until moto has logged it: moto logs each request before it answers, so every
    /// request answered before this call is in.
    public func requests() async throws -> [Request] {
        let marker = "/ota-test-marker-\(UUID().uuidString.lowercased())"
        let connection = try RawTCPConnection(port: port)
        guard await connection.get(marker) != nil else { throw MotoError(description: "moto did not answer the marker request \(marker)") }
        guard let text = found.text(through: marker, timeout: 60) else { throw MotoError(description: "moto did not log the marker request \(marker): \(found.text)") }
        return text.split(whereSeparator: \.isNewline).compactMap(Self.request).filter { !$0.uri.hasPrefix("/ota-test-marker-") }
    }

    /// Forgets the requests answered so far.
    public func clearRequests() async throws {
        _ = try await requests()
        found.clear()
    }

    /// The request of one line of moto's log (`127.0.0.1 - - [date] "GET /path HTTP/1.1" 304 -`).
    private static func request(_ line: Substring) -> Request? {
        let parts = line.split(separator: "\"", omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return nil }
        let requestLine = parts[1].split(separator: " "), status = parts[2].split(separator: " ").first.flatMap { Int($0) }
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/"), let status else { return nil }
        return Request(method: String(requestLine[0]), uri: String(requestLine[1]), status: status)
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

    /// Collects moto's output; signals ``ready`` at the `Running on http://127.0.0.1:PORT` line (or the end).
    private final class PortFinder: @unchecked Sendable {
        let ready = DispatchSemaphore(value: 0)
        private let condition = NSCondition()
        private var buffer = ""
        private var signalled = false
        private(set) var port: Int?

        var text: String { condition.withLock { buffer } }

        /// The output up to the end of the line holding `marker`, once it arrives; `nil` after `timeout` seconds without it.
        func text(through marker: String, timeout: TimeInterval) -> String? {
            let deadline = Date(timeIntervalSinceNow: timeout)
            condition.lock()
            defer { condition.unlock() }
            while true {
                if let range = buffer.range(of: marker) {
                    let end = buffer[range.upperBound...].firstIndex(where: \.isNewline) ?? buffer.endIndex
                    return String(buffer[..<end])
                }
                guard condition.wait(until: deadline) else { return nil }
            }
        }

        /// Forgets the output so far.
        func clear() {
            condition.withLock { buffer = "" }
        }

        func add(_ chunk: Data, ended: Bool) {
            condition.withLock {
                buffer += String(decoding: chunk, as: UTF8.self)
                condition.broadcast()
                guard !signalled else { return }
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
