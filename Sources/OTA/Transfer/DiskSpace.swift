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
        guard unit > 0 else { return "\(bytes) B" }
        let tenths = roundedTenths(value)
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }

    /// `value` (at least 0) in tenths, rounded as printf's `%.1f` rounds: to the nearest, exact ties
    /// to even. Each comparison with a fused multiply-add is exact, so no tie is decided by a
    /// rounding error.
    static func roundedTenths(_ value: Double) -> Int {
        var tenths = (value * 10).rounded(.down)
        while (-tenths).addingProduct(value, 10) < 0 { tenths -= 1 }
        while (-(tenths + 1)).addingProduct(value, 10) >= 0 { tenths += 1 }
        let aboveHalf = (-(tenths + 0.5)).addingProduct(value, 10)
        if aboveHalf > 0 || (aboveHalf == 0 && tenths.truncatingRemainder(dividingBy: 2) == 1) { tenths += 1 }
        return Int(tenths)
    }
}
