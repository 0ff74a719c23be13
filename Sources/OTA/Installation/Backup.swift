import Foundation

/// One backup of an installation: a folder named `backup_{version}_{YYYYMMDD_HHMMSS}` (or, in the
/// `releases` layout, a previous `releases/<version>` folder).
public struct Backup: Sendable, Hashable, CustomStringConvertible {
    /// The folder name, e.g. `backup_1.2.0_20261130_091500`; what `ota rollback NAME` takes.
    public let name: String
    /// The absolute path of the folder.
    public let path: String
    /// The version that was installed when the backup was made.
    public let version: SemanticVersion
    /// When the backup was made (UTC, to the second).
    public let createdAt: Date

    public init(name: String, path: String, version: SemanticVersion, createdAt: Date) {
        self.name = name
        self.path = path
        self.version = version
        self.createdAt = createdAt
    }

    public var description: String { name }

    /// The `YYYYMMDD_HHMMSS` UTC stamp of backup names.
    static func stamp(_ date: Date) -> String {
        UTCTime.stamp(date)
    }

    /// Parses `backup_{version}_{YYYYMMDD_HHMMSS}[_{n}]`; `nil` for any other name.
    init?(name: String, in directory: String) {
        let parts = name.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 4 || parts.count == 5, parts[0] == "backup",
              let version = SemanticVersion(String(parts[1])),
              let date = UTCTime.date(stamp: "\(parts[2])_\(parts[3])") else { return nil }
        if parts.count == 5, Int(parts[4]) == nil { return nil }
        self.init(name: name, path: directory + "/" + name, version: version, createdAt: date)
    }

    /// The same-second suffix (`_2` → 2), 0 without one: orders backups made in one second.
    var sequence: Int {
        let parts = name.split(separator: "_")
        return parts.count == 5 ? Int(parts[4]) ?? 0 : 0
    }
}
