import Foundation
import Testing
@testable import OTA

@Suite("TUF root: the trusted anchor and its rotation")
struct TUFRootUpdateTests {
    @Test("a good repository refreshes: root, timestamp, snapshot, targets")
    func goodRepository() throws {
        let repository = TUFTestRepository()
        let trust = try repository.refreshed()
        #expect(trust.root.header.version == 1)
        #expect(trust.root.consistentSnapshot)
        #expect(trust.timestamp?.header.version == 1)
        #expect(trust.snapshot?.header.version == 1)
        #expect(trust.targets?.targets["app/1.0.0/app.tar.gz"]?.length == "release one".utf8.count)
    }

    @Test("rotation to new root keys: N+1 signed by the old and the new threshold is trusted")
    func rotation() throws {
        var repository = TUFTestRepository()
        repository.roleKeys[.root] = [.p256(), .rsa()]
        repository.thresholds[.root] = 2
        repository.publishRoot()
        repository.roleKeys[.root] = [.ed25519()]
        repository.thresholds[.root] = 1
        repository.publishRoot()
        let trust = try repository.refreshed()
        #expect(trust.root.header.version == 3)
        #expect(trust.root.keys(for: .root).keyIDs == repository.roleKeys[.root]!.map(\.id))
    }

    @Test("a new root signed only by the new keys is refused: the old threshold must sign it")
    func missingOldSignatures() throws {
        var repository = TUFTestRepository()
        repository.roleKeys[.root] = [.ed25519()]
        repository.publishRoot(signers: repository.roleKeys[.root]!)
        var trust = try TUFTrustedMetadata(trustedRoot: repository.roots[0], now: TUFBuild.now)
        let error = try #require(throws: TUFError.self) { try trust.updateRoot(repository.roots[1]) }
        #expect(error.code == .thresholdNotMet)
        #expect(error.message.contains("2.root.json is signed by 0 of the 1 keys of role root required by root version 1"))
        #expect(trust.root.header.version == 1)
    }

    @Test("a new root signed only by the old keys is refused: its own threshold must sign it")
    func missingNewSignatures() throws {
        var repository = TUFTestRepository()
        let old = repository.roleKeys[.root]!
        repository.roleKeys[.root] = [.ed25519(), .ed25519()]
        repository.thresholds[.root] = 2
        repository.publishRoot(signers: old + [repository.roleKeys[.root]![0]])
        var trust = try TUFTrustedMetadata(trustedRoot: repository.roots[0], now: TUFBuild.now)
        let error = try #require(throws: TUFError.self) { try trust.updateRoot(repository.roots[1]) }
        #expect(error.code == .thresholdNotMet)
        #expect(error.message.contains("signed by 1 of the 2 keys of role root required by root version 2"))
    }

    @Test("a root that skips a version or goes back is refused")
    func versionMustBeNext() throws {
        let repository = TUFTestRepository()
        let keys = repository.roleKeys[.root]!
        var trust = try TUFTrustedMetadata(trustedRoot: repository.roots[0], now: TUFBuild.now)
        let skipping = TUFBuild.envelope(repository.rootSigned(version: 3), signers: keys)
        let error = try #require(throws: TUFError.self) { try trust.updateRoot(skipping) }
        #expect(error.code == .unexpectedVersion)
        #expect(error.message.hasPrefix("The TUF metadata 2.root.json is root version 3 where version 2 was expected"))
        let replayed = try #require(throws: TUFError.self) { try trust.updateRoot(repository.roots[0]) }
        #expect(replayed.code == .rolledBack)
        #expect(trust.root.header.version == 1)
    }

    @Test("an expired intermediate root is accepted; an expired final root ends the refresh")
    func expiry() throws {
        var repository = TUFTestRepository()
        repository.expires["root"] = TUFBuild.past
        repository.roots = []
        repository.publishRoot()
        repository.publishRoot()
        repository.expires["root"] = TUFBuild.future
        repository.publishRoot()
        #expect(try repository.refreshed().root.header.version == 3)
        var trust = try TUFTrustedMetadata(trustedRoot: repository.roots[0], now: TUFBuild.now)
        try trust.updateRoot(repository.roots[1])
        let error = try #require(throws: TUFError.self) { try trust.updateTimestamp(repository.timestamp) }
        #expect(error.code == .expired)
        #expect(error.message == "The TUF metadata root.json (version 2) expired at 2001-01-01T00:00:00Z (this device's time is 2027-01-15T08:00:00Z): the repository was not refreshed or an attacker is replaying old metadata, so nothing is trusted from it; its publisher must re-sign it (ota publish refresh).")
        #expect(throws: TUFError.self) { try trust.endRootUpdates() }
    }

