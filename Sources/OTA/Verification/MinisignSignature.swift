import Foundation

/// A parsed minisign signature file (`<file>.minisig`).
///
/// Its four lines are: `untrusted comment: …`; base64 of 74 bytes — the algorithm (`ED` prehashed
/// or `Ed` legacy), the signer's 8-byte key id and the 64-byte Ed25519 signature; `trusted comment: …`;
/// base64 of the 64-byte *global* signature over the signature bytes followed by the trusted comment.
/// Parsing checks only the shape; ``MinisignPublicKey/verify(_:fileAt:signatureName:)`` checks the signatures.
public struct MinisignSignature: Sendable, Equatable {
    /// What the signature signs.
    public enum Algorithm: Sendable, Equatable {
        /// `ED`: the BLAKE2b-512 hash of the file (minisign's default since 0.10).
        case prehashed
        /// `Ed`: the file itself (`minisign -S -l`); checking it needs the whole file in memory.
        case legacy
    }

    /// The signature's algorithm.
    public let algorithm: Algorithm
    /// The 8-byte id of the key that made it.
    public let keyID: [UInt8]
    /// The 64-byte Ed25519 signature over the file (or its hash).
    public let signature: [UInt8]
    /// The text after `untrusted comment: ` (not covered by any signature).
    public let untrustedComment: String
    /// The text after `trusted comment: ` (covered by ``globalSignature``).
    public let trustedComment: String
    /// The 64-byte Ed25519 signature over ``signature`` ‖ ``trustedComment``.
    public let globalSignature: [UInt8]

    /// The signer's key id as minisign prints it.
    public var keyIDString: String { MinisignPublicKey.display(keyID: keyID) }

    /// Parses the bytes of a `.minisig` file; `fileName` names it in errors.
    public init(contents: Data, fileName: String) throws(VerificationError) {
        func malformed(_ problem: String) -> VerificationError {
            VerificationError(.malformedSignature, "The signature \(fileName) is malformed: \(problem); it should be the four lines written by minisign -S.")
        }
        guard var lines = TextLines.split(contents) else { throw malformed("it is not UTF-8 text") }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard lines.count == 4 else { throw malformed("it has \(lines.count) lines instead of 4") }

        let untrustedPrefix = "untrusted comment: ", trustedPrefix = "trusted comment: "
        guard lines[0].hasPrefix(untrustedPrefix) else { throw malformed("line 1 does not start with '\(untrustedPrefix)'") }
        guard let signatureLine = Data(base64Encoded: lines[1]) else { throw malformed("line 2 is not valid base64") }
        guard signatureLine.count == 74 else { throw malformed("line 2 decodes to \(signatureLine.count) bytes instead of 74") }
        guard lines[2].hasPrefix(trustedPrefix) else { throw malformed("line 3 does not start with '\(trustedPrefix)'") }
        guard let global = Data(base64Encoded: lines[3]) else { throw malformed("line 4 is not valid base64") }
        guard global.count == 64 else { throw malformed("line 4 decodes to \(global.count) bytes instead of 64") }

        let bytes = [UInt8](signatureLine)
        switch (bytes[0], bytes[1]) {
        case (UInt8(ascii: "E"), UInt8(ascii: "D")): algorithm = .prehashed
        case (UInt8(ascii: "E"), UInt8(ascii: "d")): algorithm = .legacy
        default:
            throw VerificationError(.unsupportedSignatureAlgorithm, "The signature \(fileName) uses algorithm bytes '\(MinisignPublicKey.printable(bytes[0..<2]))'; only minisign's 'ED' (prehashed) and 'Ed' (legacy) are supported.")
        }
        keyID = Array(bytes[2..<10])
        signature = Array(bytes[10..<74])
        untrustedComment = String(lines[0].dropFirst(untrustedPrefix.count))
        trustedComment = String(lines[2].dropFirst(trustedPrefix.count))
        globalSignature = [UInt8](global)
    }
}
