import Foundation
import OTA

/// What `ota check` prints: the status after the check plus the newest eligible release, as text or
/// as JSON (the `ota status --json` object with a `release` key added).
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

        // Optionals are written as null, not left out, so scripts can rely on every key.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(tag, forKey: .tag)
            try container.encode(name, forKey: .name)
            try container.encode(publishedAt, forKey: .publishedAt)
            try container.encode(notes, forKey: .notes)
            try container.encode(url, forKey: .url)
        }
    }

    var status: OTAStatus
    var release: ReleaseInfo?
    /// The releases' origin, for the text (``OTAConfiguration/releasesName``).
    var name: String

    enum CodingKeys: String, CodingKey {
        case release
    }

    init(status: OTAStatus, outcome: UpdateCheck, name: String) {
        self.status = status
        self.name = name
        release = outcome.latestRelease.map {
            ReleaseInfo(tag: $0.tag, name: $0.name, publishedAt: $0.publishedAt.map { UTCTime.iso8601($0) },
                        notes: $0.notes, url: $0.htmlURL)
        }
    }

    func encode(to encoder: any Encoder) throws {
        try status.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(release, forKey: .release)
    }

    func jsonString() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .utcISO8601
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// What follows the verification's name in the text.
    static func verificationNote(_ status: OTAStatus) -> String {
        switch status.verification {
        case .unsigned: " (no public_key: releases are not authenticated)"
        case .tuf: " (signed TUF repository, channel \(status.channel ?? "stable"))"
        case .signed: ""
        }
    }

    /// Human output: the verdict, the verification, then the release and the first lines of its notes,
    /// with control characters from the server escaped.
    var text: String {
        var lines: [String] = []
        let repo = name, current = status.currentVersion
        if status.updateAvailable, let release {
            lines.append("\(repo): update available \(current) → \(status.latestVersion ?? PrintableText.escaped(release.tag))")
        } else if let latest = status.latestVersion {
            lines.append("\(repo): up to date at \(current) (newest eligible release: \(latest))")
        } else {
            lines.append("\(repo): up to date at \(current) (no eligible release published)")
        }
        lines.append("  verification: \(status.verification.rawValue)\(Self.verificationNote(status))")
        if let pinned = status.pinnedVersion { lines.append("  pinned:       \(pinned)") }
        if let release {
            var line = "  release:   \(PrintableText.escaped(release.tag))"
            if let name = release.name, name != release.tag { line += " \"\(PrintableText.escaped(name))\"" }
            if let published = release.publishedAt { line += ", published \(published)" }
            lines.append(line)
            let notes = (release.notes ?? "").replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: true)
            for (index, note) in notes.prefix(5).enumerated() {
                lines.append((index == 0 ? "  notes:     " : "             ") + PrintableText.escaped(note.prefix(100)))
            }
            if notes.count > 5 { lines.append("             … (\(notes.count - 5) more lines)") }
            if let url = release.url { lines.append("  url:       \(PrintableText.escaped(url))") }
        }
        return lines.joined(separator: "\n")
    }
}
