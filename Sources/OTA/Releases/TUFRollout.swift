import Foundation

/// `custom.ota.rollout`: what share of the fleet is offered a release, and whether it is halted.
///
/// ``effectivePercent(at:)`` and ``admits(deviceID:version:at:)`` (with ``RolloutBucket``) decide which devices are offered it.
public struct TUFRollout: Sendable, Equatable {
    /// The rollout's id (buckets of different rollouts are independent); `nil` means the release's version.
    public var id: String?
    /// The share of devices offered the release, 0–100; `nil` means 100.
    public var percent: Int?
    /// When a linear ramp from 0 % starts (with ``rampHours``), or when the release is offered from (without).
    public var start: Date?
    /// How many hours the ramp takes to reach 100 %, at least 1; a ramp needs a ``start``.
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

    /// Reads `custom.ota.rollout`.
    /// - Throws: a sentence naming the field that is malformed: besides a value of the wrong kind, a
    ///   `percent` outside 0–100, a `ramp_hours` below 1, or a `ramp_hours` without a `start` (a ramp
    ///   from no time would reach every device at once).
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
        rampHours = try integer("ramp_hours", in: 1...Int(Int32.max))
        switch json["start"] {
        case .string(let text)?:
            guard let date = UTCTime.date(iso8601: text) else { throw CatalogProblem("custom.ota.rollout.start \"\(text)\" is not an ISO 8601 time") }
            start = date
        case nil, .null?: start = nil
        default: throw CatalogProblem("custom.ota.rollout.start is not a string")
        }
        if let rampHours, start == nil {
            throw CatalogProblem("custom.ota.rollout.start is missing, but ramp_hours is \(rampHours): a ramp needs the time it starts from")
        }
        switch json["halted"] {
        case .bool(let value)?: halted = value
        case nil, .null?: halted = false
        default: throw CatalogProblem("custom.ota.rollout.halted is not true or false")
        }
    }

    /// The `custom.ota.rollout` object: `id`, `percent`, `start`, `ramp_hours`, `halted`; what is unset is `null`.
    public var json: TUFJSON {
        .object([
            "id": id.map(TUFJSON.string) ?? .null, "percent": percent.map { .integer($0) } ?? .null,
            "start": start.map { .string(UTCTime.iso8601($0)) } ?? .null, "ramp_hours": rampHours.map { .integer($0) } ?? .null,
            "halted": .bool(halted),
        ])
    }
}
