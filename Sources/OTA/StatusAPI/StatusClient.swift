import Foundation
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// A client of the agent's status API: one request on a new connection, the whole response read.
/// `ota status` asks it for the live state and falls back to the files when no agent answers.
package struct StatusClient: Sendable {
    /// The socket's path (`status_socket`).
    package let path: String
    /// How long connecting, each write and each read may take.
    package var timeout: Duration

    package init(path: String, timeout: Duration = .seconds(2)) {
        self.path = path
        self.timeout = timeout
    }

    /// A response: the status code, the headers (lowercased names) and the body.
    package struct Response: Sendable {
        package var status: Int
        package var headers: [String: String]
        package var body: [UInt8]
    }

    /// Sends `method target` and reads the response (at most `limit` bytes).
    package func request(_ method: String, _ target: String, limit: Int = 8 << 20) throws(SystemError) -> Response {
        let (folder, address): (Int32, String)
        do { (folder, address) = try StatusSocket(path: path).reach() } catch { throw SystemError(error.message, errno: ENOENT) }
        defer { close(folder) }
        let fd = try StatusSocket.connect(to: address, timeout: timeout)
        defer { close(fd) }
        let request = Array("\(method) \(target) HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8)
        let bytes: [UInt8]
        do {
            try Syscall.writeAll(fd, request, "write to \(path)")
            bytes = try Syscall.readAll(fd, limit: limit, "read from \(path)")
        } catch where error.errno == EAGAIN || error.errno == EWOULDBLOCK {
            // The socket's SO_RCVTIMEO/SO_SNDTIMEO expired: the agent did not answer in time.
            throw SystemError("\(error.operation) (no progress within \(timeout); the agent is busy or hung)", errno: ETIMEDOUT)
        }
        guard let response = Self.parse(bytes) else { throw SystemError("read from \(path) (not an HTTP response)", errno: EPROTO) }
        return response
    }

    /// `GET /v1/status`, decoded.
    package func status() throws -> OTAStatus {
        let response = try request("GET", "/v1/status")
        guard response.status == 200 else { throw SystemError("GET /v1/status on \(path) answered \(response.status)", errno: EPROTO) }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .utcISO8601
        return try decoder.decode(OTAStatus.self, from: Data(response.body))
    }

    /// ``request(_:_:limit:)`` on NIO's thread pool: the calling task waits without holding a thread,
    /// so a server in the same process answers even with a single thread to run tasks on.
    package func requestInBackground(_ method: String, _ target: String) async throws -> Response {
        try await NIOThreadPool.singleton.runIfActive { try request(method, target) }
    }

    /// ``status()`` on NIO's thread pool (see ``requestInBackground(_:_:)``).
    package func statusInBackground() async throws -> OTAStatus {
        try await NIOThreadPool.singleton.runIfActive { try status() }
    }

    /// The status line, headers and body of a complete response whose body is delimited by
    /// `Content-Length` or by the end of the connection.
    static func parse(_ bytes: [UInt8]) -> Response? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = bytes.indices.dropLast(3).first(where: { bytes[$0..<$0 + 4].elementsEqual(separator) }) else { return nil }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusLine = lines[0].split(separator: " ")
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let status = Int(statusLine[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(bytes[(end + 4)...])
        if let length = headers["content-length"].flatMap({ Int($0) }) {
            guard body.count >= length else { return nil }
            body = Array(body.prefix(length))
        }
        return Response(status: status, headers: headers, body: body)
    }
}
