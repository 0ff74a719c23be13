import Foundation
import OTA
import Testing

@Suite("ota publish: the repository and its keys")
struct TUFPublisherTests {
    @Test("init writes root 1, targets, snapshot and timestamp that verify; keys are 0600 in a 0700 folder")
    func initializes() throws {
        let fixture = try PublishFixture()
        try fixture.initialize(thresholds: [.root: 2])
        for name in ["1.root.json", "root.json", "1.targets.json", "1.snapshot.json", "timestamp.json"] {
            #expect(fixture.file("metadata/\(name)") != nil, "metadata/\(name)")
        }
        #expect(fixture.file("metadata/1.root.json") == fixture.file("metadata/root.json"))
        let root = try #require(fixture.file("metadata/1.root.json"))
        #expect(String(decoding: root, as: UTF8.self).contains(#""consistent_snapshot":true"#))
        #expect(try PublishFixture.mode(fixture.keys) == 0o700)
        let keyFiles = try FileManager.default.contentsOfDirectory(atPath: fixture.keys)
        #expect(keyFiles.count == 5, "two root keys and one per other role: \(keyFiles)")
        for name in keyFiles { #expect(try PublishFixture.mode(fixture.keys + "/" + name) == 0o600, "\(name)") }
        let report = try TUFRepositoryVerifier(repository: fixture.repo).verify(now: fixture.clock.now)
        #expect(report.rootVersion == 1 && report.targetsVerified == 0)
    }

    @Test("a keys folder inside the repository is refused and nothing is created")
    func keysInsideRepository() throws {
        let fixture = try PublishFixture()
        let error = #expect(throws: TUFPublishError.self) {
            try TUFPublisher.initialize(repository: fixture.repo, keys: fixture.repo + "/keys", product: "monitor")
        }
        #expect(error?.code == .keys)
        #expect(error?.message.contains("inside the repository") == true)
        #expect(!FileManager.default.fileExists(atPath: fixture.repo))
    }

    @Test("a key file or keys folder that others can read is refused with the chmod to run")
    func keyPermissions() throws {
        let fixture = try PublishFixture()
        try fixture.initialize()
        let keyFile = try #require(try FileManager.default.contentsOfDirectory(atPath: fixture.keys).first)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: fixture.keys + "/" + keyFile)
        let fileError = #expect(throws: TUFPublishError.self) { try fixture.publisher() }
        #expect(fileError?.message.contains("chmod 600") == true)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: fixture.keys + "/" + keyFile)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fixture.keys)
        let folderError = #expect(throws: TUFPublishError.self) { try fixture.publisher() }
        #expect(folderError?.message.contains("chmod 700") == true)
    }

