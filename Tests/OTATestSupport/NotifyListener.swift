#if canImport(Glibc)
import Glibc
#endif
import Foundation
@testable import OTA

/// A datagram socket standing in for systemd's notification socket: a thread receives every message
/// until ``finish()``, which returns them all in order.
final class NotifyListener: @unchecked Sendable {
    /// The address for `$NOTIFY_SOCKET`: a path, or `@name` for the abstract namespace.
    let address: String
    private let fd: Int32
    private let lock = NSLock()
    private var received: [String] = []
    private let done = DispatchSemaphore(value: 0)
    private static let end = "END-OF-TEST"

    init(address: String) throws {
        self.address = address
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError.last("socket") }
        var (socketAddress, length) = Self.socketAddress(address)
        let bound = withUnsafePointer(to: &socketAddress) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else {
            let error = SystemError.last("bind \(address)")
            close(fd)
            throw error
        }
        Thread { [self] in receive() }.start()
    }

    static func socketAddress(_ address: String) -> (sockaddr_un, socklen_t) {
        var socketAddress = sockaddr_un()
        socketAddress.sun_family = sa_family_t(AF_UNIX)
        var name = Array(address.utf8)
        if name.first == UInt8(ascii: "@") { name[0] = 0 }
        withUnsafeMutableBytes(of: &socketAddress.sun_path) { $0.copyBytes(from: name) }
        return (socketAddress, socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + name.count + (name.first == 0 ? 0 : 1)))
    }

    /// A listener on `path` in `directory`.
    convenience init(in directory: TemporaryDirectory) throws {
        try self.init(address: directory.url("notify.sock"))
    }

    private func receive() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count < 0 { if errno == EINTR { continue } else { break } }
            let message = String(decoding: buffer[0..<count], as: UTF8.self)
            if message == Self.end { break }
            lock.withLock { received.append(message) }
        }
        done.signal()
    }

    /// Every message received, in order, once those sent before this call have all arrived.
    func finish() -> [String] {
        // The end mark is sent blocking, so that it is never dropped like a notification could be.
        let sender = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var (socketAddress, length) = Self.socketAddress(address)
        let mark = Array(Self.end.utf8)
        _ = withUnsafePointer(to: &socketAddress) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(sender, mark, mark.count, 0, $0, length) } }
        close(sender)
        done.wait()
        close(fd)
        if address.hasPrefix("/") { unlink(address) }
        return lock.withLock { received }
    }
}
