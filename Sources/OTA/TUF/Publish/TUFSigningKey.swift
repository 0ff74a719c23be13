import Crypto
import Foundation

/// An Ed25519 signing key of a TUF role, stored as a PKCS#8 PEM file (the format of
/// `openssl genpkey -algorithm ed25519`).
///
/// Its key id is securesystemslib's: the SHA-256 of the canonical JSON of the public key object, so
/// python-tuf computes the same id for the same key.
public struct TUFSigningKey: Sendable {
    let privateKey: Curve25519.Signing.PrivateKey

    /// A new random key.
    public init() {
        privateKey = Curve25519.Signing.PrivateKey()
    }

    init(privateKey: Curve25519.Signing.PrivateKey) {
        self.privateKey = privateKey
    }

    /// The public key object of root's `keys` (`{"keytype":"ed25519","scheme":"ed25519","keyval":{"public":HEX}}`).
    public var publicJSON: TUFJSON {
        .object(["keytype": .string("ed25519"), "scheme": .string("ed25519"),
                 "keyval": .object(["public": .string(Hex.lowercase(privateKey.publicKey.rawRepresentation))])])
    }

    /// The key id: hex SHA-256 of the canonical JSON of ``publicJSON``.
    public var keyID: String {
        Hex.lowercase(SHA256.hash(data: TUFCanonicalJSON.encode(publicJSON)))
    }

    /// The hexadecimal signature of `message`.
    func sign(_ message: Data) throws(TUFPublishError) -> String {
        do {
            return Hex.lowercase(try privateKey.signature(for: message))
        } catch {
            throw TUFPublishError(.keys, "Signing with key \(keyID) failed (\(error)); check that the key file is intact.")
        }
    }

    // MARK: PKCS#8

    /// DER of PKCS#8 v1 `PrivateKeyInfo` for Ed25519 up to the 32-byte seed (RFC 8410).
    private static let pkcs8Prefix: [UInt8] = [0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]
    /// The same in PKCS#8 v2 (`OneAsymmetricKey`), followed by the public key.
    private static let pkcs8v2Prefix: [UInt8] = [0x30, 0x51, 0x02, 0x01, 0x01, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]

    /// The key as a `-----BEGIN PRIVATE KEY-----` PEM file.
    public var pemRepresentation: String {
        let der = Data(Self.pkcs8Prefix) + privateKey.rawRepresentation
        return "-----BEGIN PRIVATE KEY-----\n\(der.base64EncodedString())\n-----END PRIVATE KEY-----\n"
    }

    /// Reads an Ed25519 private key from PKCS#8 PEM; `file` names it in the error.
    public init(pem text: String, file: String) throws(TUFPublishError) {
        let invalid = TUFPublishError(.keys, "The key file \(file) is not an Ed25519 private key in PKCS#8 PEM form (-----BEGIN PRIVATE KEY-----, as `openssl genpkey -algorithm ed25519` writes); pass a key file of that form.")
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let begin = lines.firstIndex(of: "-----BEGIN PRIVATE KEY-----"),
              let end = lines.firstIndex(of: "-----END PRIVATE KEY-----"), begin < end,
              let der = Data(base64Encoded: lines[(begin + 1)..<end].joined()).map(Array.init) else { throw invalid }
        let seed: ArraySlice<UInt8>
        if der.count == 48, der.starts(with: Self.pkcs8Prefix) {
            seed = der[16..<48]
        } else if der.count == 83, der.starts(with: Self.pkcs8v2Prefix) {
            seed = der[16..<48]
        } else {
            throw invalid
        }
        guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed) else { throw invalid }
        privateKey = key
    }
}
