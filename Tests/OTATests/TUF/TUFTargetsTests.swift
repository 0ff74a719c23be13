import Crypto
import Foundation
import Testing
@testable import OTA

@Suite("TUF targets: hashes, versions, signatures, unknown fields")
struct TUFTargetsTests {
    static func trustUpToSnapshot(_ repository: TUFTestRepository) throws -> TUFTrustedMetadata {
        var trust = try TUFTrustedMetadata(trustedRoot: repository.roots[0], now: TUFBuild.now)
        try trust.updateTimestamp(repository.timestamp)
        try trust.updateSnapshot(repository.snapshot)
        return trust
    }

    @Test("targets not matching the snapshot's hashes, or signed by another key, are refused and nothing is trusted")
    func badTargets() throws {
        var repository = TUFTestRepository()
        var trust = try Self.trustUpToSnapshot(repository)
        let good = repository.targets
        repository.targetFiles["extra"] = Data("x".utf8)
        let hashError = try #require(throws: TUFError.self) { try trust.updateTargets(repository.targets) }
        #expect(hashError.code == .lengthMismatch)
        repository.targetFiles["extra"] = nil
        repository.roleKeys[.targets] = [.ed25519()]
        let forgedError = try #require(throws: TUFError.self) { try trust.updateTargets(repository.targets) }
        // The snapshot's hash catches it first: another signature is other bytes.
        #expect(forgedError.code == .hashMismatch)
        #expect(trust.targets == nil)
        try trust.updateTargets(good)
        #expect(trust.targets != nil)
    }

    @Test("targets signed by a key other than root's targets key are refused when the snapshot signs no hashes")
    func forgedWithoutHashes() throws {
        var repository = TUFTestRepository()
        let honest = repository.roleKeys[.targets]!
        repository.roleKeys[.targets] = [TUFTestKey.ed25519().renamed(honest[0].id)]
        let forged = repository.targets
        repository.roleKeys[.targets] = honest
        var trust = try TUFTrustedMetadata(trustedRoot: repository.roots[0], now: TUFBuild.now)
        let snapshot = TUFBuild.envelope(TUFBuild.snapshot(version: 1, meta: [("targets", 1, nil)]), signers: repository.roleKeys[.snapshot]!)
        try trust.updateTimestamp(TUFBuild.envelope(TUFBuild.timestamp(version: 1, snapshotVersion: 1, snapshot: snapshot), signers: repository.roleKeys[.timestamp]!))
        try trust.updateSnapshot(snapshot)
        let error = try #require(throws: TUFError.self) { try trust.updateTargets(forged) }
        #expect(error.code == .thresholdNotMet)
        #expect(error.message.hasPrefix("The TUF metadata targets.json is signed by 0 of the 1 keys of role targets required by root version 1"))
        try trust.updateTargets(repository.targets)
    }

    @Test("targets of another version than the snapshot names are refused")
    func targetsVersion() throws {
        var repository = TUFTestRepository()
        var trust = try TUFTrustedMetadata(trustedRoot: repository.roots[0], now: TUFBuild.now)
        let keys = repository.roleKeys
        let snapshot = TUFBuild.envelope(TUFBuild.snapshot(version: 1, meta: [("targets", 2, nil)]), signers: keys[.snapshot]!)
        try trust.updateTimestamp(TUFBuild.envelope(TUFBuild.timestamp(version: 1, snapshotVersion: 1, snapshot: nil), signers: keys[.timestamp]!))
        try trust.updateSnapshot(snapshot)
        let error = try #require(throws: TUFError.self) { try trust.updateTargets(repository.targets) }
        #expect(error.code == .rolledBack)
        #expect(error.message.hasPrefix("The TUF metadata targets.json is version 1 where the snapshot names version 2"))
        repository.targetsVersion = 2
        try trust.updateTargets(repository.targets)
    }

    @Test("unknown fields are signed: they are kept for the signature check, and changing one breaks it")
    func unknownFieldsAreSigned() throws {
        let repository = TUFTestRepository()
        let keys = repository.roleKeys
        let target = TUFBuild.targetEntry(Data("payload".utf8), custom: .object(["ota": .object(["version": .string("1.0.0")])]))
        guard case .object(var targetMembers) = target else { return }
        targetMembers.append(.init("x-unknown-in-target", .array([.integer(1), .null])))
        guard case .object(var signedMembers) = TUFBuild.targets(version: 1) else { return }
        signedMembers[signedMembers.firstIndex { $0.key == "targets" }!].value = .object([.init("app/1.0.0/app.tar.gz", .object(targetMembers))])
        signedMembers.append(.init("x-unknown", .object(["nested": .string("ü ✓"), "n": .integer(-3)])))
        let signed = TUFJSON.object(signedMembers)
        let targets = TUFBuild.envelope(signed, signers: keys[.targets]!)

        func trust(for targets: Data) throws -> TUFTrustedMetadata {
            var trust = try TUFTrustedMetadata(trustedRoot: repository.roots[0], now: TUFBuild.now)
            let snapshot = TUFBuild.envelope(TUFBuild.snapshot(version: 1, meta: [("targets", 1, nil)]), signers: keys[.snapshot]!)
            try trust.updateTimestamp(TUFBuild.envelope(TUFBuild.timestamp(version: 1, snapshotVersion: 1, snapshot: snapshot), signers: keys[.timestamp]!))
            try trust.updateSnapshot(snapshot)
            try trust.updateTargets(targets)
            return trust
        }
        let trusted = try trust(for: targets)
        let file = try #require(trusted.targets?.targets["app/1.0.0/app.tar.gz"])
        #expect(file.custom?["ota"]?["version"]?.stringValue == "1.0.0")
        #expect(file.length == 7)

        // The same signatures over the object without the unknown member (as a client that drops
        // unknown fields would re-serialise it) do not verify.
        let signatures = try TUFJSONParser.parse(targets, what: "t")["signatures"]!
        let stripped = TUFJSON.object(signedMembers.filter { $0.key != "x-unknown" })
        let tampered = TUFJSONWriter.data(.object(["signatures": signatures, "signed": stripped]))
        let error = try #require(throws: TUFError.self) { try trust(for: tampered) }
        #expect(error.code == .thresholdNotMet)
    }

    @Test("a target verifies by its signed length and every signed hash; unknown algorithms are refused")
    func targetFileVerification() throws {
        let payload = Data("payload".utf8)
        let info = TUFFileInfo(length: payload.count, hashes: ["sha256": Hex.lowercase(SHA256.hash(data: payload)),
                                                               "sha512": Hex.lowercase(SHA512.hash(data: payload))])
        try info.verify(payload, what: "The target a")
        #expect(throws: TUFError.self) { try info.verify(Data("paylaod".utf8), what: "The target a") }
        let wrongSHA512 = TUFFileInfo(length: payload.count, hashes: ["sha256": info.hashes!["sha256"]!, "sha512": String(repeating: "0", count: 128)])
        let error = try #require(throws: TUFError.self) { try wrongSHA512.verify(payload, what: "The target a") }
        #expect(error.code == .hashMismatch)
        let unknown = TUFFileInfo(length: payload.count, hashes: ["blake3": "00"])
        let unknownError = try #require(throws: TUFError.self) { try unknown.verify(payload, what: "The target a") }
        #expect(unknownError.code == .unsupportedHashAlgorithm)
        #expect(unknownError.message == "The target a is signed with a blake3 hash, which this client cannot check (it checks sha256, sha384, sha512); ask the repository's publisher to add a sha256 hash.")
    }
}
