import Foundation
import Logging
import Testing
@testable import OTA
import OTATestSupport

/// A repository made by the publisher, uploaded with boto3 to a real S3 API (moto_server), and read by
/// this project's own TUF client: a device with `source: tuf` whose `tuf_url` is the bucket.
@Suite("ota publish read by a device from S3 (moto)", .timeLimit(.minutes(10)))
struct TUFPublishS3DeviceTests {
    @Test("a device installs the release from the bucket (metadata, then the release's files); an unchanged poll is a 304 for timestamp.json and a 404 for the next root")
    func deviceReadsTheBucket() async throws {
        let moto = try MotoServer()
        defer { moto.stop() }
        // The device checks expiry against the real clock.
        let fixture = try PublishFixture()
        let publisher = try TUFPublisher.initialize(repository: fixture.repo, keys: fixture.keys, product: "monitor", now: { Date() })
        let archive = try fixture.directory.write("build/monitor-1.1.0.tar.gz", try TUFCatalogRepository.tarball(
            prefix: "monitor-1.1.0", files: ["src/app.sh": "echo 1.1.0\n", "config/settings.yaml": "level: 2\n"]))
        try publisher.add(version: "1.1.0", platform: "any", archives: [archive])
        try TUFNGClient.uploadToS3(endpoint: moto.endpoint, bucket: "releases", directory: fixture.repo)

        for (path, content) in TUFDevice.oldFiles { try fixture.directory.write("install/\(path)", content) }
        let configuration = try OTAConfiguration.parse(yaml: """
            source: tuf
            tuf_url: \(moto.endpoint)/releases
            tuf_root: \(fixture.repo)/metadata/1.root.json
            product: monitor
            install_dir: \(fixture.directory.url("install"))
            state_dir: \(fixture.directory.url("state"))
            max_retries: 0
            """, environment: ConfigurationEnvironment([:]))
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        try await moto.clearRequests()

        let updater = try OTAUpdater(configuration: configuration, logger: logger)
        let outcome = try await updater.update()
        #expect(outcome == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))
        let first = try await moto.requests().map(\.description)
        #expect(Array(first.prefix(4)) == ["GET /releases/metadata/2.root.json 404", "GET /releases/metadata/timestamp.json 200",
                                    "GET /releases/metadata/2.snapshot.json 200", "GET /releases/metadata/2.targets.json 200"], "\(first)")
        // Then the release's files by their hash-prefixed names: with `delta` on (the default), its delta index and objects.
        let files = first.dropFirst(4)
        #expect(!files.isEmpty && files.allSatisfy { $0.hasPrefix("GET /releases/targets/") && $0.hasSuffix(" 200") }, "\(first)")
        #expect(files.contains { $0.hasPrefix("GET /releases/targets/monitor/1.1.0/") && $0.contains(".monitor-1.1.0.tar.gz") }, "\(first)")
        let installed = try String(contentsOfFile: fixture.directory.url("install/src/app.sh"), encoding: .utf8)
        #expect(installed == "echo 1.1.0\n")

        // The next poll: moto answers the stored ETag with 304, nothing else is fetched.
        try await moto.clearRequests()
        let again = try await updater.check()
        #expect(again.availableRelease == nil && again.latestRelease?.version == SemanticVersion(1, 1, 0), "\(again)")
        await updater.shutdown()
        #expect(try await moto.requests().map(\.description) == ["GET /releases/metadata/2.root.json 404", "GET /releases/metadata/timestamp.json 304"])
    }
}
