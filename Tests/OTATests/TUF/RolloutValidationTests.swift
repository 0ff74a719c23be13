import Foundation
import Logging
import Synchronization
import Testing
@testable import OTA

/// A malformed `custom.ota.rollout` withholds its release: a ramp without a start, a ramp of no hours, a
/// percent outside 0–100. The catalog skips the target with a warning naming it and the field.
@Suite("TUF client: malformed rollouts")
struct RolloutValidationTests {
    static let start = "2026-12-01T10:00:00Z"

    static let missingStart = "custom.ota.rollout.start is missing, but ramp_hours is 24: a ramp needs the time it starts from"
    static let badRamp = "custom.ota.rollout.ramp_hours is not a whole number from 1 to 2147483647"
    static let badPercent = "custom.ota.rollout.percent is not a whole number from 0 to 100"
    static let malformed: [(rollout: TUFJSON, reason: String)] = [
        (.object(["percent": .integer(100), "start": .null, "ramp_hours": .integer(24)]), missingStart),
        (.object(["percent": .integer(100), "ramp_hours": .integer(24)]), missingStart),
        (.object(["start": .string(start), "ramp_hours": .integer(0)]), badRamp),
        (.object(["start": .string(start), "ramp_hours": .integer(-6)]), badRamp),
        (.object(["start": .string(start), "ramp_hours": .integer("99999999999999999999")]), badRamp),
        (.object(["start": .string(start), "ramp_hours": .string("24")]), badRamp),
        (.object(["percent": .integer(101)]), badPercent),
        (.object(["percent": .integer(-1)]), badPercent),
    ]

    @Test("a ramp without a start, a ramp of 0 or fewer hours and a percent outside 0–100 are refused, naming the field", arguments: malformed)
    func refused(rollout: TUFJSON, reason: String) throws {
        let problem = try #require(throws: CatalogProblem.self) { try TUFRollout(rollout) }
        #expect(problem.reason == reason)
    }

    @Test("a ramp with its start, a start without a ramp (a step), and a percent alone are read")
    func accepted() throws {
        let start = try #require(UTCTime.date(iso8601: Self.start))
        #expect(try TUFRollout(.object(["start": .string(Self.start), "ramp_hours": .integer(1)])) == TUFRollout(start: start, rampHours: 1))
        #expect(try TUFRollout(.object(["percent": .integer(40), "start": .string(Self.start), "ramp_hours": .null])) == TUFRollout(percent: 40, start: start))
        #expect(try TUFRollout(.object(["percent": .integer(0), "start": .null, "ramp_hours": .null])) == TUFRollout(percent: 0))
        #expect(try TUFRollout(.object(["percent": .integer(100)])) == TUFRollout(percent: 100))
    }

    @Test("the catalog withholds a release whose ramp has no start (or no hours) from every device, warning with the target and the field")
    func catalogWithholds() throws {
        let catalog = TUFReleaseCatalog(product: "monitor", platform: "linux-aarch64", channel: "stable")
        let targets = try [
            Self.target("1.1.0", rollout: ["percent": .integer(100)]),
            Self.target("1.2.0", rollout: ["percent": .integer(100), "start": .null, "ramp_hours": .integer(48)]),
            Self.target("1.3.0", rollout: ["start": .string(Self.start), "ramp_hours": .integer(0)]),
        ]
        let logs = RecordedLogs()
        let logger = Logger(label: "test") { _ in RecordingLogHandler(logs: logs) }
        // Any device, any time: long after the start the others would reach every device.
        for deviceID in ["d-1", "d-2", "d-3"] {
            let offers = catalog.offers(targets.map { ($0, "targets") }, deviceID: deviceID, at: Date(timeIntervalSince1970: 2_000_000_000),
                                        url: { _ in URL(fileURLWithPath: "/") }, logger: logger)
            #expect(offers.map(\.release.version.description) == ["1.1.0"])
        }
        let warnings = logs.lines.filter { $0.hasPrefix("warning skipping a TUF target whose custom.ota is malformed") }
        #expect(warnings.contains { $0.contains("ota.target=monitor/1.2.0/monitor-1.2.0.tar.gz") && $0.contains("ota.reason=custom.ota.rollout.start is missing") },
                "\(logs.lines)")
        #expect(warnings.contains { $0.contains("ota.target=monitor/1.3.0/monitor-1.3.0.tar.gz") && $0.contains("ota.reason=custom.ota.rollout.ramp_hours is not") },
                "\(logs.lines)")
    }

    /// The target `monitor/<version>/monitor-<version>.tar.gz` for any platform on `stable`, with `rollout`.
    static func target(_ version: String, rollout: KeyValuePairs<String, TUFJSON>) throws -> TUFTargetFile {
        let ota: TUFJSON = .object(["version": .string(version), "platform": .string("any"), "channels": .array([.string("stable")]),
                                    "rollout": .object(rollout)])
        let fields = try TUFFields(.object(["length": .integer(1), "hashes": .object(["sha256": .string(String(repeating: "ab", count: 32))]),
                                            "custom": .object(["ota": ota])]), file: "targets.json", path: "targets.monitor")
        return try TUFTargetFile(path: "monitor/\(version)/monitor-\(version).tar.gz", fields: fields)
    }
}

/// Log lines as `level message key=value …` (metadata sorted by key).
final class RecordedLogs: Sendable {
    private let stored = Mutex<[String]>([])
    var lines: [String] { stored.withLock { $0 } }
    func append(_ line: String) { stored.withLock { $0.append(line) } }
}

struct RecordingLogHandler: LogHandler {
    let logs: RecordedLogs
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let fields = metadata.merging(event.metadata ?? [:]) { $1 }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        logs.append(([event.level.rawValue, event.message.description] + fields).joined(separator: " "))
    }
}
