import Foundation
import OTA
import Testing

/// Repositories made by the publisher, uploaded with boto3 to a real S3 API (moto_server) and read by
/// python-tuf's `ngclient.Updater` — refresh, lookup and download — through every kind of change.
@Suite("ota publish read by python-tuf from S3 (moto)", .timeLimit(.minutes(10)))
struct TUFPublishS3InteropTests {
    @Test("python-tuf refreshes and downloads after add, rollout, yank, refresh and key rotations")
    func pythonTUFReadsTheBucket() throws {
        let moto = try MotoServer()
        defer { moto.stop() }
        // python-tuf checks expiry against the real clock.
        let fixture = try PublishFixture()
        let clock = PublishClock(Date())
        let first = try TUFPublisher.initialize(repository: fixture.repo, keys: fixture.keys, product: "monitor", now: clock.function)
        let universal = try fixture.archive("monitor-1.0.0.tar.gz", "release 1.0.0")
        let arm = try fixture.archive("monitor-1.1.0-arm.tar.gz", "release 1.1.0 for arm")
        try first.add(version: "1.0.0", platform: "any", notes: "First", archives: [universal])
        try first.add(version: "1.1.0", platform: "linux-aarch64", channels: ["beta"], rolloutPercent: 10, archives: [arm])

        let bucket = "\(moto.endpoint)/releases"
        let client = fixture.directory.url("client")
        func pythonRefresh() throws -> TUFNGClient.Refresh {
            try TUFNGClient.uploadToS3(endpoint: moto.endpoint, bucket: "releases", directory: fixture.repo)
            return try TUFNGClient.refresh(root: fixture.repo + "/metadata/1.root.json", clientDirectory: client,
                                           metadataURL: bucket + "/metadata/", targetsURL: bucket + "/targets/",
                                           targets: ["monitor/1.0.0/monitor-1.0.0.tar.gz", "monitor/1.1.0/monitor-1.1.0-arm.tar.gz", "monitor/2.0.0/none.tar.gz"])
        }

        let added = try pythonRefresh()
        #expect(added.rootVersion == 1)
        let release = try #require(added.targets["monitor/1.0.0/monitor-1.0.0.tar.gz"] ?? nil)
        #expect(release.sha256 == (try FileDigest.sha256(ofFileAt: universal)) && release.length == 13)
        #expect(release.customOTA == TUFNGClient.CustomOTA(
            version: "1.0.0", platform: "any", channels: ["stable"], publishedAt: UTCTime.iso8601(clock.now), notes: "First",
            rollout: .init(id: "1.0.0", percent: 100, start: nil, rampHours: nil, halted: false), yanked: false, index: nil))
        let beta = try #require(added.targets["monitor/1.1.0/monitor-1.1.0-arm.tar.gz"] ?? nil)
        #expect(beta.customOTA.channels == ["beta"] && beta.customOTA.rollout.percent == 10)
        #expect(added.targets["monitor/2.0.0/none.tar.gz"] == .some(nil))

        try first.rollout(version: "1.1.0", .ramp(hours: 24))
        try first.rollout(version: "1.1.0", .halt)
        try first.yank(version: "1.0.0")
        _ = try first.refresh()
        let changed = try pythonRefresh()
        #expect(changed.timestampVersion > added.timestampVersion)
        #expect(changed.targets["monitor/1.0.0/monitor-1.0.0.tar.gz"]??.customOTA.yanked == true)
        let ramped = try #require(changed.targets["monitor/1.1.0/monitor-1.1.0-arm.tar.gz"] ?? nil).customOTA.rollout
        #expect(ramped == .init(id: "1.1.0", percent: 100, start: UTCTime.iso8601(clock.now), rampHours: 24, halted: true))

        // Root rotation first (signed by the old and the new root key), then the other roles.
        for role in [TUFTopLevelRole.root, .targets, .snapshot, .timestamp] { try first.rotate(role: role) }
        let rotated = try pythonRefresh()
        #expect(rotated.rootVersion == 5)
        #expect(rotated.targets["monitor/1.1.0/monitor-1.1.0-arm.tar.gz"]??.sha256 == (try FileDigest.sha256(ofFileAt: arm)))

        // A second root rotation, read by the client that already trusts root 5.
        try first.rotate(role: .root)
        #expect(try pythonRefresh().rootVersion == 6)
    }
}