    @Test("the time floor stands in for a clock reset to 1970: expired metadata stays expired")
    func timeFloor() throws {
        var repository = TUFTestRepository()
        repository.expires["timestamp"] = "2020-01-01T00:00:00Z"
        let epoch = Date(timeIntervalSince1970: 0)
        #expect(throws: Never.self) { try repository.refreshed(now: epoch) }
        let error = try #require(throws: TUFError.self) { try repository.refreshed(now: epoch, timeFloor: TUFBuild.now) }
        #expect(error.code == .expired)
        #expect(error.message.contains("timestamp.json expired at 2020-01-01T00:00:00Z"))
        // A floor in the past never moves the reference time back.
        #expect(try TUFTrustedMetadata(trustedRoot: repository.roots[0], now: TUFBuild.now, timeFloor: epoch).referenceTime == TUFBuild.now)
    }

    @Test("roots cannot be updated once the timestamp is loaded")
    func rootAfterTimestamp() throws {
        var repository = TUFTestRepository()
        var trust = try repository.refreshed()
        repository.publishRoot()
        let error = try #require(throws: TUFError.self) { try trust.updateRoot(repository.roots[1]) }
        #expect(error.code == .outOfOrder)
    }

    @Test("limits: oversized roots and more rotations than allowed are refused")
    func limits() throws {
        var repository = TUFTestRepository()
        repository.publishRoot()
        repository.publishRoot()
        var limits = TUFLimits()
        limits.maximumRootRotations = 1
        var trust = try TUFTrustedMetadata(trustedRoot: repository.roots[0], now: TUFBuild.now, limits: limits)
        try trust.updateRoot(repository.roots[1])
        #expect(throws: TUFError(.tooManyRootRotations, "The TUF repository offers more than 1 new root versions in one refresh; it is refused as a possible attack, so ask its publisher.")) {
            try trust.updateRoot(repository.roots[2])
        }
        limits.maximumRootBytes = repository.roots[0].count - 1
        let error = try #require(throws: TUFError.self) { try TUFTrustedMetadata(trustedRoot: repository.roots[0], now: TUFBuild.now, limits: limits) }
        #expect(error.code == .tooLarge)
    }

    @Test("malformed roots are refused with the field named", arguments: [
        (#"{"signatures": [], "signed": {"_type": "root"}}"#, "signed.spec_version is missing"),
        (#"{"signatures": {}, "signed": {}}"#, "signatures must be a list"),
        (#"{"signatures": [], "signed": {"_type": "root", "spec_version": "1.0", "version": 0}}"#, "signed.version must be an integer of at least 1"),
        (#"{"signatures": [], "signed": {"_type": "root", "spec_version": "1.0", "version": 1, "expires": "2030-01-01T00:00:00.5Z"}}"#,
         "signed.expires \"2030-01-01T00:00:00.5Z\" is not a UTC time of the form 2030-01-31T23:59:59Z"),
        (#"{"signatures": [], "signed": {"_type": "root", "spec_version": "1.0", "version": 1, "expires": "2030-02-30T00:00:00Z"}}"#,
         "signed.expires \"2030-02-30T00:00:00Z\" is not a UTC time of the form 2030-01-31T23:59:59Z"),
        (#"{"signatures": [], "signed": {"_type": "root", "spec_version": "1.x", "version": 1}}"#, "signed.spec_version \"1.x\" is not a version number"),
    ])
    func malformed(text: String, problem: String) throws {
        let error = try #require(throws: TUFError.self) { try TUFTrustedMetadata(trustedRoot: Data(text.utf8), now: TUFBuild.now) }
        #expect(error.code == .malformedMetadata)
        #expect(error.message == "The TUF metadata root.json is malformed: \(problem); the repository served a damaged or incompatible file, so report it to its publisher.")
    }

    @Test("metadata of another major version of the specification is refused")
    func specVersion() throws {
        let text = #"{"signatures": [], "signed": {"_type": "root", "spec_version": "2.0.0", "version": 1}}"#
        let error = try #require(throws: TUFError.self) { try TUFTrustedMetadata(trustedRoot: Data(text.utf8), now: TUFBuild.now) }
        #expect(error.code == .unsupportedSpecVersion)
        #expect(error.message == "The TUF metadata root.json follows version 2.0.0 of the TUF specification, but this client implements 1.x; update the client or ask the publisher for 1.x metadata.")
    }

    @Test("a timestamp file offered as root is refused by its type")
    func wrongType() throws {
        let repository = TUFTestRepository()
        let error = try #require(throws: TUFError.self) { try TUFTrustedMetadata(trustedRoot: repository.timestamp, now: TUFBuild.now) }
        #expect(error.code == .wrongType)
    }
}
