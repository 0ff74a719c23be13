import Foundation
import Testing
@testable import OTA

@Suite("TUF keys and signature thresholds")
struct TUFSignatureTests {
    /// A root whose root role has `keys` and `threshold`, signed as `signatures` says.
    static func root(keys: [TUFTestKey], threshold: Int, signatures: (Data) -> [(String, String)]) -> Data {
        var roles: [TUFTopLevelRole: (keys: [TUFTestKey], threshold: Int)] = [:]
        for role in TUFTopLevelRole.allCases { roles[role] = (keys, threshold) }
        let signed = TUFBuild.root(version: 1, roles: roles)
        return TUFBuild.envelope(signed, signatures: signatures(TUFCanonicalJSON.encode(signed)))
    }

    static func load(_ data: Data) throws(TUFError) -> TUFTrustedMetadata {
        try TUFTrustedMetadata(trustedRoot: data, now: TUFBuild.now)
    }

    @Test("each supported key type verifies its signatures", arguments: ["ed25519", "ecdsa", "ecdsa-sha2-nistp256", "rsa"])
    func keyTypes(type: String) throws {
        let key: TUFTestKey = switch type {
        case "ed25519": .ed25519()
        case "rsa": .rsa()
        default: .p256(keyType: type)
        }
        let trust = try Self.load(Self.root(keys: [key], threshold: 1) { [(key.id, key.sign($0))] })
        #expect(trust.root.keys[key.id]?.keyType == type)
        #expect(trust.root.keys[key.id]?.isSupported == true)
    }

    @Test("a signature by another key of the same type under the key's id is refused, for each type", arguments: ["ed25519", "ecdsa", "rsa"])
    func forgedSignature(type: String) throws {
        let (key, forger): (TUFTestKey, TUFTestKey) = switch type {
        case "ed25519": (.ed25519(), .ed25519())
        case "ecdsa": (.p256(), .p256())
        default: (.rsa(), .ed25519())
        }
        let error = try #require(throws: TUFError.self) {
            try Self.load(Self.root(keys: [key], threshold: 1) { [(key.id, forger.sign($0))] })
        }
        #expect(error.code == .thresholdNotMet)
        #expect(error.message == "The TUF metadata root.json is signed by 0 of the 1 keys of role root required by root version 1: it was forged, altered or signed with the wrong keys, so it is refused; the repository's publisher must sign it with the role's keys.")
    }

    @Test("two signatures by the same key count once")
    func duplicateSignatures() throws {
        let first = TUFTestKey.ed25519(), second = TUFTestKey.ed25519()
        let error = try #require(throws: TUFError.self) {
            try Self.load(Self.root(keys: [first, second], threshold: 2) { [(first.id, first.sign($0)), (first.id, first.sign($0))] })
        }
        #expect(error.code == .thresholdNotMet)
        #expect(error.message.contains("signed by 1 of the 2 keys"))
        _ = try Self.load(Self.root(keys: [first, second], threshold: 2) { [(first.id, first.sign($0)), (second.id, second.sign($0))] })
    }

    @Test("one key listed under two key ids counts once")
    func sameKeyTwoIDs() throws {
        let key = TUFTestKey.p256()
        let alias = key.renamed(String(repeating: "ab", count: 32))
        let error = try #require(throws: TUFError.self) {
            try Self.load(Self.root(keys: [key, alias], threshold: 2) { [(key.id, key.sign($0)), (alias.id, alias.sign($0))] })
        }
        #expect(error.code == .thresholdNotMet)
        #expect(error.message.contains("signed by 1 of the 2 keys"))
    }

    @Test("invalid signatures (not hex, wrong length, unknown key id, garbage DER) are not counted and never throw past counting")
    func invalidSignaturesAreSkipped() throws {
        let ed = TUFTestKey.ed25519(), ec = TUFTestKey.p256(), rsa = TUFTestKey.rsa()
        let data = Self.root(keys: [ed, ec, rsa], threshold: 1) { message in
            [(ed.id, "not hex"), (ed.id, "abcd"), (ec.id, "3006020101020101"), (rsa.id, "00"), ("unknown", ed.sign(message)),
             (ec.id, ec.sign(message))]
        }
        let trust = try Self.load(data)
        #expect(trust.root.keys(for: .root).threshold == 1)
    }

    @Test("a key of an unsupported type is kept but never verifies; the error says so")
    func unsupportedKeyType() throws {
        let key = TUFTestKey.ed25519()
        var signed = TUFBuild.root(version: 1, roles: Dictionary(uniqueKeysWithValues: TUFTopLevelRole.allCases.map { ($0, ([key], 1)) }))
        // Declare the same key material as a type this client does not know.
        signed = Self.replacingKey(in: signed, id: key.id, with: .object([
            "keytype": .string("sphincs"), "scheme": .string("sphincs-shake"), "keyval": .object(["public": .string("00")]),
        ]))
        let message = TUFCanonicalJSON.encode(signed)
        let error = try #require(throws: TUFError.self) { try Self.load(TUFBuild.envelope(signed, signatures: [(key.id, key.sign(message))])) }
        #expect(error.code == .thresholdNotMet)
        #expect(error.message.contains("(1 of its keys use a type this client cannot verify)"))
    }

    @Test("a supported key type with an unreadable value is refused", arguments: [
        ("ed25519", "ed25519", "1234"), ("ecdsa", "ecdsa-sha2-nistp256", "not a pem"), ("rsa", "rsassa-pss-sha256", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"),
        ("ecdsa", "ecdsa-sha2-nistp256", TUFTestKey.rsaKey.publicKey.pemRepresentation),
    ])
    func malformedKey(type: String, scheme: String, value: String) throws {
        let key = TUFTestKey.ed25519()
        let signed = Self.replacingKey(
            in: TUFBuild.root(version: 1, roles: Dictionary(uniqueKeysWithValues: TUFTopLevelRole.allCases.map { ($0, ([key], 1)) })),
            id: key.id, with: .object(["keytype": .string(type), "scheme": .string(scheme), "keyval": .object(["public": .string(value)])]))
        let error = try #require(throws: TUFError.self) { try Self.load(TUFBuild.envelope(signed, signers: [key])) }
        #expect(error.code == .malformedKey)
        #expect(error.message.hasPrefix("The TUF metadata root.json lists key \(key.id) of type \(type) whose value is not"))
    }

    /// `signed` with key `id` of `keys` replaced by `replacement`.
    static func replacingKey(in signed: TUFJSON, id: String, with replacement: TUFJSON) -> TUFJSON {
        guard case .object(var members) = signed, let index = members.firstIndex(where: { $0.key == "keys" }) else { return signed }
        members[index].value = .object([TUFJSON.Member(id, replacement)])
        return .object(members)
    }
}
