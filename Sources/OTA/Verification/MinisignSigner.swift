import Crypto
import Foundation

/// Signs files the way `minisign -S` does (prehashed `ED` format), for publishing releases.
///
/// `ota demo` and the end-to-end tests publish signed releases with it; a real publisher would
/// normally use the `minisign` tool, whose files ``MinisignPublicKey`` verifies the same way.
public struct MinisignSigner: Sendable {
    let privateKey: Curve25519.Signing.PrivateKey
    /// The 8-byte key id written into public keys and signatures.
    public let keyID: [UInt8]

    /// A new random key pair.
    public init() {
        privateKey = Curve25519.Signing.PrivateKey()
        keyID = (0..<8).map { _ in UInt8.random(in: 0...255) }
    }

    /// The public key that verifies this signer's signatures.
    public var publicKey: MinisignPublicKey {
        // The base64 of a freshly made key always parses.
        try! MinisignPublicKey(base64: Data(Array("Ed".utf8) + keyID + Array(privateKey.publicKey.rawRepresentation)).base64EncodedString())
    }

    /// The contents of a `.minisig` file for the file at `path`, with `trustedComment`.
    public func signature(forFileAt path: String, trustedComment: String) throws(VerificationError) -> Data {
        var hasher = BLAKE2b()
        try ChunkedFileReader.forEachChunk(ofFileAt: path) { hasher.update($0) }
        let prehash = hasher.finalize()
        do {
            let signature = Array(try privateKey.signature(for: prehash))
            let global = Array(try privateKey.signature(for: signature + Array(trustedComment.utf8)))
            let line = Data(Array("ED".utf8) + keyID + signature).base64EncodedString()
            let text = "untrusted comment: signature from swift-ota secret key\n\(line)\ntrusted comment: \(trustedComment)\n\(Data(global).base64EncodedString())\n"
            return Data(text.utf8)
        } catch {
            throw VerificationError(.invalidSignature, "signing \(path) failed: \(error)")
        }
    }
}
