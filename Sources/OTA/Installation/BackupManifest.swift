import Foundation

/// The `backup.json` inside every backup: what was saved, so that a restore can check it first.
///
/// Written record by record by `ManifestWriter` (never built in memory for a whole tree); decoded by
/// ``BackupStore/verify(_:)``.
///
/// ```json
/// {"version": "1.2.0", "created_at": "2026-11-30T09:15:00Z",
///  "files": [{"path": "src/app.py", "type": "file", "mode": "0644", "size": 120, "sha256": "…"},
///            {"path": "src/current", "type": "symlink", "mode": "0777", "target": "app.py"}]}
/// ```
public struct BackupManifest: Codable, Sendable, Equatable {
    /// One entry of the backup, relative to the backup folder.
    public struct File: Codable, Sendable, Equatable {
        public var path: String
        /// `file`, `directory` or `symlink`.
        public var type: String
        /// Permission bits in octal, e.g. `0755`.
        public var mode: String
        /// Size in bytes (files only).
        public var size: Int?
        /// Lowercase hex SHA-256 of the content (files only).
        public var sha256: String?
        /// The link target (symlinks only).
        public var target: String?
    }

    public var version: String
    public var createdAt: Date
    public var files: [File]

    enum CodingKeys: String, CodingKey {
        case version, files
        case createdAt = "created_at"
    }

    /// The name of the manifest file inside a backup.
    public static let fileName = "backup.json"
}
