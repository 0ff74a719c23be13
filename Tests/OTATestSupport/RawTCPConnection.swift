import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP (or UNIX socket) connection to a server under test, for exact control over what is sent
/// and when: half-sent request heads, silent connections, many connections from one address.
///
/// Reads wait on a thread of their own, never on the concurrency pool (on 2 cores a blocked pool
/// thread starves the in-process server), and give up after a timeout instead of hanging a test.
/// The default timeout is a hang guard only, long enough for a starved server on a busy 2-core
/// machine to answer: a test never relies on it running out.
public final class RawTCPConnection: @unchecked Sendable {
    /// How long a read waits by default before it gives up.
    public static let hangGuard = Duration.seconds(300)

    public struct ConnectionFailed: Error, CustomStringConvertible {
        public let description: String
    }

    /// What a read saw: the bytes, and whether the server closed the connection (EOF or reset).
    public struct Received: Sendable {
        public var bytes: [UInt8]
        public var closed: Bool
        public var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    private let fd: Int32

    /// Connects to `127.0.0.1:port`, from `sourceAddress` (any of 127.0.0.0/8) when given.
    public init(port: Int, sourceAddress: String? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ConnectionFailed(description: "socket: errno \(errno)") }
        if let sourceAddress {
            var source = Self.address(sourceAddress, port: 0)
            let bound = withUnsafePointer(to: &source) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else { Glibc.close(fd); throw ConnectionFailed(description: "bind \(sourceAddress): errno \(errno)") }
        }
        var target = Self.address("127.0.0.1", port: port)
        let connected = withUnsafePointer(to: &target) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { Glibc.close(fd); throw ConnectionFailed(description: "connect to port \(port): errno \(errno)") }
    }

    /// Connects to the UNIX socket at `path` (short enough for a socket address).
    public init(unixSocket path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ConnectionFailed(description: "socket: errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            Glibc.close(fd)
            throw ConnectionFailed(description: "\(path) is too long for a socket address")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { Glibc.close(fd); throw ConnectionFailed(description: "connect to \(path): errno \(errno)") }
    }

    deinit { Glibc.close(fd) }

    /// Sends `text`; `false` if the server has already closed the connection.
    @discardableResult
    public func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    /// Sends a `GET` for `path` (keeping the connection alive) and reads the whole response;
    /// returns its status code, or `nil` if the connection closed first.
    public func get(_ path: String, timeout: Duration = hangGuard) async -> Int? {
        guard send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n") else { return nil }
        let received = await read(timeout: timeout) { Self.isCompleteResponse($0) }
        guard Self.isCompleteResponse(received.bytes) else { return nil }
        return Int(received.text.dropFirst("HTTP/1.1 ".count).prefix(3))
    }

    /// A connection to `port` on which a `GET` for `path` was answered with `status`. With a header
    /// timeout of a few hundred milliseconds the server may close a connection before its request
    /// arrives (a busy machine can pause the client between `connect` and `send`): then it tries a
    /// new connection, up to `attempts` times.
    public static func answered(port: Int, path: String, status: Int = 200, attempts: Int = 5) async throws -> RawTCPConnection {
        for _ in 1..<attempts {
            let connection = try RawTCPConnection(port: port)
            if let answer = await connection.get(path) {
                guard answer == status else { throw ConnectionFailed(description: "GET \(path) answered \(answer), not \(status)") }
                return connection
            }
        }
        let connection = try RawTCPConnection(port: port)
        let answer = await connection.get(path)
        guard answer == status else { throw ConnectionFailed(description: "GET \(path) answered \(answer.map(String.init) ?? "nothing")") }
        return connection
    }

    /// Reads until the server closes the connection, or `timeout` passes (then `closed` is `false`).
    public func readUntilClosed(timeout: Duration = hangGuard) async -> Received {
        await read(timeout: timeout) { _ in false }
    }

    /// Sends `text` one byte at a time, `interval` apart, until the server closes the connection
    /// (`true`) or every byte is sent and `timeout` passed (`false`).
    public func trickle(_ text: String, interval: Duration, timeout: Duration = hangGuard) async -> Bool {
        let clock = ContinuousClock(), deadline = clock.now + timeout
        for byte in text {
            if !send(String(byte)) { return true }
            if await read(timeout: interval, until: { _ in false }).closed { return true }
        }
        return await readUntilClosed(timeout: max(deadline - clock.now, .zero)).closed
    }

    /// Closes the connection from this side.
    public func close() {
        shutdown(fd, Int32(SHUT_RDWR))
    }

    /// Reads on a dedicated thread until `done` holds for the bytes so far, the peer closes, or `timeout` passes.
    public func read(timeout: Duration, until done: @escaping @Sendable ([UInt8]) -> Bool) async -> Received {
        await withCheckedContinuation { continuation in
            Thread {
                continuation.resume(returning: self.readBlocking(timeout: timeout, until: done))
            }.start()
        }
    }

    private func readBlocking(timeout: Duration, until done: ([UInt8]) -> Bool) -> Received {
        let clock = ContinuousClock(), deadline = clock.now + timeout
        var received = Received(bytes: [], closed: false)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !done(received.bytes) {
            let remaining = deadline - clock.now
            guard remaining > .zero else { break }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1)
            guard poll(&descriptor, 1, milliseconds) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 {
                received.closed = true
                break
            }
            received.bytes += buffer[0..<count]
        }
        return received
    }

    /// Whether `bytes` hold a response head and as many body bytes as its `Content-Length` says.
    static func isCompleteResponse(_ bytes: [UInt8]) -> Bool {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let headEnd = text.range(of: "\r\n\r\n") else { return false }
        let head = text[..<headEnd.lowerBound].lowercased()
        let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        return text[headEnd.upperBound...].utf8.count >= length
    }

    private static func address(_ host: String, port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        return address
    }
}