    @Test("add publishes PRODUCT/VERSION/FILE with custom.ota and a consistent-snapshot file; the client workflow verifies it")
    func add() throws {
        let fixture = try PublishFixture()
        try fixture.initialize()
        let archive = try fixture.archive("monitor-1.2.0-linux-aarch64.tar.gz", "release bytes")
        let added = try fixture.publisher().add(version: "1.2.0", platform: "linux-aarch64", channels: ["stable", "beta"],
                                               rolloutPercent: 25, notes: "Fixes", archives: [archive])
        #expect(added == ["monitor/1.2.0/monitor-1.2.0-linux-aarch64.tar.gz"])
        let sha256 = try FileDigest.sha256(ofFileAt: archive)
        #expect(fixture.file("targets/monitor/1.2.0/\(sha256).monitor-1.2.0-linux-aarch64.tar.gz") == Data("release bytes".utf8))
        #expect(fixture.file("metadata/2.targets.json") != nil && fixture.file("metadata/2.snapshot.json") != nil)
        let status = try fixture.publisher().status()
        #expect(status.count == 1)
        let info = try #require(status.first?.info)
        #expect(info == TUFReleaseInfo(version: "1.2.0", platform: "linux-aarch64", channels: ["stable", "beta"], publishedAt: fixture.clock.now,
                                       notes: "Fixes", rollout: TUFRollout(id: "1.2.0", percent: 25)))
        let targets = String(decoding: try #require(fixture.file("metadata/2.targets.json")), as: UTF8.self)
        #expect(targets.contains(#""ota":{"version":"1.2.0","platform":"linux-aarch64","channels":["stable","beta"],"published_at":"2030-03-17T17:46:40Z","notes":"Fixes","rollout":{"id":"1.2.0","percent":25,"start":null,"ramp_hours":null,"halted":false},"yanked":false,"index":null}"#))
        let report = try TUFRepositoryVerifier(repository: fixture.repo).verify(now: fixture.clock.now)
        #expect(report.targetsVerified == 1)
    }

    @Test("bad input is refused with an error naming the field, and the repository is left as it was", arguments: [
        ("percent", "rollout percent 101"), ("version", "\"v1.2\" is not a SemVer"), ("archive", "does not exist"),
        ("duplicate", "already published"), ("platform", "platform \"linux/arm\""), ("channel", "channel \"\""),
    ])
    func badInput(field: String, expected: String) throws {
        let fixture = try PublishFixture()
        try fixture.initialize()
        let archive = try fixture.archive("app.tar.gz", "bytes")
        try fixture.publisher().add(version: "1.0.0", platform: "linux-x86_64", archives: [archive])
        let before = fixture.snapshotOfFiles()
        let other = try fixture.archive("other.tar.gz", "other bytes")
        let error = #expect(throws: TUFPublishError.self) {
            let publisher = try fixture.publisher()
            switch field {
            case "percent": try publisher.add(version: "1.1.0", platform: "linux-x86_64", rolloutPercent: 101, archives: [other])
            case "version": try publisher.add(version: "v1.2", platform: "linux-x86_64", archives: [other])
            case "archive": try publisher.add(version: "1.1.0", platform: "linux-x86_64", archives: [other, fixture.directory.url("missing.tar.gz")])
            case "duplicate": try publisher.add(version: "1.0.0", platform: "linux-x86_64", archives: [other])
            case "platform": try publisher.add(version: "1.1.0", platform: "linux/arm", archives: [other])
            default: try publisher.add(version: "1.1.0", platform: "linux-x86_64", channels: [""], archives: [other])
            }
        }
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "no error")")
        #expect(fixture.snapshotOfFiles() == before)
    }

    @Test("rollout sets a percent, a ramp starting now, halt and resume on every platform of the version; yank marks it")
    func rolloutAndYank() throws {
        let fixture = try PublishFixture()
        try fixture.initialize()
        let publisher = try fixture.publisher()
        try publisher.add(version: "2.0.0", platform: "linux-aarch64", archives: [try fixture.archive("a.tar.gz", "a")])
        try publisher.add(version: "2.0.0", platform: "linux-x86_64", archives: [try fixture.archive("b.tar.gz", "b")])
        func rollouts() throws -> [TUFRollout] { try publisher.status().compactMap(\.info.rollout) }

        try publisher.rollout(version: "2.0.0", .percent(10))
        #expect(try rollouts() == Array(repeating: TUFRollout(id: "2.0.0", percent: 10), count: 2))
        fixture.clock.advance(3600)
        try publisher.rollout(version: "2.0.0", .ramp(hours: 48))
        #expect(try rollouts() == Array(repeating: TUFRollout(id: "2.0.0", percent: 100, start: fixture.clock.now, rampHours: 48), count: 2))
        try publisher.rollout(version: "2.0.0", .halt)
        #expect(try rollouts().allSatisfy(\.halted))
        try publisher.rollout(version: "2.0.0", .resume)
        #expect(try rollouts().allSatisfy { !$0.halted && $0.rampHours == 48 })
        #expect(try publisher.yank(version: "2.0.0"))
        #expect(try publisher.status().allSatisfy(\.info.yanked))
        #expect(try !publisher.yank(version: "2.0.0"))
        let notFound = #expect(throws: TUFPublishError.self) { try publisher.rollout(version: "9.9.9", .halt) }
        #expect(notFound?.message.contains("9.9.9 is not published") == true)
        let badPercent = #expect(throws: TUFPublishError.self) { try publisher.rollout(version: "2.0.0", .percent(-1)) }
        #expect(badPercent?.message.contains("outside 0–100") == true)
        _ = try TUFRepositoryVerifier(repository: fixture.repo).verify(now: fixture.clock.now)
    }
}
