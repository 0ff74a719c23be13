import Foundation
import Logging
import Testing
@testable import OTA
import OTATestSupport

/// The release catalog's rules and the `source: tuf` configuration keys, without a network.
@Suite("TUF client: release catalog, configuration and store")
struct ClientCatalogTests {
    static func ota(_ members: KeyValuePairs<String, TUFJSON>) -> TUFJSON {
        .object(["ota": .object(members)])
    }

    @Test("custom.ota is read with every field; a target without it is no release; a malformed one names the field")
    func entryParsing() throws {
        let custom = Self.ota(["version": .string("1.2.0"), "platform": .string("linux-aarch64"), "channels": .array([.string("stable")]),
                               "published_at": .string("2026-12-01T10:00:00Z"), "notes": .string("fixes"),
                               "rollout": .object(["id": .string("1.2.0"), "percent": .integer(25), "start": .null, "ramp_hours": .null, "halted": .bool(false)]),
                               "yanked": .bool(false), "index": .null])
        let entry = try #require(try TUFReleaseEntry.parse(path: "monitor/1.2.0/m.tar.gz", custom: custom, product: "monitor"))
        let info = entry.info
        #expect(info.version == "1.2.0" && info.platform == "linux-aarch64" && info.channels == ["stable"] && info.notes == "fixes")
        #expect(info.rollout == TUFRollout(id: "1.2.0", percent: 25))
        #expect(info.publishedAt == UTCTime.date(iso8601: "2026-12-01T10:00:00Z") && info.index == nil && !info.yanked)
        #expect(info.json == custom["ota"], "what is read is written back member for member")

        #expect(try TUFReleaseEntry.parse(path: "monitor/1.2.0/m.tar.gz.index.json", custom: nil, product: "monitor") == nil)
        #expect(try TUFReleaseEntry.parse(path: "other/1.2.0/m.tar.gz", custom: custom, product: "monitor") == nil)
        #expect(try TUFReleaseEntry.parse(path: "monitor/1.2.0/sub/m.tar.gz", custom: custom, product: "monitor") == nil)
        let bad = Self.ota(["version": .string("1.2.0"), "platform": .string("any"), "channels": .array([.string("stable")]),
                            "rollout": .object(["percent": .integer(150)])])
        let problem = try #require(throws: CatalogProblem.self) { try TUFReleaseEntry.parse(path: "monitor/1.2.0/m", custom: bad, product: "monitor") }
        #expect(problem.reason == "custom.ota.rollout.percent is not a whole number from 0 to 100")
        let noChannels = Self.ota(["version": .string("1.2.0"), "platform": .string("any")])
        #expect(throws: CatalogProblem.self) { try TUFReleaseEntry.parse(path: "monitor/1.2.0/m", custom: noChannels, product: "monitor") }
    }

    @Test("withholding: another channel, yanked, halted, or a rollout that does not reach the device now")
    func withholding() {
        let catalog = TUFReleaseCatalog(product: "monitor", platform: "linux-aarch64", channel: "stable")
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let base = TUFReleaseInfo(version: "1.0.0", platform: "any", channels: ["stable"])
        #expect(catalog.withholding(base, deviceID: "d", at: now) == nil)
        var other = base
        other.channels = ["beta"]
        #expect(catalog.withholding(other, deviceID: "d", at: now) == .otherChannel)
        other = base
        other.yanked = true
        other.rollout = TUFRollout(halted: true)
        #expect(catalog.withholding(other, deviceID: "d", at: now) == .yanked, "a yank is recognised whatever else holds")
        other = base
        other.rollout = TUFRollout(percent: 100, halted: true)
        #expect(catalog.withholding(other, deviceID: "d", at: now) == .halted)
        // Devices on either side of a 10 % rollout of 1.0.0 (buckets come from SHA-256(device_id:1.0.0)).
        let outside = (0..<1000).map { "device-\($0)" }.first { !RolloutBucket(deviceID: $0, rolloutID: "1.0.0").isInside(percent: 10) }!
        let inside = (0..<1000).map { "device-\($0)" }.first { RolloutBucket(deviceID: $0, rolloutID: "1.0.0").isInside(percent: 10) }!
        other.rollout = TUFRollout(percent: 10)
        #expect(catalog.withholding(other, deviceID: outside, at: now) == .outsideRollout(effectivePercent: 10))
        #expect(catalog.withholding(other, deviceID: inside, at: now) == nil)
        #expect(ReleaseWithholding.outsideRollout(effectivePercent: 12.5).description == "this device is outside its rollout (now 12.5 % of devices)")
    }

    @Test("source: tuf reads tuf_url, tuf_root, product, platform and channel; github_repo is then optional; errors name the key")
    func configuration() throws {
        let config = try OTAConfiguration.parse(yaml: "source: tuf\ntuf_url: https://updates.example.com/monitor\ntuf_root: /etc/ota/root.json\nproduct: monitor\n",
                                                environment: ConfigurationEnvironment([:]))
        #expect(config.source.kind == .tuf && config.source.channel == "stable" && config.source.productName == "monitor")
        #expect(config.source.tufMetadataURLResolved?.absoluteString == "https://updates.example.com/monitor/metadata")
        #expect(config.source.tufTargetsURLResolved?.absoluteString == "https://updates.example.com/monitor/targets")
        #expect(config.source.devicePlatform.hasPrefix("linux-") && config.description.contains("source: tuf"))
        #expect(OTAConfiguration.Source.normalisedArchitecture("armv7l") == "armv7" && OTAConfiguration.Source.normalisedArchitecture("arm64") == "aarch64")

        let github = try OTAConfiguration.parse(yaml: "github_repo: octo/monitor\n", environment: ConfigurationEnvironment([:]))
        #expect(github.source.kind == .github && github.source.productName == "monitor")

        for (yaml, key) in [("source: tuf\ntuf_root: /r.json\nproduct: m\n", "tuf_url"), ("source: tuf\ntuf_url: https://h/\nproduct: m\n", "tuf_root"),
                            ("source: tuf\ntuf_url: https://h/\ntuf_root: /r.json\n", "product"), ("github_repo: o/r\nsource: s3\n", "source"),
                            ("github_repo: o/r\ntuf_url: http://updates.example.com/\n", "tuf_url"), ("github_repo: o/r\nchannel: a/b\n", "channel")] {
            let error = try #require(throws: ConfigurationError.self) { try OTAConfiguration.parse(yaml: yaml, environment: ConfigurationEnvironment([:])) }
            #expect(error.key == key, "\(yaml): \(error.message)")
        }
    }

    @Test("the store names delegated roles as python-tuf does and only raises the time floor")
    func store() throws {
        #expect(TUFMetadataStore.fileName(forRole: "targets") == "targets.json")
        #expect(TUFMetadataStore.fileName(forRole: "a/b c~é") == "a%2Fb%20c~%C3%A9.json")
        let directory = try TemporaryDirectory("tuf-store")
        let store = TUFMetadataStore(path: directory.url("metadata"))
        #expect(store.timeFloor() == nil)
        try store.raiseTimeFloor(to: Date(timeIntervalSince1970: 2_000_000_000))
        try store.raiseTimeFloor(to: Date(timeIntervalSince1970: 1_000_000_000))
        #expect(store.timeFloor() == Date(timeIntervalSince1970: 2_000_000_000))
        try store.storeTimestampETag("\"abc\"")
        #expect(store.timestampETag() == "\"abc\"")
        try store.storeTimestampETag(nil)
        #expect(store.timestampETag() == nil)
    }
}
