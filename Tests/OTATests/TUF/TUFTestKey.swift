import Crypto
import Foundation
import _CryptoExtras
@testable import OTA

/// A signing key for test metadata, of each type the client supports, with its public key in
/// securesystemslib's format.
struct TUFTestKey: Sendable {
    enum Secret: Sendable {
        case ed25519(Curve25519.Signing.PrivateKey)
        case p256(P256.Signing.PrivateKey)
        case rsa(_RSA.Signing.PrivateKey)
    }

    let id: String
    let secret: Secret
    /// `keytype` written in the metadata (`ecdsa` or the legacy `ecdsa-sha2-nistp256` for P-256).
    let keyType: String

    static func ed25519() -> TUFTestKey {
        let key = Curve25519.Signing.PrivateKey()
        return TUFTestKey(id: Hex.lowercase(SHA256.hash(data: key.publicKey.rawRepresentation)), secret: .ed25519(key), keyType: "ed25519")
    }

    static func p256(keyType: String = "ecdsa") -> TUFTestKey {
        let key = P256.Signing.PrivateKey()
        return TUFTestKey(id: Hex.lowercase(SHA256.hash(data: key.publicKey.x963Representation)), secret: .p256(key), keyType: keyType)
    }

    /// One 2048-bit RSA key shared by the tests (generating one takes a while on a busy machine).
    static let rsaKey = try! _RSA.Signing.PrivateKey(keySize: .bits2048)

    static func rsa() -> TUFTestKey {
        TUFTestKey(id: Hex.lowercase(SHA256.hash(data: rsaKey.publicKey.derRepresentation)), secret: .rsa(rsaKey), keyType: "rsa")
    }

    /// The same key under another key id.
    func renamed(_ newID: String) -> TUFTestKey {
        TUFTestKey(id: newID, secret: secret, keyType: keyType)
    }

    var scheme: String {
        switch secret {
        case .ed25519: "ed25519"
        case .p256: "ecdsa-sha2-nistp256"
        case .rsa: "rsassa-pss-sha256"
        }
    }

    /// The public key object of `keys`.
    var publicJSON: TUFJSON {
        let value: String
        switch secret {
        case .ed25519(let key): value = Hex.lowercase(key.publicKey.rawRepresentation)
        case .p256(let key): value = key.publicKey.pemRepresentation
        case .rsa(let key): value = key.publicKey.pemRepresentation
        }
        return .object(["keytype": .string(keyType), "scheme": .string(scheme), "keyval": .object(["public": .string(value)])])
    }

    /// The hexadecimal signature of `message`.
    func sign(_ message: Data) -> String {
        switch secret {
        case .ed25519(let key): Hex.lowercase(try! key.signature(for: message))
        case .p256(let key): Hex.lowercase(try! key.signature(for: message).derRepresentation)
        case .rsa(let key): Hex.lowercase(try! key.signature(for: message, padding: .PSS).rawRepresentation)
        }
    }
}
