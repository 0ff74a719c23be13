import Foundation
import Logging
import Testing
@testable import OTA
import OTATestSupport

/// The two halves together: a repository made by `ota publish` (the library the command runs), served
/// unchanged by nginx, read by a device with `source: tuf`.
@Suite("ota publish to a device: a repository on nginx", .timeLimit(.minutes(10)))
struct PublishToDeviceTests {
    /// A published repository, its nginx, and a device at 1.0.0 that trusts its first root.
    struct Setup {
        let work: TemporaryDirectory
        let publisher: TUFPublisher
        let nginx: NginxServer
        let configuration: OTAConfiguration

        /// - Parameter delta: the device's `delta` key (with it, the archive itself is not fetched).
        init(delta: Bool = true) throws {
            work = try TemporaryDirectory("publish-device")
            publisher = try TUFPublisher.initialize(repository: work.url("repo"), keys: work.url("keys"), product: "monitor")
            nginx = try NginxServer(root: work.url("repo"))
            for (path, content) in TUFDevice.oldFiles { try work.write("install/\(path)", content) }
            let yaml = """
                source: tuf
                tuf_url: \(nginx.baseURL)
                tuf_root: \(work.url("repo/metadata/1.root.json"))
                product: monitor
                install_dir: \(work.url("install"))
                state_dir: \(work.url("state"))
                max_retries: 0
                delta: \(delta)
                """
            configuration = try OTAConfiguration.parse(yaml: yaml, environment: ConfigurationEnvironment([:]))
        }

        /// Publishes `version` for every platform (`any`) from a tarball of the app at that version.
        func publish(_ version: String) throws {
            let archive = try TUFCatalogRepository.tarball(prefix: "monitor-\(version)",
                                                          files: ["src/app.sh": "echo \(version)\n", "config/settings.yaml": "level: 2\n"])
            let path = work.url("build/monitor-\(version).tar.gz")
            try work.write("build/monitor-\(version).tar.gz", archive)
            try publisher.add(version: version, platform: "any", archives: [path])
        }

        func update() async throws -> UpdateOutcome {
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let updater = try OTAUpdater(configuration: configuration, logger: logger)
            defer { Task { await updater.shutdown() } }
            return try await updater.update()
        }

        func installedApp() throws -> String {
            try String(contentsOfFile: configuration.installation.installDirectory + "/src/app.sh", encoding: .utf8)
        }
    }

    /// Each step follows the last within a second, as a script or CI job publishes: the device must see every
    /// change, although nginx's ETag is made of the whole-second modification time and the size.
    @Test("a release added with ota publish installs; a halted one is not offered until resumed; after a root rotation the device still updates")
    func publishHaltResumeRotate() async throws {
        let setup = try Setup()
        try setup.publish("1.1.0")
        #expect(try await setup.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))
        #expect(try setup.installedApp() == "echo 1.1.0\n")

        try setup.publish("1.2.0")
        try setup.publisher.rollout(version: "1.2.0", .halt)
        #expect(try await setup.update() == .upToDate(SemanticVersion(1, 1, 0)), "a halted release is not offered")
        #expect(try setup.installedApp() == "echo 1.1.0\n")

        try setup.publisher.rollout(version: "1.2.0", .resume)
        #expect(try await setup.update() == .updated(from: SemanticVersion(1, 1, 0), to: SemanticVersion(1, 2, 0)))

        // New root and timestamp keys: the device walks 2.root.json, drops what the old keys signed, and goes on.
        _ = try setup.publisher.rotate(role: .root)
        _ = try setup.publisher.rotate(role: .timestamp)
        try setup.publish("1.3.0")
        #expect(try await setup.update() == .updated(from: SemanticVersion(1, 2, 0), to: SemanticVersion(1, 3, 0)))
        #expect(try setup.installedApp() == "echo 1.3.0\n")
    }

    @Test("a target replaced on the host after publishing is refused by its signed hash; nothing is installed")
    func replacedTarget() async throws {
        let setup = try Setup(delta: false)
        try setup.publish("1.1.0")
        let targets = setup.work.url("repo/targets/monitor/1.1.0")
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: targets).first { $0.hasSuffix(".tar.gz") })
        let forged = try TUFCatalogRepository.tarball(prefix: "monitor-1.1.0", files: ["src/app.sh": "echo forged\n", "config/settings.yaml": "level: 9\n"])
        try forged.write(to: URL(fileURLWithPath: targets + "/" + name))
        await #expect(throws: (any Error).self) { try await setup.update() }
        #expect(try setup.installedApp() == "echo 1.0.0\n")
    }
}
