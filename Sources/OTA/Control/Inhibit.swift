import Foundation

/// One `ota inhibit`: installs wait while it is active (checks and downloads go on).
///
/// Kept as `state_dir/inhibits/<id>.json`, so it survives a reboot; it ends when released
/// (`ota inhibit --release`) or when `until` passes.
public struct Inhibit: Codable, Sendable, Hashable {
    /// A short random id (8 hex digits), for `ota inhibit --release ID`.
    public let id: String
    /// Why installs are held, as the operator wrote it; `nil` when none was given.
    public let reason: String?
    /// When it was made.
    public let createdAt: Date
    /// When it expires; `nil`: only a release ends it.
    public let until: Date?

    public init(id: String, reason: String?, createdAt: Date, until: Date?) {
        self.id = id
        self.reason = reason
        self.createdAt = createdAt
        self.until = until
    }

    /// Whether it still holds installs back at `date`.
    public func isActive(at date: Date) -> Bool {
        until.map { date < $0 } ?? true
    }

    /// `'reason' (id 3f9a2c1e, until 2026-01-01T10:00:00Z)`, as messages show it.
    public var summary: String {
        let reason = self.reason.map { "'\($0)'" } ?? "an inhibit without a reason"
        return "\(reason) (id \(id), \(until.map { "until " + UTCTime.iso8601($0) } ?? "until released"))"
    }

    enum CodingKeys: String, CodingKey {
        case id, reason, until
        case createdAt = "created_at"
    }

    /// Writes every key, `reason` and `until` as `null` when absent.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(reason, forKey: .reason)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(until, forKey: .until)
    }
}
