import Foundation

/// One artifact of the release catalog in a signed TUF repository: a target at
/// `<product>/<version>/<file>` and what its `custom.ota` signs about it.
///
/// ```json
/// {"version": "1.2.0", "platform": "linux-aarch64", "channels": ["stable"], "published_at": "2026-12-01T10:00:00Z",
///  "notes": "…", "rollout": {"id": "1.2.0", "percent": 25, "start": null, "ramp_hours": null, "halted": false},
///  "yanked": false, "index": "monitor/1.2.0/monitor-1.2.0-linux-aarch64.tar.gz.index.json"}
/// ```
public struct TUFReleaseEntry: Sendable, Equatable {
    /// The target path.
    public var path: String
    /// The version in the path (`<product>/<version>/<file>`).
    public var pathVersion: String
    /// The file name, the path's last segment.
    public var fileName: String
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
    /// How far it is rolled out, if the publisher says.
    public var rollout: TUFRollout?
    /// Withdrawn by the publisher.
    public var yanked: Bool
    /// The target path of its delta index, if any.
    public var index: String?

    /// The entry of the target at `path` with `custom`; `nil` when `path` is not `<product>/<version>/<file>`
    /// or the target has no `custom.ota` (an index or another file beside the releases).
    /// - Throws: a sentence saying what is wrong when `custom.ota` is present but malformed.
    static func parse(path: String, custom: TUFJSON?, product: String) throws(CatalogProblem) -> TUFReleaseEntry? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count == 3, segments[0] == product, !segments[1].isEmpty, !segments[2].isEmpty else { return nil }
        guard let ota = custom?["ota"] else { return nil }
        guard ota.members != nil else { throw CatalogProblem("custom.ota is not an object") }
        func string(_ key: String, required: Bool = false) throws(CatalogProblem) -> String? {
            switch ota[key] {
            case .string(let text)?: return text
            case nil, .null?: if required { throw CatalogProblem("custom.ota.\(key) is missing") } else { return nil }
            default: throw CatalogProblem("custom.ota.\(key) is not a string")
            }
        }
        guard case .array(let channelValues)? = ota["channels"] else { throw CatalogProblem("custom.ota.channels is not a list") }
        let channels = channelValues.compactMap(\.stringValue)
        guard channels.count == channelValues.count else { throw CatalogProblem("custom.ota.channels holds a value that is not a string") }
        var yanked = false
        switch ota["yanked"] {
        case .bool(let value)?: yanked = value
        case nil, .null?: break
        default: throw CatalogProblem("custom.ota.yanked is not true or false")
        }
        let published = try string("published_at")
        let publishedAt = try published.map { text throws(CatalogProblem) in
            guard let date = UTCTime.date(iso8601: text) else { throw CatalogProblem("custom.ota.published_at \"\(text)\" is not an ISO 8601 time") }
            return date
        }
        let rollout: TUFRollout?
        switch ota["rollout"] {
        case nil, .null?: rollout = nil
        case let value?: rollout = try TUFRollout(value)
        }
        return TUFReleaseEntry(path: path, pathVersion: String(segments[1]), fileName: String(segments[2]),
                               version: try string("version", required: true)!, platform: try string("platform", required: true)!,
                               channels: channels, publishedAt: publishedAt, notes: try string("notes"), rollout: rollout,
                               yanked: yanked, index: try string("index"))
    }
}

/// `custom.ota.rollout`: what share of the fleet is offered a release, and whether it is halted.
public struct TUFRollout: Sendable, Equatable {
    /// The rollout's id (buckets of different rollouts are independent).
    public var id: String?
    /// The share of devices offered the release, 0–100; `nil` means 100.
    public var percent: Int?
    /// When a linear ramp from 0 % starts.
    public var start: Date?
    /// How many hours the ramp takes to reach 100 %.
    public var rampHours: Int?
    /// Halted: offered to no device.
    public var halted: Bool

    public init(id: String? = nil, percent: Int? = nil, start: Date? = nil, rampHours: Int? = nil, halted: Bool = false) {
        self.id = id
        self.percent = percent
        self.start = start
        self.rampHours = rampHours
        self.halted = halted
    }

    init(_ json: TUFJSON) throws(CatalogProblem) {
        guard json.members != nil else { throw CatalogProblem("custom.ota.rollout is not an object") }
        func integer(_ key: String, in range: ClosedRange<Int>) throws(CatalogProblem) -> Int? {
            guard let value = json[key], value != .null else { return nil }
            guard let number = value.intValue, range.contains(number) else {
                throw CatalogProblem("custom.ota.rollout.\(key) is not a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }
        switch json["id"] {
        case .string(let text)?: id = text
        case nil, .null?: id = nil
        default: throw CatalogProblem("custom.ota.rollout.id is not a string")
        }
        percent = try integer("percent", in: 0...100)
        rampHours = try integer("ramp_hours", in: 0...Int(Int32.max))
        switch json["start"] {
        case .string(let text)?:
            guard let date = UTCTime.date(iso8601: text) else { throw CatalogProblem("custom.ota.rollout.start \"\(text)\" is not an ISO 8601 time") }
            start = date
        case nil, .null?: start = nil
        default: throw CatalogProblem("custom.ota.rollout.start is not a string")
        }
        switch json["halted"] {
        case .bool(let value)?: halted = value
        case nil, .null?: halted = false
        default: throw CatalogProblem("custom.ota.rollout.halted is not true or false")
        }
    }
}

/// What is wrong with a target's `custom.ota`, for the warning that skips it.
struct CatalogProblem: Error, Sendable {
    let reason: String

    init(_ reason: String) {
        self.reason = reason
    }
}
