#if canImport(Glibc)
import Glibc
#endif

/// A regular file held open, so that whatever reads it afterwards reads the very file that was
/// opened: its name may be replaced or removed meanwhile without effect.
///
/// ``path`` (`/proc/self/fd/N`) opens the same file again for APIs that take a path; it stays
/// valid while the value lives.
final class PinnedFile: Sendable {
    /// The open descriptor.
    let descriptor: Int32
    /// The name it was opened by, for messages.
    let name: String

    /// Opens `path` for reading without following a final symlink; only a regular file is accepted.
    init(opening path: String) throws(SystemError) {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError.last("open \(path)") }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw SystemError("open \(path) (not a plain file)", errno: EINVAL)
        }
        descriptor = fd
        name = path
    }

    /// A path that opens this very file.
    var path: String { "/proc/self/fd/\(descriptor)" }

    /// The lowercase hex SHA-256 of the file's content.
    func sha256() throws(SystemError) -> String {
        try FileDigest.sha256(ofFileAt: path)
    }

    deinit { close(descriptor) }
}
