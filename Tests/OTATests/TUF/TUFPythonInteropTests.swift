import Foundation
import Testing
@testable import OTA

/// Repositories made by python-tuf's Metadata API (PyPI `tuf` 7.x, `scripts/tuf-interop.py`), read by
/// the trust state: rotations, four key types, delegations, succinct hash bins, unknown signed fields,
/// and python-made bad files.
@Suite("TUF trust state with repositories made by python-tuf", .timeLimit(.minutes(10)))
struct TUFPythonInteropTests {
    /// A python-tuf repository in a temporary directory, and what the script says the client must find.
    final class Repository {
        let directory: TemporaryDirectory
        let expected: TUFJSON

        init() throws {
            directory = try TemporaryDirectory("tuf-interop")
            _ = try TUFPythonTool.run(["repository", directory.url("repo")])
            expected = try TUFJSONParser.parse(Data(contentsOf: URL(fileURLWithPath: directory.url("repo/expected.json"))), what: "expected.json")
        }

        func metadata(_ name: String) throws -> Data {
            try Data(contentsOf: URL(fileURLWithPath: directory.url("repo/metadata/\(name)")))
        }

        func variant(_ name: String) throws -> Data {
            try Data(contentsOf: URL(fileURLWithPath: directory.url("repo/variants/\(name)")))
        }

        /// A trust set through root 3 and the timestamp.
        func trustThroughTimestamp() throws -> TUFTrustedMetadata {
            var trust = try TUFTrustedMetadata(trustedRoot: metadata("1.root.json"), now: Date())
            try trust.updateRoot(metadata("2.root.json"))
            try trust.updateRoot(metadata("3.root.json"))
            #expect(try trust.updateTimestamp(metadata("timestamp.json")) == .updated)
            return trust
        }
    }

    @Test("rotated roots, timestamp, snapshot, targets and every delegated target as python-tuf made them")
    func fullRefreshAndLookup() throws {
        let repository = try Repository()
        var trust = try repository.trustThroughTimestamp()
        #expect(trust.root.header.version == repository.expected["root_version"]?.intValue)
        #expect(trust.timestamp?.header.version == repository.expected["timestamp_version"]?.intValue)
        try trust.updateSnapshot(repository.metadata("1.snapshot.json"))
        // python-tuf's own re-serialisation of targets: validly signed, but not the bytes the snapshot hashes.
        let reserialised = try #require(throws: TUFError.self) { try trust.updateTargets(repository.variant("reserialised.1.targets.json")) }
        #expect([.lengthMismatch, .hashMismatch].contains(reserialised.code))
        try trust.updateTargets(repository.metadata("1.targets.json"))

        let keyTypes = Set(trust.root.keys.values.map(\.keyType))
        #expect(keyTypes.isSuperset(of: ["ed25519", "ecdsa", "rsa"]))
        var loaded: [String] = []
        let expectedTargets = try #require(repository.expected["targets"]?.members)
        for entry in expectedTargets {
            let found = try #require(try trust.findTarget(entry.key) { role, meta in
                loaded.append(role)
                return try repository.metadata("\(meta.version).\(role).json")
            }, "python-tuf's target \(entry.key) was not found")
            #expect(found.role == entry.value["role"]?.stringValue, "\(entry.key)")
            #expect(found.target.length == entry.value["length"]?.intValue)
            #expect(found.target.hashes["sha256"] == entry.value["sha256"]?.stringValue)
            #expect(found.target.custom == entry.value["custom"])
            try found.target.verify(Data(contentsOf: URL(fileURLWithPath: repository.directory.url("repo/targets/\(entry.key)"))))
        }
        let bin = try #require(repository.expected["targets"]?["data/blob.bin"]?["role"]?.stringValue)
        #expect(loaded == ["releases", "data", bin])
        let delegatedKeyTypes = Set(["releases", "data"].compactMap { trust.targets(role: $0, verifiedBy: "targets") }
            .flatMap { $0.delegations?.keys.values.map(\.keyType) ?? [] })
        #expect(delegatedKeyTypes == ["rsa"])
        #expect(Set(trust.targets!.delegations!.keys.values.map(\.keyType)) == ["ecdsa-sha2-nistp256", "ed25519"])
        guard case .array(let missing)? = repository.expected["missing"] else { throw TUFError(.malformedMetadata, "expected.json lists no missing targets") }
        for case .string(let path) in missing {
            #expect(try trust.findTarget(path) { role, meta in try repository.metadata("\(meta.version).\(role).json") } == nil, "\(path)")
        }
    }

    @Test("python-made bad files: under-signed root, rolled-back, expired and forged timestamps are refused")
    func badFiles() throws {
        let repository = try Repository()
        var trust = try repository.trustThroughTimestamp()
        let undersigned = try #require(throws: TUFError.self) {
            var fresh = try TUFTrustedMetadata(trustedRoot: repository.metadata("1.root.json"), now: Date())
            try fresh.updateRoot(repository.metadata("2.root.json"))
            try fresh.updateRoot(repository.metadata("3.root.json"))
            try fresh.updateRoot(repository.variant("undersigned.4.root.json"))
        }
        #expect(undersigned.code == .thresholdNotMet)
        #expect(undersigned.message.contains("4.root.json is signed by 1 of the 2 keys of role root required by root version 3"))
        #expect(try #require(throws: TUFError.self) { try trust.updateTimestamp(repository.variant("rolledback.timestamp.json")) }.code == .rolledBack)
        #expect(try #require(throws: TUFError.self) { try trust.updateTimestamp(repository.variant("expired.timestamp.json")) }.code == .expired)
        #expect(try #require(throws: TUFError.self) { try trust.updateTimestamp(repository.variant("forged.timestamp.json")) }.code == .thresholdNotMet)
        #expect(trust.timestamp?.header.version == 2)
    }

    @Test("fast-forward recovery: a timestamp signed by the key root 3 rotated out is dropped from storage")
    func fastForwardRecovery() throws {
        let repository = try Repository()
        // Under root 1 the old timestamp key's version-3 timestamp is valid: the device stored it.
        var before = try TUFTrustedMetadata(trustedRoot: repository.metadata("1.root.json"), now: Date())
        #expect(try before.loadStoredTimestamp(repository.variant("forged.timestamp.json")) == .trusted)
        // After the rotation it is dropped, and the honest version 2 is accepted.
        var trust = try TUFTrustedMetadata(trustedRoot: repository.metadata("1.root.json"), now: Date())
        try trust.updateRoot(repository.metadata("2.root.json"))
        try trust.updateRoot(repository.metadata("3.root.json"))
        guard case .discarded(let reason) = try trust.loadStoredTimestamp(repository.variant("forged.timestamp.json")) else {
            Issue.record("the stored timestamp of the rotated-out key must be discarded")
            return
        }
        #expect(reason.code == .keysRotated)
        #expect(try trust.updateTimestamp(repository.metadata("timestamp.json")) == .updated)
    }
}
