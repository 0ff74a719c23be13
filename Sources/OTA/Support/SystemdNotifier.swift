#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Tells systemd what the agent does, the `sd_notify` protocol without libsystemd: one datagram per
/// message to the UNIX socket in `$NOTIFY_SOCKET` (a path, or `@name` for an abstract socket), holding
/// `KEY=value` lines — `READY=1` (a `Type=notify` unit is started), `STATUS=…` (shown by
/// `systemctl status`) and `WATCHDOG=1` (alive, for `WatchdogSec=`).
///
/// ```swift
/// if let notifier = SystemdNotifier.fromEnvironment() {
///     notifier.send(.ready, .status("idle"))
/// }
/// ```
public struct SystemdNotifier: Sendable {
    /// One line of a notification.
    public enum Field: Sendable, Equatable {
        case ready
        case status(String)
        case watchdog
        case stopping

        var line: String {
            switch self {
            case .ready: return "READY=1"
            case .status(let text): return "STATUS=" + text.replacingOccurrences(of: "\n", with: " ")
            case .watchdog: return "WATCHDOG=1"
            case .stopping: return "STOPPING=1"
            }
        }
    }

    /// `$NOTIFY_SOCKET`: a socket path, or `@name` for a socket in the abstract namespace.
    public let socketPath: String

    public init(socketPath: String) {
        self.socketPath = socketPath
    }

    /// The notifier for `$NOTIFY_SOCKET`; `nil` when the process was not started by systemd for a
    /// `Type=notify` unit (or the variable is not a usable socket address).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> SystemdNotifier? {
        guard let path = environment["NOTIFY_SOCKET"], path.hasPrefix("/") || (path.hasPrefix("@") && path.count > 1) else { return nil }
        return SystemdNotifier(socketPath: path)
    }

    /// How often to send `WATCHDOG=1`: half of `$WATCHDOG_USEC`, when it is set for this process
    /// (`$WATCHDOG_PID` absent or equal to `pid`); `nil` otherwise.
    public static func watchdogInterval(_ environment: [String: String] = ProcessInfo.processInfo.environment,
                                        pid: Int32 = getpid()) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let microseconds = UInt64(text), microseconds > 0 else { return nil }
        if let owner = environment["WATCHDOG_PID"], Int32(owner) != pid { return nil }
        return .microseconds(Int64(clamping: microseconds / 2))
    }

    /// Sends `fields` as one notification; `false` when it could not be sent (systemd gone, socket
    /// missing): notifications are advisory, the agent carries on.
    @discardableResult
    public func send(_ fields: Field...) -> Bool {
        send(fields)
    }

    /// Sends `fields` as one notification, as the variadic `send(_:)` does.
    @discardableResult
    public func send(_ fields: [Field]) -> Bool {
        let message = Array(fields.map(\.line).joined(separator: "\n").utf8)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var name = Array(socketPath.utf8)
        if name.first == UInt8(ascii: "@") { name[0] = 0 }   // the abstract namespace: a leading NUL
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard name.count <= capacity - (name.first == 0 ? 0 : 1) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: name) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + name.count + (name.first == 0 ? 0 : 1))
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                // MSG_DONTWAIT: a notification is dropped rather than ever blocking the agent.
                Syscall.retryingInterrupts { sendto(fd, message, message.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT), socketAddress, length) }
            }
        }
        return sent == message.count
    }

    /// Sends `WATCHDOG=1` at once, then every `interval` until the task is cancelled.
    /// - Parameters:
    ///   - interval: the time between pings (half of `WatchdogSec=`).
    ///   - sleep: waits between pings (tests inject one that records the intervals).
    public func keepWatchdogAlive(every interval: Duration,
                                  sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) async {
        repeat {
            send(.watchdog)
            do { try await sleep(interval) } catch { return }
        } while !Task.isCancelled
    }
}
