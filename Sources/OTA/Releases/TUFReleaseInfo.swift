import Foundation

/// A release target's `custom.ota`: what the publisher signs about a release file and what a device reads to
/// decide whether it is for it. The one type that reads it (from a target's `custom`) and writes it (``json``).
///
/// ```json
/// {"version": "1.2.0", "platform": "linux-aarch64", "channels": ["stable"], "published_at": "2026-12-01T10:00:00Z",
///  "notes": "…", "rollout": {"id": "1.2.0", "percent": 25, "start": null, "ramp_hours": null, "halted": false},
///  "yanked": false, "index": "monitor/1.2.0/monitor-1.2.0-linux-aarch64.tar.gz.index.json"}
/// ```
public struct TUFReleaseInfo: Sendable, Equatable {
    /// The signed `version`, as written.
    public var version: String
    /// The signed `platform` (`linux-aarch64`, or `any`).
    public var platform: String
    /// The channels the release is published on.
    public var channels: [String]
    /// When it was published.
    public var publishedAt: Date?
    /// The release notes.
    public var notes: String?
    /// How far it is rolled out; `nil` offers it to every device.
    public var rollout: TUFRollout?
    /// Withdrawn by the publisher: devices running it move to the newest release that is not.
    public var yanked: Bool
    /// The target path of its delta index, if any.
    public var index: String?

    public init(version: String, platform: String, channels: [String], publishedAt: Date? = nil, notes: String? = nil,
                rollout: TUFRollout? = nil, yanked: Bool = false, index: String? = nil) {
        self.version = version
        self.platform = platform
        self.channels = channels
        self.publishedAt = publishedAt
        self.notes = notes
        self.rollout = rollout
        self.yanked = yanked
        self.index = index
    }

    /// Reads `custom.ota` from a target's `custom`; `nil` when the target has none (an index or another
    /// file beside the releases).
    /// - Throws: a sentence naming the field when `custom.ota` is present but malformed.
    init?(custom: TUFJSON?) throws(CatalogProblem) {
        guard let ota = custom?["ota"] else { return nil }
        guard ota.members != nil else { throw CatalogProblem("custom.ota is not an object") }
        func string(_ key: String) throws(CatalogProblem) -> String? {
            switch ota[key] {
            case .string(let text)?: return text
            case nil, .null?: return nil
            default: throw CatalogProblem("custom.ota.\(key) is not a string")
            }
        }
        func required(_ key: String) throws(CatalogProblem) -> String {
            guard let text = try string(key) else { throw CatalogProblem("custom.ota.\(key) is missing") }
            return text
        }
        guard case .array(let channelValues)? = ota["channels"] else { throw CatalogProblem("custom.ota.channels is not a list") }
        let channels = channelValues.compactMap(\.stringValue)
        guard channels.count == channelValues.count else { throw CatalogProblem("custom.ota.channels holds a value that is not a string") }
        switch ota["yanked"] {
        case .bool(let value)?: yanked = value
        case nil, .null?: yanked = false
        default: throw CatalogProblem("custom.ota.yanked is not true or false")
        }
        if let text = try string("published_at") {
            guard let date = UTCTime.date(iso8601: text) else { throw CatalogProblem("custom.ota.published_at \"\(text)\" is not an ISO 8601 time") }
            publishedAt = date
        } else {
            publishedAt = nil
        }
        switch ota["rollout"] {
        case nil, .null?: rollout = nil
        case let value?: rollout = try TUFRollout(value)
        }
        version = try required("version")
        platform = try required("platform")
        self.channels = channels
        notes = try string("notes")
        index = try string("index")
    }

    /// The `custom.ota` object, members in the documented order; what is unknown is `null`.
    public var json: TUFJSON {
        .object([
            "version": .string(version), "platform": .string(platform), "channels": .array(channels.map(TUFJSON.string)),
            "published_at": publishedAt.map { .string(UTCTime.iso8601($0)) } ?? .null, "notes": notes.map(TUFJSON.string) ?? .null,
            "rollout": rollout?.json ?? .null, "yanked": .bool(yanked), "index": index.map(TUFJSON.string) ?? .null,
        ])
    }

    /// Whether `deviceID` is offered this release by its rollout at `now`: never when yanked; with no
    /// rollout, always. The rule devices and `ota publish status` share.
    public func reaches(deviceID: String, at now: Date) -> Bool {
        guard !yanked else { return false }
        return rollout?.admits(deviceID: deviceID, version: version, at: now) ?? true
    }
}

/// What is wrong with a target's `custom.ota`, for the warning that skips it.
struct CatalogProblem: Error, Sendable {
    let reason: String

    init(_ reason: String) {
        self.reason = reason
    }
}
