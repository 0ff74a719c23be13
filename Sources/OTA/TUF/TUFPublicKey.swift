import Crypto
import Foundation
import _CryptoExtras

/// A public key of TUF metadata (securesystemslib's key format: `keytype`, `scheme`, `keyval.public`).
///
/// Supported: `ed25519`/`ed25519` (64 hex digits), `ecdsa` or `ecdsa-sha2-nistp256`/`ecdsa-sha2-nistp256`
/// (PEM, P-256, DER signatures) and `rsa`/`rsassa-pss-sha256` (PEM, at least 2048 bits, PSS with
/// MGF1-SHA256 and a 32-byte salt, as securesystemslib signs). A key of another type or scheme is
/// kept but never verifies a signature; a supported key whose value cannot be read is an error.
public struct TUFPublicKey: Sendable {
    /// `keytype` as written in the metadata.
    public let keyType: String
    /// `scheme` as written in the metadata.
    public let scheme: String
    /// The parsed key, or `.unsupported`.
    let algorithm: Algorithm
    /// The key material, tagged by algorithm: two key ids naming the same key have the same identity,
    /// so a threshold never counts one key twice.
    let identity: Data

    enum Algorithm: Sendable {
        case ed25519(Curve25519.Signing.PublicKey)
        case ecdsaP256(P256.Signing.PublicKey)
        case rsaPSSSHA256(_RSA.Signing.PublicKey)
        case unsupported
    }

    /// Whether this client can verify signatures made with the key.
    public var isSupported: Bool {
        if case .unsupported = algorithm { return false }
        return true
    }

    /// Reads the key `keyID` from its JSON object.
    init(keyID: String, fields: TUFFields) throws(TUFError) {
        let keyType = try fields.string("keytype"), scheme = try fields.string("scheme")
        self.keyType = keyType
        self.scheme = scheme
        let value = try fields.object("keyval")
        let unreadable = { (expected: String) in
            TUFError(.malformedKey, "The TUF metadata \(fields.file) lists key \(keyID) of type \(keyType) whose value is not \(expected); the repository's metadata is damaged, so report it to its publisher.")
        }
        switch (keyType, scheme) {
        case ("ed25519", "ed25519"):
            let text = try value.string("public")
            guard Hex.isHex(text, count: 64), let bytes = TUFHex.bytes(text),
                  let key = try? Curve25519.Signing.PublicKey(rawRepresentation: bytes) else {
                throw unreadable("64 hexadecimal digits")
            }
            algorithm = .ed25519(key)
            identity = Data("ed25519:".utf8) + key.rawRepresentation
        case ("ecdsa", "ecdsa-sha2-nistp256"), ("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256"):
            guard let key = try? P256.Signing.PublicKey(pemRepresentation: try value.string("public")) else {
                throw unreadable("a PEM P-256 public key")
            }
            algorithm = .ecdsaP256(key)
            identity = Data("p256:".utf8) + key.x963Representation
        case ("rsa", "rsassa-pss-sha256"):
            guard let key = try? _RSA.Signing.PublicKey(pemRepresentation: try value.string("public")) else {
                throw unreadable("a PEM RSA public key of at least 2048 bits")
            }
            algorithm = .rsaPSSSHA256(key)
            identity = Data("rsa:".utf8) + key.derRepresentation
        default:
            algorithm = .unsupported
            identity = Data("unsupported:\(keyID)".utf8)
        }
    }

    /// Whether `signature` (the decoded `sig`) is this key's valid signature of `message`; never throws.
    public func isValidSignature(_ signature: [UInt8], for message: Data) -> Bool {
        switch algorithm {
        case .ed25519(let key):
            return key.isValidSignature(signature, for: message)
        case .ecdsaP256(let key):
            guard let parsed = try? P256.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return key.isValidSignature(parsed, for: message)
        case .rsaPSSSHA256(let key):
            return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: message, padding: .PSS)
        case .unsupported:
            return false
        }
    }
}
