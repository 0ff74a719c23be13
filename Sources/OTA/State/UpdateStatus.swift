import Foundation

/// What happened to the last update: `last_update` in `state.json` and `ota status --json`.
public struct UpdateStatus: Codable, Sendable, Equatable {
    /// The outcome, as `ota status --json` spells it.
    public enum Result: String, Codable, Sendable {
        case succeeded, failed
        case rolledBack = "rolled_back"
    }

    public var fromVersion: String
    public var toVersion: String
    public var result: Result
    public var startedAt: Date
    public var finishedAt: Date?
    /// The error message when the update failed or was rolled back.
    public var error: String?

    public init(fromVersion: String, toVersion: String, result: Result, startedAt: Date, finishedAt: Date? = nil, error: String? = nil) {
        self.fromVersion = fromVersion
        self.toVersion = toVersion
        self.result = result
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case result, error
        case fromVersion = "from_version", toVersion = "to_version"
        case startedAt = "started_at", finishedAt = "finished_at"
    }

    /// Writes every key, `error` and `finished_at` as `null` when absent.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(fromVersion, forKey: .fromVersion)
        try container.encode(toVersion, forKey: .toVersion)
        try container.encode(result, forKey: .result)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(finishedAt, forKey: .finishedAt)
        try container.encode(error, forKey: .error)
    }
}
