#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The update log, `state_dir/ota.log`: one timestamped line per event, appended.
///
/// When a line would take the file past ``maxBytes`` it is first renamed to `ota.log.1`
/// (replacing the previous one), so the log never holds more than about twice that.
public struct UpdateLog: Sendable {
    public let path: String
    public let maxBytes: Int

    /// - Parameter maxBytes: size at which the log is rotated (1 MiB by default).
    public init(path: String, maxBytes: Int = 1 << 20) {
        self.path = path
        self.maxBytes = maxBytes
    }

    /// Appends `line` prefixed with the UTC time (ISO 8601); newlines in it are replaced by spaces.
    public func append(_ line: String, at date: Date = Date()) throws(StateError) {
        let text = Array("\(UTCTime.iso8601(date)) \(line.replacingOccurrences(of: "\n", with: " "))\n".utf8)
        if let size = FileSystem.lstatInfo(path).map({ Int($0.st_size) }), size > 0, size + text.count > maxBytes {
            guard Glibc.rename(path, path + ".1") == 0 else { throw failure(SystemError.last("rotate \(path)")) }
        }
        do { try FileSystem.makeDirectories(FileSystem.parent(path), mode: 0o700) } catch { throw failure(error) }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure(SystemError.last("open \(path)")) }
        defer { close(fd) }
        guard write(fd, text, text.count) == text.count else { throw failure(SystemError.last("write \(path)")) }
    }

    private func failure(_ error: SystemError) -> StateError {
        StateError(.logFailed, "cannot write the update log: \(error.message)", underlying: error)
    }
}
