#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call, with the operation and the `errno` it set.
public struct SystemError: OTAError, Equatable {
    /// What was being done, e.g. `rename /a to /b`.
    public let operation: String
    /// The `errno` value (`ENOSPC`, `EACCES`, …).
    public let errno: Int32

    public init(_ operation: String, errno: Int32) {
        self.operation = operation
        self.errno = errno
    }

    /// The error for the current `errno`.
    public static func last(_ operation: String) -> SystemError {
        SystemError(operation, errno: Glibc.errno)
    }

    public var message: String {
        let reason = String(cString: strerror(errno))
        switch errno {
        case ENOSPC: return "\(operation) failed: \(reason) (free some space on that filesystem and try again)"
        case EACCES, EPERM: return "\(operation) failed: \(reason) (check the owner and permissions, or run with the right user)"
        default: return "\(operation) failed: \(reason)"
        }
    }
}
