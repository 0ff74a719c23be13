import Foundation
import OTA
import Testing

@Suite("ota publish: verify, refresh and rotate")
struct TUFPublishVerifyTests {
    /// A repository with release 1.0.0 (one archive); returns the fixture and the archive's stored path.
    static func published() throws -> (PublishFixture, String) {
        let fixture = try PublishFixture()
        try fixture.initialize()
        let archive = try fixture.archive("app.tar.gz", "release 1.0.0")
        try fixture.publisher().add(version: "1.0.0", platform: "any", archives: [archive])
        return (fixture, "targets/monitor/1.0.0/\(try FileDigest.sha256(ofFileAt: archive)).app.tar.gz")
    }

    @Test("verify refuses a tampered target, naming it")
    func tamperedTarget() throws {
        let (fixture, stored) = try Self.published()
        _ = try TUFRepositoryVerifier(repository: fixture.repo).verify(now: fixture.clock.now)
        try Data("release 1.0.1".utf8).write(to: URL(fileURLWithPath: fixture.repo + "/" + stored))
        let error = #expect(throws: TUFPublishError.self) { try TUFRepositoryVerifier(repository: fixture.repo).verify(now: fixture.clock.now) }
        #expect(error?.message.contains("The target monitor/1.0.0/app.tar.gz has sha256") == true, "\(error?.message ?? "")")
    }

