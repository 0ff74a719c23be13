import Foundation
import Logging
import Testing
@testable import OTA
import OTATestSupport

/// `source: tuf` end to end: repositories made by python-tuf, served by a private nginx, read by the device.
@Suite("TUF release source: python-tuf repositories on nginx", .timeLimit(.minutes(10)))
struct TUFSourceTests {
    @Test("source: tuf installs the newest eligible release through OTAUpdater.update(); VERSION is the signed version; state_dir/tuf keeps the metadata")
    func fullUpdate() async throws {
        let repository = try TUFCatalogRepository([try TUFDevice.release("1.1.0"), try TUFDevice.release("1.2.0-rc.1")])
        let device = try TUFDevice(repository)
        let updater = try OTAUpdater(configuration: device.configuration, logger: TUFDevice.logger(nil))
        let outcome = try await updater.update()
        await updater.shutdown()
        #expect(outcome == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))
        #expect(try device.tree() == ["src/app.sh": "echo 1.1.0\n", "config/settings.yaml": "level: 2\n", "VERSION": "1.1.0\n"])
        let stored = try device.storedMetadata()
        #expect(Set(stored.keys) == ["root.json", "timestamp.json", "timestamp.etag", "snapshot.json", "targets.json", "time-floor", "refresh.lock"])
        #expect(stored["timestamp.json"] == (try repository.metadata("timestamp.json")))
        #expect(stored["root.json"] == (try repository.metadata("1.root.json")))
        let targetFiles = try repository.nginx.requests().filter { $0.uri.hasPrefix("/targets/") }
        #expect(targetFiles.map(\.status) == [200], "one download of the target by its hash-prefixed name: \(targetFiles)")
    }

    @Test("tuf_root inside a managed path is the device's own: an update never replaces it with the release's")
    func trustedRootKept() async throws {
        let repository = try TUFCatalogRepository([try TUFDevice.release("1.1.0", extraFiles: ["config/root.json": "{\"signed\": \"not the device's root\"}"])])
        let device = try TUFDevice(repository, rootInside: true)
        let shipped = try Data(contentsOf: URL(fileURLWithPath: repository.initialRoot))
        let updater = try device.updater()
        #expect(try await updater.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))
        await updater.shutdown()
        #expect(try Data(contentsOf: URL(fileURLWithPath: device.configuration.installation.installDirectory + "/config/root.json")) == shipped)
        #expect(try device.tree()["src/app.sh"] == "echo 1.1.0\n")
    }

