import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A TCP port on 127.0.0.1 that no server answers on, held for as long as this value lives (so that no other
/// program can take it meanwhile):
///
/// - ``refusing()``: a socket bound to the port that does not listen: every connection is refused
///   (`ECONNREFUSED`) at once, as when the server is not running.
/// - ``neverAccepting()``: a socket that listens with a backlog of 0, whose one queued slot is taken by a
///   connection of its own: further connections are never accepted (Linux drops their SYNs), as with a server
///   that is hung or overloaded, so a client waits until its connect time-out.
public final class UnservedPort: @unchecked Sendable {
    public struct SetupFailed: Error, CustomStringConvertible {
        public let description: String
    }

    public let port: Int
    private let fd: Int32
    private let filler: RawTCPConnection?

    public static func refusing() throws -> UnservedPort { try UnservedPort(listening: false) }
    public static func neverAccepting() throws -> UnservedPort { try UnservedPort(listening: true) }

    private init(listening: Bool) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SetupFailed(description: "socket: errno \(errno)") }
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { Glibc.close(fd); throw SetupFailed(description: "bind 127.0.0.1:0: errno \(errno)") }
        port = Int(UInt16(bigEndian: address.sin_port))
        guard listening else { filler = nil; return }
        guard listen(fd, 0) == 0 else { Glibc.close(fd); throw SetupFailed(description: "listen: errno \(errno)") }
        do {
            filler = try RawTCPConnection(port: port)
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    deinit {
        filler?.close()
        Glibc.close(fd)
    }
}
