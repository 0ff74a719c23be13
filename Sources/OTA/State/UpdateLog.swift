#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The update log, `state_dir/ota.log`: one timestamped line per event, appended.
///
/// When a line would take the file past ``maxBytes`` it is first renamed to `ota.log.1`
/// (replacing the previous one), so the log never holds more than about twice that. The file is
/// opened relative to the state folder without following symlinks (``StateDirectory``).
package struct UpdateLog: Sendable {
    /// The state folder holding `ota.log`.
    public let directory: StateDirectory
    /// The size at which `ota.log` is rotated to `ota.log.1`.
    public let maxBytes: Int
    /// `state_dir/ota.log`.
    public var path: String { directory.logPath }

    /// - Parameters:
    ///   - directory: the state folder whose `ota.log` this writes.
    ///   - maxBytes: size at which the log is rotated (1 MiB by default).
    public init(directory: StateDirectory, maxBytes: Int = 1 << 20) {
        self.directory = directory
        self.maxBytes = maxBytes
    }

    /// Appends `line` prefixed with the UTC time (ISO 8601); newlines in it are replaced by spaces.
    public func append(_ line: String, at date: Date = Date()) throws(StateError) {
        let text = Array("\(UTCTime.iso8601(date)) \(line.replacingOccurrences(of: "\n", with: " "))\n".utf8)
        let name = StateDirectory.Entry.log
        do throws(SystemError) {
            if !FileSystem.isDirectory(directory.path) { try FileSystem.makeDirectories(directory.path, mode: 0o700) }
            var fd = try directory.open(name, flags: O_WRONLY | O_CREAT | O_APPEND)
            var info = stat()
            if fstat(fd, &info) == 0, info.st_size > 0, Int(info.st_size) + text.count > maxBytes {
                close(fd)
                try directory.rename(name, to: name + ".1")
                fd = try directory.open(name, flags: O_WRONLY | O_CREAT | O_APPEND)
            }
            defer { close(fd) }
            try Syscall.writeAll(fd, text, "write \(path)")
        } catch {
            throw StateError(.logFailed, "cannot write the update log: \(error.message)", underlying: error)
        }
    }
}
