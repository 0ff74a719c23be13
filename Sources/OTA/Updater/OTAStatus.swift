import Foundation

/// A snapshot of the agent: what `ota status` shows and ``OTAUpdater/status()`` returns.
///
/// Encodes to the JSON of `ota status --json` with snake_case keys, `null` for what is unknown; `state`,
/// `progress` and `message` only when the running agent answered (its status API's `GET /v1/status`).
public struct OTAStatus: Sendable, Codable {
    /// One backup a rollback can return to.
    public struct BackupInfo: Sendable, Codable, Equatable {
        public var name: String
        public var version: String
        public var createdAt: Date
        public var path: String

        enum CodingKeys: String, CodingKey {
            case name, version, path
            case createdAt = "created_at"
        }
    }

    /// How installed releases are authenticated.
    public enum Verification: String, Sendable, Codable {
        /// A minisign signature by the configured key is required.
        case signed
        /// Releases come from a signed TUF repository (`source: tuf`): each artifact is checked against the
        /// length and hashes its targets role signs.
        case tuf
        /// No key is configured: releases are not authenticated (installed only with `allow_unsigned`).
        case unsigned

        /// The verification `source` asks for.
        public init(source: OTAConfiguration.Source) {
            if source.kind == .tuf {
                self = .tuf
            } else {
                self = source.requiresSignature ? .signed : .unsigned
            }
        }
    }

    public var currentVersion: String
    public var latestVersion: String?
    public var updateAvailable: Bool
    public var lastCheck: Date?
    public var lastCheckError: String?
    public var lastUpdate: UpdateStatus?
    public var autoUpdate: Bool
    public var checkInterval: Int
    public var githubRepo: String
    public var backups: [BackupInfo]
    /// An interrupted update that the next `ota` command will roll back, if any (`from -> to`).
    public var pendingRecovery: String?
    /// How releases are authenticated.
    public var verification: Verification = .unsigned
    /// Where releases come from: `github` (the GitHub Releases API or a compatible server) or `tuf`
    /// (a signed TUF repository).
    public var source: String = "github"
    /// The product the device installs from a signed repository (`product`); `nil` for `github`.
    public var product: String?
    /// The release channel the device follows (`channel`); `nil` for a source without channels (`github`).
    public var channel: String?
    /// The version the device is held at (`pinned_version` or `ota pin`); `nil` when unpinned.
    public var pinnedVersion: String?
    /// The `ota inhibit` records that hold installs back now.
    public var inhibited: [Inhibit] = []
    /// What the running agent is doing; `nil` when no agent answered (the status was read from the files).
    public var state: AgentState?
    /// The running agent's download progress while it downloads.
    public var progress: UpdateEvent.Progress?
    /// What the running agent says about its state (what an install waits for, the last error).
    public var message: String?

    enum CodingKeys: String, CodingKey {
        case backups
        case currentVersion = "current_version", latestVersion = "latest_version", updateAvailable = "update_available"
        case lastCheck = "last_check", lastCheckError = "last_check_error", lastUpdate = "last_update"
        case autoUpdate = "auto_update", checkInterval = "check_interval", githubRepo = "github_repo"
        case pendingRecovery = "pending_recovery"
        case verification, source, product, channel, inhibited, state, progress, message
        case pinnedVersion = "pinned_version"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(currentVersion, forKey: .currentVersion)
        try container.encode(latestVersion, forKey: .latestVersion)
        try container.encode(updateAvailable, forKey: .updateAvailable)
        try container.encode(lastCheck, forKey: .lastCheck)
        try container.encode(lastCheckError, forKey: .lastCheckError)
        try container.encode(lastUpdate, forKey: .lastUpdate)
        try container.encode(autoUpdate, forKey: .autoUpdate)
        try container.encode(checkInterval, forKey: .checkInterval)
        try container.encode(githubRepo, forKey: .githubRepo)
        try container.encode(backups, forKey: .backups)
        try container.encode(pendingRecovery, forKey: .pendingRecovery)
        try container.encode(verification, forKey: .verification)
        try container.encode(source, forKey: .source)
        if let product { try container.encode(product, forKey: .product) }
        try container.encode(channel, forKey: .channel)
        try container.encode(pinnedVersion, forKey: .pinnedVersion)
        try container.encode(inhibited, forKey: .inhibited)
        if let state {
            try container.encode(state, forKey: .state)
            try container.encode(progress, forKey: .progress)
            try container.encode(message, forKey: .message)
        }
    }

    /// The JSON of `--json` outputs: sorted keys, ISO 8601 dates, `null` for what is unknown.
    public func jsonString() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .utcISO8601
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
