import Foundation

/// What happened to the last update: `last_update` in `state.json` and `ota status --json`.
public struct UpdateStatus: Codable, Sendable, Equatable {
    /// The outcome, as SPEC §4 spells it.
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
}
