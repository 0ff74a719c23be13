import Foundation
import OTA

/// What `ota check` prints, as text or as JSON with snake_case keys (SPEC §4).
struct CheckReport: Encodable {
    struct ReleaseInfo: Encodable {
        var tag: String
        var name: String?
        var publishedAt: String?
        var notes: String?
        var url: String?

        enum CodingKeys: String, CodingKey {
            case tag, name, notes, url
            case publishedAt = "published_at"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(tag, forKey: .tag)
            try container.encode(name, forKey: .name)
            try container.encode(publishedAt, forKey: .publishedAt)
            try container.encode(notes, forKey: .notes)
            try container.encode(url, forKey: .url)
        }
    }

    var currentVersion: String
    var latestVersion: String?
    var updateAvailable: Bool
    var lastCheck: String?
    var lastCheckError: String?
    var autoUpdate: Bool
    var checkInterval: Int
    var githubRepo: String
    var release: ReleaseInfo?

    enum CodingKeys: String, CodingKey {
        case release
        case currentVersion = "current_version", latestVersion = "latest_version", updateAvailable = "update_available"
        case lastCheck = "last_check", lastCheckError = "last_check_error", autoUpdate = "auto_update"
        case checkInterval = "check_interval", githubRepo = "github_repo"
    }

    // Optionals are written as null, not left out, so scripts can rely on every key.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(currentVersion, forKey: .currentVersion)
        try container.encode(latestVersion, forKey: .latestVersion)
        try container.encode(updateAvailable, forKey: .updateAvailable)
        try container.encode(lastCheck, forKey: .lastCheck)
        try container.encode(lastCheckError, forKey: .lastCheckError)
        try container.encode(autoUpdate, forKey: .autoUpdate)
        try container.encode(checkInterval, forKey: .checkInterval)
        try container.encode(githubRepo, forKey: .githubRepo)
        try container.encode(release, forKey: .release)
    }

    init(configuration: OTAConfiguration, outcome: UpdateCheck, checkedAt: Date = Date()) {
        let current: SemanticVersion
        switch outcome {
        case .available(let version, _), .upToDate(let version, _): current = version
        }
        currentVersion = current.description
        latestVersion = outcome.latestRelease?.version.description
        updateAvailable = outcome.availableRelease != nil
        lastCheck = Self.iso8601(checkedAt)
        lastCheckError = nil
        autoUpdate = configuration.autoUpdate
        checkInterval = configuration.checkInterval
        githubRepo = configuration.githubRepo
        release = outcome.latestRelease.map {
            ReleaseInfo(tag: $0.tag, name: $0.name, publishedAt: $0.publishedAt.map(Self.iso8601), notes: $0.notes, url: $0.htmlURL)
        }
    }

    func jsonString() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// Human output: the verdict, then the release and the first lines of its notes.
    var text: String {
        var lines: [String] = []
        if updateAvailable, let release {
            lines.append("\(githubRepo): update available \(currentVersion) → \(latestVersion ?? release.tag)")
        } else if let latestVersion {
            lines.append("\(githubRepo): up to date at \(currentVersion) (newest eligible release: \(latestVersion))")
        } else {
            lines.append("\(githubRepo): up to date at \(currentVersion) (no eligible release published)")
        }
        if let release {
            var line = "  release:   \(release.tag)"
            if let name = release.name, name != release.tag { line += " \"\(name)\"" }
            if let published = release.publishedAt { line += ", published \(published)" }
            lines.append(line)
            let notes = (release.notes ?? "").replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: true)
            for (index, note) in notes.prefix(5).enumerated() {
                lines.append((index == 0 ? "  notes:     " : "             ") + note.prefix(100))
            }
            if notes.count > 5 { lines.append("             … (\(notes.count - 5) more lines)") }
            if let url = release.url { lines.append("  url:       \(url)") }
        }
        return lines.joined(separator: "\n")
    }

    static func iso8601(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}
