#if canImport(Glibc)
import Glibc
#endif

/// Free space checks before writing large files.
package enum DiskSpace {
    /// Bytes available to an unprivileged writer on the filesystem holding `path`, or `nil` if unknown.
    static func available(at path: String) -> Int64? {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return nil }
        guard let blocks = Int64(exactly: stats.f_bavail), let size = Int64(exactly: stats.f_frsize) else { return nil }
        let (bytes, overflow) = blocks.multipliedReportingOverflow(by: size)
        return overflow ? Int64.max : bytes
    }

    /// Throws when fewer than `needed` bytes (plus a 1 MiB margin) are free at `path`.
    package static func require(_ needed: Int64, at path: String, for purpose: String) throws(TransferError) {
        guard let free = available(at: path) else { return }
        let margin: Int64 = 1 << 20
        if needed > free - margin {
            throw TransferError(.insufficientSpace, "not enough disk space for \(purpose) in \(path): \(format(needed)) needed, \(format(free)) free; free some space or point state_dir elsewhere")
        }
    }

    /// `12.3 MB`-style sizes.
    static func format(_ bytes: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }
}
