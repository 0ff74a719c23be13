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
package enum AtomicFile {
    /// Replaces `path` with `data` atomically and durably.
    ///
    /// - Parameters:
    ///   - data: the new content.
    ///   - path: the file to replace (or create).
    ///   - mode: permission bits of the new file (`0o644` by default; `0o600` for state).
    public static func write(_ data: some Collection<UInt8>, to path: String, mode: mode_t = 0o644) throws(SystemError) {
        let directory = PathName.deletingLastComponent(of: path)
        let folder = directory.isEmpty ? "." : directory
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError.last("open directory \(folder)") }
        defer { close(fd) }
        try write(data, named: PathName.lastComponent(of: path), in: fd, folder: folder, mode: mode)
    }

    /// Replaces the entry `name` of the open folder `directory` (shown as `folder` in errors) atomically
    /// and durably; nothing is resolved by path, and a symlink named `name` is replaced, never followed.
    static func write(_ data: some Collection<UInt8>, named name: String, in directory: Int32, folder: String, mode: mode_t) throws(SystemError) {
        let temporary = ".\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let shown = folder + "/" + temporary
        let fd = openat(directory, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw SystemError.last("create \(shown)") }
        var closed = false
        defer {
            if !closed { close(fd) }
        }
        do throws(SystemError) {
            try Syscall.writeAll(fd, Array(data), "write \(shown)")
            guard fchmod(fd, mode) == 0 else { throw SystemError.last("chmod \(shown)") }
            guard fsync(fd) == 0 else { throw SystemError.last("fsync \(shown)") }
            closed = true
            guard close(fd) == 0 else { throw SystemError.last("close \(shown)") }
            guard renameat(directory, temporary, directory, name) == 0 else { throw SystemError.last("rename \(shown) to \(folder)/\(name)") }
        } catch {
            unlinkat(directory, temporary, 0)
            throw error
        }
        guard fsync(directory) == 0 else { throw SystemError.last("fsync directory \(folder)") }
    }

    /// fsyncs a directory so that entries created or renamed in it are durable.
    public static func syncDirectory(_ path: String) throws(SystemError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError.last("open directory \(path)") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw SystemError.last("fsync directory \(path)") }
    }
}
