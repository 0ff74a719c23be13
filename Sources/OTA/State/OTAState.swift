import Foundation

/// Everything swift-ota remembers between runs: the content of `state_dir/state.json`.
///
/// Keys are snake_case; dates are ISO 8601; absent values are `null`. Keys this version does not know
/// (such as the `etag_cache` of older files: the release list's ETag lives with the list, in
/// `cache/releases.json`) are ignored when reading.
package struct OTAState: Codable, Sendable, Equatable {
    public var currentVersion: String?
    public var latestVersion: String?
    public var lastCheck: Date?
    public var lastCheckError: String?
    public var lastUpdate: UpdateStatus?
    /// No request may be sent to the release source before this time (rate limits).
    public var rateLimitNextAllowed: Date?
    /// The highest version ever installed: nothing older installs without `--force` or `allow_downgrade`.
    public var highestInstalledVersion: String?

    public init(currentVersion: String? = nil, latestVersion: String? = nil, lastCheck: Date? = nil, lastCheckError: String? = nil,
                lastUpdate: UpdateStatus? = nil, rateLimitNextAllowed: Date? = nil,
                highestInstalledVersion: String? = nil) {
        self.currentVersion = currentVersion
        self.latestVersion = latestVersion
        self.lastCheck = lastCheck
        self.lastCheckError = lastCheckError
        self.lastUpdate = lastUpdate
        self.rateLimitNextAllowed = rateLimitNextAllowed
        self.highestInstalledVersion = highestInstalledVersion
    }

    enum CodingKeys: String, CodingKey {
        case currentVersion = "current_version", latestVersion = "latest_version"
        case lastCheck = "last_check", lastCheckError = "last_check_error", lastUpdate = "last_update"
        case rateLimitNextAllowed = "rate_limit_next_allowed"
        case highestInstalledVersion = "highest_installed_version"
    }

    /// Writes every key, `null` included, so the file always shows the whole schema.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(currentVersion, forKey: .currentVersion)
        try container.encode(latestVersion, forKey: .latestVersion)
        try container.encode(lastCheck, forKey: .lastCheck)
        try container.encode(lastCheckError, forKey: .lastCheckError)
        try container.encode(lastUpdate, forKey: .lastUpdate)
        try container.encode(rateLimitNextAllowed, forKey: .rateLimitNextAllowed)
        try container.encode(highestInstalledVersion, forKey: .highestInstalledVersion)
    }
}
