import Foundation
import Logging
@testable import OTA
import OTATestSupport
import Testing

/// `ota publish status --device-ids`: the publisher's count of devices a rollout reaches, against devices' own decisions.
@Suite("ota publish status --device-ids", .timeLimit(.minutes(10)))
struct PublishRolloutStatusTests {
    @Test("devices and ota publish status agree exactly on which of 10,000 ids a fixed rollout and a capped ramp reach")
    func agreement() async throws {
        let directory = try TemporaryDirectory("ota-publish-reach")
        let repo = directory.url("repo"), keys = directory.url("keys")
        try await PublishCommandTests.publish(["init", "--repo", repo, "--product", "monitor", "--keys", keys])
        for version in ["1.2.0", "1.3.0"] {
            let archive = try directory.write("build/monitor-\(version).tar.gz", "release \(version)")
            try await PublishCommandTests.publish(["add", "--repo", repo, "--version", version, "--platform", "any", "--rollout", "30", "--keys", keys, archive])
        }
        // A ramp that ended long ago, capped at 45 %: the same share now for the publisher and every device.
        try await PublishCommandTests.publish(["rollout", "--repo", repo, "1.3.0", "--ramp", "10", "--start", "2020-01-01T00:00:00Z", "--percent", "45", "--keys", keys])

        // The devices' side: one verified refresh, then the catalog's decision for each id.
        let (server, url) = try PublishServeTests.startServe(repo)
        defer { server.terminate(); server.waitUntilExit() }
        let configuration = try OTAConfiguration.parse(yaml: """
            source: tuf
            tuf_url: \(url)
            tuf_root: \(repo)/metadata/1.root.json
            product: monitor
            install_dir: \(directory.url("install"))
            """, environment: ConfigurationEnvironment([:]))
        try FileManager.default.createDirectory(atPath: configuration.installation.installDirectory, withIntermediateDirectories: true)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let transport = HTTPTransport(transfer: configuration.transfer, source: configuration.source, logger: logger)
        let source = try TUFReleaseSource(source: configuration.source, transfer: configuration.transfer,
                                          directory: StateDirectory(installation: configuration.installation),
                                          installDirectory: configuration.installation.installDirectory, transport: transport, logger: logger)
        _ = try await source.releases()
        var trust = try await source.client.refresh()
        let targets = try await source.client.targets(under: "monitor", in: &trust)
        await transport.shutdown()
        let ids = (0..<10_000).map { "device-\($0)-\(UUID().uuidString.lowercased())" }
        var reached: [String: [String]] = ["1.2.0": [], "1.3.0": []]
        for id in ids {
            let offers = source.catalog.offers(targets, deviceID: id, at: trust.referenceTime, url: { _ in URL(fileURLWithPath: "/") }, logger: logger)
            for offer in offers where offer.release.withheld == nil { reached[offer.release.tag, default: []].append(id) }
        }
        let in12 = try #require(reached["1.2.0"]), in13 = try #require(reached["1.3.0"])
        #expect((2_700...3_300).contains(in12.count) && (4_200...4_800).contains(in13.count), "\(in12.count), \(in13.count)")

        func status(_ list: [String]) async throws -> [String: String] {
            let file = try directory.write("ids-\(UUID().uuidString).txt", list.joined(separator: "\n") + "\n")
            let output = try await PublishCommandTests.publish(["status", "--repo", repo, "--device-ids", file])
            var lines: [String: String] = [:]
            for line in output.split(separator: "\n") where line.hasPrefix("1.") { lines[String(line.prefix(5))] = String(line) }
            return lines
        }
        let all = try await status(ids)
        #expect(all["1.2.0"]?.contains("now 30 %  reaches \(in12.count) of 10000 devices") == true, "\(all)")
        #expect(all["1.3.0"]?.contains("now 45 %  reaches \(in13.count) of 10000 devices") == true, "\(all)")
        // Exactly the same ids: the ones devices take are all reached, the others none.
        let set12 = Set(in12), set13 = Set(in13)
        let inside = try await status(in12), outside = try await status(ids.filter { !set12.contains($0) })
        #expect(inside["1.2.0"]?.contains("reaches \(in12.count) of \(in12.count) devices (100 %)") == true, "\(inside)")
        #expect(outside["1.2.0"]?.contains("reaches 0 of \(10_000 - in12.count) devices (0 %)") == true, "\(outside)")
        let inside13 = try await status(in13), outside13 = try await status(ids.filter { !set13.contains($0) })
        #expect(inside13["1.3.0"]?.contains("reaches \(in13.count) of \(in13.count) devices (100 %)") == true, "\(inside13)")
        #expect(outside13["1.3.0"]?.contains("reaches 0 of \(10_000 - in13.count) devices (0 %)") == true, "\(outside13)")

        try await PublishCommandTests.publish(["yank", "--repo", repo, "1.2.0", "--keys", keys])
        #expect(try await status(in12)["1.2.0"]?.contains("yanked  now 0 %  reaches 0 of \(in12.count) devices") == true)
    }

    @Test("--device-ids that cannot be read or lists no id exits 1 naming the option")
    func badDeviceIDs() async throws {
        let directory = try TemporaryDirectory("ota-publish-reach")
        let repo = directory.url("repo")
        try await PublishCommandTests.publish(["init", "--repo", repo, "--product", "monitor", "--keys", directory.url("keys")])
        let missing = try await CommandRunner.run(["publish", "status", "--repo", repo, "--device-ids", directory.url("none.txt")])
        #expect(missing.status == 1 && missing.stderr.contains("error: cannot read --device-ids \(directory.url("none.txt"))"), "\(missing.stderr)")
        let empty = try directory.write("empty.txt", "\n  \n")
        let none = try await CommandRunner.run(["publish", "status", "--repo", repo, "--device-ids", empty])
        #expect(none.status == 1 && none.stderr.contains("lists no device id"), "\(none.stderr)")
    }
}