    @Test("an unchanged poll is exactly one 304 for timestamp.json and one 404 for the next root version")
    func unchangedPoll() async throws {
        let repository = try TUFCatalogRepository([try TUFDevice.release("1.1.0")])
        let source = try TUFDevice(repository).source()
        _ = try await source.releases()
        let first = try repository.nginx.requests().map(\.description)
        #expect(first == ["GET /metadata/2.root.json 404", "GET /metadata/timestamp.json 200", "GET /metadata/1.snapshot.json 200",
                          "GET /metadata/1.targets.json 200"])
        try repository.nginx.clearRequests()
        let releases = try await source.releases()
        #expect(releases.map(\.version) == [SemanticVersion(1, 1, 0)])
        let requests = try repository.nginx.requests()
        #expect(requests.map(\.description) == ["GET /metadata/2.root.json 404", "GET /metadata/timestamp.json 304"])
        #expect(requests.map(\.bytesSent).reduce(0, +) <= 1024, "\(requests)")

        // A new release: a changed poll reads timestamp, snapshot and targets once more.
        try repository.publish([try TUFDevice.release("1.1.0"), try TUFDevice.release("1.2.0")])
        try repository.nginx.clearRequests()
        #expect(try await source.releases().map(\.version) == [SemanticVersion(1, 2, 0), SemanticVersion(1, 1, 0)])
        #expect(try repository.nginx.requests().map(\.description) == ["GET /metadata/2.root.json 404", "GET /metadata/timestamp.json 200",
                                                                      "GET /metadata/2.snapshot.json 200", "GET /metadata/2.targets.json 200"])
    }

    @Test("yanked, halted, another channel or another platform are not offered; a signed version that differs from the path, or a ramp without a start or hours, is skipped with a warning")
    func eligibility() async throws {
        let repository = try TUFCatalogRepository([
            try TUFDevice.release("1.1.0"),
            try TUFDevice.release("1.2.0", platform: "linux-aarch64"),
            try TUFDevice.release("1.2.0", platform: "linux-riscv64"),
            try TUFDevice.release("1.3.0", yanked: true),
            try TUFDevice.release("1.4.0", rollout: ["id": "1.4.0", "percent": 100, "start": NSNull(), "ramp_hours": NSNull(), "halted": true]),
            try TUFDevice.release("1.5.0", channels: ["beta"]),
            try TUFDevice.release("1.6.0", platform: "linux-riscv64"),
            try TUFDevice.release("1.7.0", signedVersion: "1.1.0"),
            try TUFDevice.release("1.8.0", rollout: ["id": "1.8.0", "percent": 100, "halted": false]),
            try TUFDevice.release("1.9.0", rollout: ["id": "1.9.0", "percent": 100, "start": NSNull(), "ramp_hours": 24, "halted": false]),
            try TUFDevice.release("1.10.0", rollout: ["id": "1.10.0", "percent": 100, "start": "2020-01-01T00:00:00Z", "ramp_hours": 0, "halted": false]),
        ])
        let device = try TUFDevice(repository, extra: "platform: linux-aarch64")
        let logs = LogLines()
        let releases = try await device.source(logs: logs).releases()
        #expect(releases.filter { $0.withheld == nil }.map(\.version.description) == ["1.8.0", "1.2.0", "1.1.0"])
        #expect(releases.first { $0.version == SemanticVersion(1, 2, 0) }?.assets.map(\.name) == ["monitor-1.2.0-linux-aarch64.tar.gz"])
        #expect(releases.filter { $0.withheld != nil }.map { "\($0.version) \($0.withheld!)" }
                == ["1.5.0 not on this device's channel", "1.4.0 its rollout is halted", "1.3.0 yanked by its publisher"],
                "withheld releases are listed with the reason; another platform's are not listed at all")
        #expect(ReleaseSelector().check(releases, current: SemanticVersion(1, 0, 0)).availableRelease?.version == SemanticVersion(1, 8, 0))
        #expect(logs.all.filter { $0.contains("signed version differs from the version in its path") }.count == 1, "\(logs.all)")
        let malformed = logs.all.filter { $0.hasPrefix("skipping a TUF target whose custom.ota is malformed") }
        #expect(malformed.count == 2, "\(logs.all)")
        #expect(malformed.contains { $0.contains("ota.target=monitor/1.9.0/monitor-1.9.0-any.tar.gz") && $0.contains("custom.ota.rollout.start is missing, but ramp_hours is 24") },
                "a ramp without a start is withheld from every device, with a warning naming the release and the field: \(malformed)")
        #expect(malformed.contains { $0.contains("ota.target=monitor/1.10.0/monitor-1.10.0-any.tar.gz") && $0.contains("custom.ota.rollout.ramp_hours is not a whole number from 1") },
                "\(malformed)")

        let beta = try TUFDevice(repository, extra: "platform: linux-aarch64\nchannel: beta")
        #expect(try await beta.source().releases().filter { $0.withheld == nil }.map(\.version.description) == ["1.5.0"])
    }

    @Test("a target whose bytes differ from its signed hash is refused: nothing installed, the download deleted")
    func tamperedTarget() async throws {
        let repository = try TUFCatalogRepository([try TUFDevice.release("1.1.0")])
        let served = try repository.servedTargetFile("monitor/1.1.0/monitor-1.1.0-any.tar.gz")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: served))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: served))
        let device = try TUFDevice(repository)
        let updater = try device.updater()
        let error = await #expect(throws: VerificationError.self) { try await updater.update() }
        await updater.shutdown()
        #expect(error?.code == .digestMismatch)
        #expect(error?.message.contains("monitor/1.1.0/monitor-1.1.0-any.tar.gz") == true, "\(error?.message ?? "")")
        #expect(try device.tree() == TUFDevice.oldFiles)
        #expect(try FileManager.default.contentsOfDirectory(atPath: device.configuration.installation.stateDirectory + "/downloads").filter { !$0.hasSuffix(".json") }.isEmpty)
    }
}
