#if canImport(Glibc)
import Glibc
#endif

/// The status API's socket file (`status_socket`): where it may be, how to reach it, and what to do
/// with a file already there.
///
/// Its folder must not be writable by other users (they could swap the socket for their own); a path
/// longer than a socket address holds (107 bytes) is reached through its folder (`/proc/self/fd/N/name`);
/// a socket left by an agent that was killed is replaced, but one an agent still answers on is not.
struct StatusSocket: Sendable {
    /// The socket's absolute path.
    let path: String

    /// Why the socket cannot be used; the agent then runs without its status API.
    struct Problem: Error, Equatable {
        let message: String
    }

    /// The bytes a socket address holds, the terminating NUL included.
    static let addressCapacity = MemoryLayout.size(ofValue: sockaddr_un().sun_path)

    var folder: String { PathName.deletingLastComponent(of: path) }
    var name: String { PathName.lastComponent(of: path) }

    /// An open descriptor of the socket's folder, and the address that reaches `name` in it: the path
    /// itself when it fits, else through the descriptor. Close the descriptor when done.
    func reach() throws(Problem) -> (folder: Int32, address: String) {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw Problem(message: "status_socket \(path): \(SystemError.last("open the folder \(folder)").message)") }
        let address = path.utf8.count < Self.addressCapacity ? path : "/proc/self/fd/\(fd)/\(name)"
        guard address.utf8.count < Self.addressCapacity else {
            close(fd)
            throw Problem(message: "status_socket \(path): the name \(name) is too long for a socket address; choose a shorter name")
        }
        return (fd, address)
    }

    /// Checks the folder, then removes a stale socket at the path. Returns the folder's descriptor and
    /// the address to bind (see ``reach()``).
    /// - Throws: ``Problem`` when the folder can be written by other users, the path holds something
    ///   other than a socket, or an agent answers on it.
    func prepareToBind() throws(Problem) -> (folder: Int32, address: String) {
        do { try PathTrust.checkDirectory(folder) } catch {
            throw Problem(message: "status_socket \(path) cannot be trusted: \(error.path) \(error.reason)")
        }
        let (fd, address) = try reach()
        var info = stat()
        if fstatat(fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0 {
            guard info.st_mode & S_IFMT == S_IFSOCK else {
                close(fd)
                throw Problem(message: "status_socket \(path) exists and is not a socket; remove it or choose another path")
            }
            switch Self.listener(at: address) {
            case .absent:
                break
            case .unknown(let error):
                close(fd)
                throw Problem(message: "status_socket \(path) exists and cannot be tested (\(error.message)); remove it if no agent runs")
            case .answering:
                close(fd)
                throw Problem(message: "status_socket \(path) is in use: another agent answers on it; stop it or give this one another status_socket")
            }
            // Nobody listens: the socket of an agent that was killed.
            guard unlinkat(fd, name, 0) == 0 || errno == ENOENT else {
                let error = SystemError.last("remove the stale socket \(path)")
                close(fd)
                throw Problem(message: "status_socket \(path): \(error.message)")
            }
        }
        return (fd, address)
    }

    /// Whether a process listens on a socket.
    enum Listener {
        case answering
        /// The connection is refused: the socket's process is gone.
        case absent
        case unknown(SystemError)
    }

    /// Whether a process listens at `address`.
    static func listener(at address: String) -> Listener {
        do {
            close(try connect(to: address))
            return .answering
        } catch {
            return error.errno == ECONNREFUSED ? .absent : .unknown(error)
        }
    }

    /// A connected stream socket to `address`, with `timeout` for each read and write.
    static func connect(to address: String, timeout: Duration = .seconds(1)) throws(SystemError) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError.last("socket") }
        let (seconds, attoseconds) = timeout.components
        var limit = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var socketAddress = sockaddr_un()
        socketAddress.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(address.utf8)
        withUnsafeMutableBytes(of: &socketAddress.sun_path) { $0.copyBytes(from: bytes.prefix(addressCapacity - 1)) }
        let connected = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let error = SystemError.last("connect to \(address)")
            close(fd)
            throw error
        }
        return fd
    }
}