    @Test("verify refuses an expired timestamp")
    func expiredTimestamp() throws {
        let (fixture, _) = try Self.published()
        let error = #expect(throws: TUFPublishError.self) {
            try TUFRepositoryVerifier(repository: fixture.repo).verify(now: fixture.clock.now + 86_400)
        }
        #expect(error?.message.contains("timestamp.json expired at") == true, "\(error?.message ?? "")")
    }

    @Test("verify refuses a repository with a metadata file missing", arguments: ["2.snapshot.json", "2.targets.json", "timestamp.json", "1.root.json"])
    func missingMetadata(name: String) throws {
        let (fixture, _) = try Self.published()
        try FileManager.default.removeItem(atPath: fixture.repo + "/metadata/" + name)
        let error = #expect(throws: TUFPublishError.self) { try TUFRepositoryVerifier(repository: fixture.repo).verify(now: fixture.clock.now) }
        #expect(error?.message.contains("metadata/\(name) is missing") == true, "\(error?.message ?? "")")
    }

    @Test("verify refuses a missing target file and a forged signature")
    func missingTargetAndForgery() throws {
        let (fixture, stored) = try Self.published()
        let timestamp = try #require(fixture.file("metadata/timestamp.json"))
        let forged = String(decoding: timestamp, as: UTF8.self).replacingOccurrences(of: #""spec_version":"1.0.31""#, with: #""spec_version":"1.0.30""#)
        #expect(forged != String(decoding: timestamp, as: UTF8.self))
        try Data(forged.utf8).write(to: URL(fileURLWithPath: fixture.repo + "/metadata/timestamp.json"))
        let forgery = #expect(throws: TUFPublishError.self) { try TUFRepositoryVerifier(repository: fixture.repo).verify(now: fixture.clock.now) }
        #expect(forgery?.message.contains("signed by 0 of the 1 keys of role timestamp") == true, "\(forgery?.message ?? "")")
        try timestamp.write(to: URL(fileURLWithPath: fixture.repo + "/metadata/timestamp.json"))
        try FileManager.default.removeItem(atPath: fixture.repo + "/" + stored)
        let missing = #expect(throws: TUFPublishError.self) { try TUFRepositoryVerifier(repository: fixture.repo).verify(now: fixture.clock.now) }
        #expect(missing?.message.contains("is missing or unreadable; publish it again") == true, "\(missing?.message ?? "")")
    }

    @Test("refresh --if-expiring-within re-signs only when a role expires within the window")
    func refreshWhenNeeded() throws {
        let (fixture, _) = try Self.published()
        let publisher = try fixture.publisher()
        let before = fixture.snapshotOfFiles()
        fixture.clock.advance(3600)
        #expect(try publisher.refresh(ifExpiringWithin: 3600).resigned == [])
        #expect(fixture.snapshotOfFiles() == before)

        fixture.clock.advance(22 * 3600 + 1)
        let result = try publisher.refresh(ifExpiringWithin: 3600)
        #expect(result.resigned == [.snapshot, .timestamp])
        let expiries = Dictionary(uniqueKeysWithValues: try publisher.expiries().map { ($0.role, $0) })
        #expect(expiries[.timestamp]?.version == 3 && expiries[.timestamp]?.expires == fixture.clock.now + 86_400)
        #expect(expiries[.snapshot]?.version == 3 && expiries[.targets]?.version == 2)
        // A day later, the repository still verifies: only a refresh kept it alive.
        fixture.clock.advance(86_400 - 60)
        _ = try TUFRepositoryVerifier(repository: fixture.repo).verify(now: fixture.clock.now)

        // Without a window, the timestamp and snapshot are always re-signed.
        #expect(try publisher.refresh().resigned == [.snapshot, .timestamp])
        // Targets close to expiry are re-signed with them.
        fixture.clock.advance(89 * 86_400)
        #expect(try publisher.refresh(ifExpiringWithin: 3 * 86_400).resigned == [.targets, .snapshot, .timestamp])
        _ = try TUFRepositoryVerifier(repository: fixture.repo).verify(now: fixture.clock.now)
    }

    @Test("refresh without the targets key still re-signs timestamp and snapshot, and warns about the targets expiry")
    func refreshWithOnlineKeys() throws {
        let (fixture, _) = try Self.published()
        for name in try FileManager.default.contentsOfDirectory(atPath: fixture.keys) where name.hasPrefix("targets-") || name.hasPrefix("root-") {
            try FileManager.default.removeItem(atPath: fixture.keys + "/" + name)
        }
        fixture.clock.advance(89 * 86_400)
        let result = try fixture.publisher().refresh(ifExpiringWithin: 2 * 86_400)
        #expect(result.resigned == [.snapshot, .timestamp])
        #expect(result.warnings.count == 1 && result.warnings[0].contains("The targets metadata expires at"))
    }

    @Test("rotate each role: a new root version signed by the old and new root keys; the repository verifies from 1.root.json")
    func rotate() throws {
        let (fixture, _) = try Self.published()
        let publisher = try fixture.publisher()
        for role in TUFTopLevelRole.allCases {
            let written = try publisher.rotate(role: role)
            #expect(written.count == 1 && written[0].contains("/\(role.rawValue)-"))
        }
        let report = try TUFRepositoryVerifier(repository: fixture.repo).verify(now: fixture.clock.now)
        #expect(report.rootVersion == 5 && report.targetsVerified == 1)
        #expect(fixture.file("metadata/5.root.json") == fixture.file("metadata/root.json"))

        // An OpenSSL-style PEM key file of the user's.
        let key = TUFSigningKey()
        let keyFile = try fixture.directory.write("new-timestamp.pem", key.pemRepresentation)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyFile)
        try publisher.rotate(role: .timestamp, newKeyFiles: [keyFile])
        let root = String(decoding: try #require(fixture.file("metadata/6.root.json")), as: UTF8.self)
        #expect(root.contains(#""timestamp":{"keyids":["\#(key.keyID)"],"threshold":1}"#))
        _ = try TUFRepositoryVerifier(repository: fixture.repo).verify(now: fixture.clock.now)
    }

    @Test("rotate without the root key changes nothing")
    func rotateWithoutRootKey() throws {
        let (fixture, _) = try Self.published()
        for name in try FileManager.default.contentsOfDirectory(atPath: fixture.keys) where name.hasPrefix("root-") {
            try FileManager.default.removeItem(atPath: fixture.keys + "/" + name)
        }
        let keysBefore = try FileManager.default.contentsOfDirectory(atPath: fixture.keys).sorted()
        let before = fixture.snapshotOfFiles()
        let error = #expect(throws: TUFPublishError.self) { try fixture.publisher().rotate(role: .targets) }
        #expect(error?.message.contains("0 of the 1 keys of role root") == true, "\(error?.message ?? "")")
        #expect(fixture.snapshotOfFiles() == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.keys).sorted() == keysBefore)
    }
}
