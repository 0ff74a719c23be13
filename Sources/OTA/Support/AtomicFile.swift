#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Writes whole files so that a reader (or a crash) sees either the old content or the new, never a mix.
///
/// The bytes go to a temporary file in the same folder, which is fsync'd, renamed over the target,
/// and then the folder itself is fsync'd so that the rename survives a power cut.
public enum AtomicFile {
    /// Replaces `path` with `data` atomically and durably.
    ///
    /// - Parameter mode: permission bits of the new file (`0o644` by default; `0o600` for state).
    public static func write(_ data: some Collection<UInt8>, to path: String, mode: mode_t = 0o644) throws(SystemError) {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let temporary = (directory.isEmpty ? "" : directory + "/") + ".\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw SystemError.last("create \(temporary)") }
        var closed = false
        defer {
            if !closed { close(fd) }
        }
        do throws(SystemError) {
            let bytes = Array(data)
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw SystemError.last("write \(temporary)")
                }
                offset += written
            }
            guard fchmod(fd, mode) == 0 else { throw SystemError.last("chmod \(temporary)") }
            guard fsync(fd) == 0 else { throw SystemError.last("fsync \(temporary)") }
            closed = true
            guard close(fd) == 0 else { throw SystemError.last("close \(temporary)") }
            guard rename(temporary, path) == 0 else { throw SystemError.last("rename \(temporary) to \(path)") }
        } catch {
            unlink(temporary)
            throw error
        }
        try syncDirectory(directory.isEmpty ? "." : directory)
    }

    /// fsyncs a directory so that entries created or renamed in it are durable.
    public static func syncDirectory(_ path: String) throws(SystemError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError.last("open directory \(path)") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw SystemError.last("fsync directory \(path)") }
    }
}
