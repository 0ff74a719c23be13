import Foundation

/// A release target's `custom.ota`: what devices read to decide whether a target is for them.
///
/// ```json
/// {"version": "1.2.0", "platform": "linux-aarch64", "channels": ["stable"], "published_at": "2026-12-01T10:00:00Z",
///  "notes": "…", "rollout": {"id": "1.2.0", "percent": 25, "start": null, "ramp_hours": null, "halted": false},
///  "yanked": false, "index": null}
/// ```
public struct TUFReleaseInfo: Sendable, Equatable {
    /// The staged rollout of a release.
    public struct Rollout: Sendable, Equatable {
        /// Names the rollout (the version): devices are bucketed by it.
        public var id: String
        /// The share of devices offered the release, 0–100.
        public var percent: Int
        /// When a ramp started; `nil` without a ramp.
        public var start: Date?
        /// Hours from `start` until the ramp reaches 100 %; `nil` without a ramp.
        public var rampHours: Int?
        /// Whether the rollout is halted (no device is offered the release).
        public var halted: Bool

        public init(id: String, percent: Int = 100, start: Date? = nil, rampHours: Int? = nil, halted: Bool = false) {
            self.id = id
            self.percent = percent
            self.start = start
            self.rampHours = rampHours
            self.halted = halted
        }
    }

    public var version: String
    public var platform: String
    public var channels: [String]
    public var publishedAt: Date
    public var notes: String
    public var rollout: Rollout
    public var yanked: Bool
    /// The delta index target's path, or `nil`.
    public var index: String?

    public init(version: String, platform: String, channels: [String], publishedAt: Date, notes: String,
                rollout: Rollout, yanked: Bool = false, index: String? = nil) {
        self.version = version
        self.platform = platform
        self.channels = channels
        self.publishedAt = publishedAt
        self.notes = notes
        self.rollout = rollout
        self.yanked = yanked
        self.index = index
    }

    /// The `custom.ota` object, members in the documented order.
    public var json: TUFJSON {
        func optional<T>(_ value: T?, _ wrap: (T) -> TUFJSON) -> TUFJSON { value.map(wrap) ?? .null }
        return .object([
            "version": .string(version), "platform": .string(platform), "channels": .array(channels.map(TUFJSON.string)),
            "published_at": .string(UTCTime.iso8601(publishedAt)), "notes": .string(notes),
            "rollout": .object([
                "id": .string(rollout.id), "percent": .integer(rollout.percent),
                "start": optional(rollout.start) { .string(UTCTime.iso8601($0)) },
                "ramp_hours": optional(rollout.rampHours) { .integer($0) }, "halted": .bool(rollout.halted),
            ]),
            "yanked": .bool(yanked), "index": optional(index) { .string($0) },
        ])
    }

    /// Reads `custom.ota` from a target's `custom`; `nil` when it is absent or not of this shape.
    public init?(custom: TUFJSON?) {
        guard let ota = custom?["ota"], let version = ota["version"]?.stringValue, let platform = ota["platform"]?.stringValue,
              case .array(let channelValues)? = ota["channels"], let publishedText = ota["published_at"]?.stringValue,
              let publishedAt = TUFSignedHeader.date(publishedText), let rollout = ota["rollout"],
              let id = rollout["id"]?.stringValue, let percent = rollout["percent"]?.intValue,
              case .bool(let halted)? = rollout["halted"], case .bool(let yanked)? = ota["yanked"] else { return nil }
        let channels = channelValues.compactMap(\.stringValue)
        guard channels.count == channelValues.count else { return nil }
        self.version = version
        self.platform = platform
        self.channels = channels
        self.publishedAt = publishedAt
        notes = ota["notes"]?.stringValue ?? ""
        self.rollout = Rollout(id: id, percent: percent, start: rollout["start"]?.stringValue.flatMap(TUFSignedHeader.date),
                               rampHours: rollout["ramp_hours"]?.intValue, halted: halted)
        self.yanked = yanked
        index = ota["index"]?.stringValue
    }
}

/// One target of the repository's top-level targets role, as the publisher keeps it.
struct TUFPublishedTarget: Sendable, Equatable {
    /// `<product>/<version>/<file>`.
    var path: String
    var length: Int
    var hashes: [String: String]
    /// `custom`, as signed (other members than `ota` are kept).
    var custom: TUFJSON?

    var sha256: String? { hashes["sha256"] }

    /// `custom.ota`, when the target is a release made by `ota publish`.
    var release: TUFReleaseInfo? { TUFReleaseInfo(custom: custom) }

    /// This target with `custom.ota` replaced by `release`.
    func with(_ release: TUFReleaseInfo) -> TUFPublishedTarget {
        var members = custom?.members ?? []
        if let index = members.firstIndex(where: { $0.key == "ota" }) {
            members[index].value = release.json
        } else {
            members.append(.init("ota", release.json))
        }
        var copy = self
        copy.custom = .object(members)
        return copy
    }

    /// The file's name under consistent snapshots: `<dir>/<sha256>.<name>`, relative to `targets/`.
    var storedPath: String {
        let name = PathName.lastComponent(of: path), directory = PathName.deletingLastComponent(of: path)
        let hashed = "\(sha256 ?? "").\(name)"
        return directory.isEmpty ? hashed : directory + "/" + hashed
    }

    /// The `targets` entry.
    var json: TUFJSON {
        var members: [TUFJSON.Member] = [
            .init("length", .integer(length)),
            .init("hashes", .object(hashes.sorted { $0.key < $1.key }.map { TUFJSON.Member($0.key, .string($0.value)) })),
        ]
        if let custom { members.append(.init("custom", custom)) }
        return .object(members)
    }

    init(path: String, length: Int, hashes: [String: String], custom: TUFJSON?) {
        self.path = path
        self.length = length
        self.hashes = hashes
        self.custom = custom
    }

    init(_ file: TUFTargetFile) {
        self.init(path: file.path, length: file.length, hashes: file.hashes, custom: file.custom)
    }
}
