import Crypto
import Foundation
import OTA

/// Signs files the way `minisign -S` does (prehashed `ED` format), for publishing releases.
///
/// `ota sign`, `ota demo` and the tests sign with it; the `minisign` tool verifies its signatures, and
/// ``MinisignPublicKey`` verifies those of the tool the same way.
///
/// ```swift
/// let signer = MinisignSigner(secretKey: try MinisignSecretKey(fromFile: "minisign.key"))
/// let signature = try signer.signature(forFileAt: "app-1.2.0.tar.gz")   // trusted comment names the file
/// try signature.write(to: URL(fileURLWithPath: "app-1.2.0.tar.gz.minisig"))
/// ```
public struct MinisignSigner: Sendable {
    /// The key signatures are made with.
    public let secretKey: MinisignSecretKey

    /// A signer with `secretKey`.
    public init(secretKey: MinisignSecretKey) {
        self.secretKey = secretKey
    }

    /// A signer with a new random key pair.
    public init() {
        self.init(secretKey: MinisignSecretKey())
    }

    /// The 8-byte key id written into public keys and signatures.
    public var keyID: [UInt8] { secretKey.keyID }

    /// The public key that verifies this signer's signatures.
    public var publicKey: MinisignPublicKey { secretKey.publicKey }

    /// minisign's default trusted comment for `fileName`: `timestamp:<seconds>`, `file:<name>` and
    /// `hashed`, separated by tabs. The `file:` part binds the signature to the file's name.
    public static func defaultTrustedComment(fileName: String, date: Date = Date()) -> String {
        "timestamp:\(Int64(date.timeIntervalSince1970))\tfile:\(fileName)\thashed"
    }

    /// The contents of a `.minisig` file for the file at `path`, with minisign's default trusted comment.
    public func signature(forFileAt path: String) throws(VerificationError) -> Data {
        try signature(forFileAt: path, trustedComment: Self.defaultTrustedComment(fileName: PathName.lastComponent(of: path)))
    }

    /// The contents of a `.minisig` file for the file at `path`, with `trustedComment` (one line).
    public func signature(forFileAt path: String, trustedComment: String) throws(VerificationError) -> Data {
        guard !trustedComment.contains(where: \.isNewline) else {
            throw VerificationError(.malformedSignature, "a trusted comment must be one line; remove the line break from it")
        }
        var hasher = BLAKE2b()
        try ChunkedFileReader.forEachChunk(ofFileAt: path) { hasher.update($0) }
        let prehash = hasher.finalize()
        let privateKey = secretKey.privateKey
        do {
            let signature = Array(try privateKey.signature(for: prehash))
            let global = Array(try privateKey.signature(for: signature + Array(trustedComment.utf8)))
            let line = Data(Array("ED".utf8) + keyID + signature).base64EncodedString()
            let text = "untrusted comment: signature from minisign secret key\n\(line)\ntrusted comment: \(trustedComment)\n\(Data(global).base64EncodedString())\n"
            return Data(text.utf8)
        } catch {
            throw VerificationError(.invalidSignature, "signing \(path) failed: \(error)")
        }
    }
}
