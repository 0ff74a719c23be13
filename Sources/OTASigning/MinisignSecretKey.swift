import Crypto
import Foundation
import OTA

/// A minisign secret key, as `minisign -G -W` writes it: unencrypted, in minisign's own file format.
///
/// The file is an `untrusted comment:` line and the base64 of 158 bytes: the algorithm `Ed`, the key
/// derivation algorithm (two zero bytes: none), the checksum algorithm `B2`, 48 bytes of key derivation
/// parameters (zero without a password), the 8-byte key id, the 64-byte Ed25519 secret key (seed and
/// public key) and a 32-byte BLAKE2b checksum of algorithm, key id and secret key.
///
/// ```swift
/// let key = MinisignSecretKey()
/// try key.write(to: "minisign.key", publicKeyTo: "minisign.pub")
/// let loaded = try MinisignSecretKey(fromFile: "minisign.key")
/// ```
public struct MinisignSecretKey: Sendable {
    /// The 8-byte key id written into the public key and every signature.
    public let keyID: [UInt8]
    let privateKey: Curve25519.Signing.PrivateKey

    /// The size of the decoded key line.
    static let byteCount = 158

    /// A new random key pair.
    public init() {
        privateKey = Curve25519.Signing.PrivateKey()
        var generator = SystemRandomNumberGenerator()
        keyID = (0..<8).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// The public key that verifies this key's signatures.
    public var publicKey: MinisignPublicKey {
        MinisignPublicKey(keyID: keyID, rawKey: Array(privateKey.publicKey.rawRepresentation))
    }

    /// Parses the contents of a secret key file; `fileName` names it in errors.
    public init(fileContents: String, fileName: String) throws(VerificationError) {
        func malformed(_ problem: String) -> VerificationError {
            VerificationError(.malformedSecretKey, "\(fileName) is not a minisign secret key: \(problem); make one with `ota keygen` or `minisign -G -W`.")
        }
        let lines = fileContents.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard lines.count == 2, lines[0].hasPrefix("untrusted comment:") else {
            throw malformed("expected an 'untrusted comment:' line followed by the base64 key line")
        }
        guard let data = Data(base64Encoded: lines[1]), data.count == Self.byteCount else {
            throw malformed("the key line is not base64 of \(Self.byteCount) bytes")
        }
        let bytes = [UInt8](data)
        guard bytes[0..<2].elementsEqual("Ed".utf8), bytes[4..<6].elementsEqual("B2".utf8) else {
            throw malformed("its algorithm bytes are not 'Ed' and 'B2'")
        }
        guard bytes[2] == 0, bytes[3] == 0 else {
            throw VerificationError(.encryptedSecretKey, "\(fileName) is protected by a password, which ota cannot use; sign with `minisign -S -s \(fileName)`, or make an unencrypted key with `ota keygen` (or `minisign -G -W`) and keep it offline.")
        }
        let keyID = Array(bytes[54..<62]), secret = Array(bytes[62..<126]), checksum = Array(bytes[126..<158])
        // minisign leaves the checksum of an unencrypted key at zero; one written by ota must match.
        if checksum.contains(where: { $0 != 0 }), checksum != Self.checksum(keyID: keyID, secret: secret) {
            throw malformed("its checksum does not match the key (the file is damaged)")
        }
        let privateKey: Curve25519.Signing.PrivateKey
        do { privateKey = try Curve25519.Signing.PrivateKey(rawRepresentation: secret[0..<32]) } catch {
            throw malformed("its Ed25519 seed is invalid")
        }
        guard Array(privateKey.publicKey.rawRepresentation) == Array(secret[32..<64]) else {
            throw malformed("its public half does not belong to its secret half (the file is damaged)")
        }
        self.keyID = keyID
        self.privateKey = privateKey
    }

    /// Reads and parses a secret key file.
    public init(fromFile path: String) throws(VerificationError) {
        let bytes = try ChunkedFileReader.contents(ofFileAt: path, limit: 64 * 1024) { size in
            VerificationError(.malformedSecretKey, "\(path) is \(size) bytes, far too large for a minisign secret key; check --key.")
        }
        try self.init(fileContents: String(decoding: bytes, as: UTF8.self), fileName: path)
    }

    /// The secret key file's text (`minisign -G -W`'s format).
    public var fileContents: String {
        let secret = Array(privateKey.rawRepresentation) + Array(privateKey.publicKey.rawRepresentation)
        var bytes = Array("Ed".utf8) + [0, 0] + Array("B2".utf8) + [UInt8](repeating: 0, count: 48)
        bytes += keyID + secret + Self.checksum(keyID: keyID, secret: secret)
        return "untrusted comment: minisign encrypted secret key\n\(Data(bytes).base64EncodedString())\n"
    }

    /// The public key file's text (`minisign.pub`).
    public var publicKeyFileContents: String {
        "untrusted comment: minisign public key \(publicKey.keyIDString)\n\(publicKey.base64)\n"
    }

    /// Writes the secret key (mode 0600) to `path` and the public key (mode 0644) to `publicKeyPath`.
    public func write(to path: String, publicKeyTo publicKeyPath: String) throws(SystemError) {
        try AtomicFile.write(Array(fileContents.utf8), to: path, mode: 0o600)
        try AtomicFile.write(Array(publicKeyFileContents.utf8), to: publicKeyPath, mode: 0o644)
    }

    /// BLAKE2b-256 of the algorithm, key id and secret key, as minisign checks a decrypted key.
    static func checksum(keyID: [UInt8], secret: [UInt8]) -> [UInt8] {
        BLAKE2b.hash(Array("Ed".utf8) + keyID + secret, digestByteCount: 32)
    }
}
