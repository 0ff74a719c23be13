import Foundation
import OTA

/// minisign parsing and verification against a real key pair made by `minisign -G`.
///
/// The first input byte chooses what the rest is: 0 a signature file, 1 a public key file, 2 the
/// signed message. Invariant: verification succeeds only for the exact signature, key and message
/// that minisign made — never for a mutated one (the parsed fields are compared, so re-encodings
/// of the same bytes, like a changed untrusted comment, may pass).
enum MinisignHarness {
    static let message = Data("swift-ota fuzz message\n".utf8)
    static let publicKeyFile = """
        untrusted comment: minisign public key 416EAA0055A0D5AC
        RWSs1aBVAKpuQXe0lImMv/M8lIyGtLU508n9KFgRnpwlNTpGaWZgdcnm

        """
    /// `minisign -S` (prehashed) and `minisign -S -l` (legacy) over ``message``.
    static let signatureFiles = [
        """
        untrusted comment: signature from minisign secret key
        RUSs1aBVAKpuQZ/n1ftL0dyfe5jGBI1K8xxV3TbayBuRqEeodCV7dJqHaw3HWvJWyx1C/mlVumYm4cbfpp9VNWuU8cKDXXl0EgM=
        trusted comment: timestamp:1700000000 file:message.txt
        QGStSE43zq4iPPp77+yC4XG2eOEY1y4sNu0F6B9ePY+t8HPJav/TfFQIcUce9zClYxWq+hFN0Mxy7f91aNyRBQ==

        """,
        """
        untrusted comment: signature from minisign secret key
        RWSs1aBVAKpuQQ6JjwLCLZmwGFBLSidHgWffrJSmfKLRGKahQt6sNGHt1tMi2GwQBdz7Lrgl600nIiZ9tSwtWPy6rj1WVmFvDQE=
        trusted comment: legacy
        TQ2kl56xdGcr8CivlDfeBR/BLn4UOriYmK5pAbOFBf9fgdTYgxaUIzqfUhfXg5vu0rqScbLszyZFEiM53uwrDg==

        """,
    ]

    /// The seed inputs: each original file behind its mode byte.
    static var seeds: [[UInt8]] {
        signatureFiles.map { [0] + Array($0.utf8) } + [[1] + Array(publicKeyFile.utf8), [2] + Array(message)]
    }

    static func run(_ input: [UInt8]) -> FuzzResult {
        guard let mode = input.first else { return FuzzResult(accepted: false) }
        let payload = Data(input.dropFirst())
        guard let key = try? MinisignPublicKey(fileContents: publicKeyFile),
              let originals = try? signatureFiles.map({ text throws(VerificationError) in
                  try MinisignSignature(contents: Data(text.utf8), fileName: "message.txt.minisig")
              }) else {
            return FuzzResult(accepted: false, violations: ["the real minisign key or signatures no longer parse"])
        }
        switch mode % 3 {
        case 0:
            guard let signature = try? MinisignSignature(contents: payload, fileName: "fuzz.minisig") else { return FuzzResult(accepted: false) }
            guard (try? key.verify(signature, data: message, dataName: "message.txt", signatureName: "fuzz.minisig")) != nil else { return FuzzResult(accepted: false) }
            let same = originals.contains {
                $0.algorithm == signature.algorithm && $0.keyID == signature.keyID && $0.signature == signature.signature
                    && $0.trustedComment == signature.trustedComment && $0.globalSignature == signature.globalSignature
            }
            return FuzzResult(accepted: true, violations: same ? [] : ["a mutated signature verified: \(signature)"])
        case 1:
            guard let text = String(data: payload, encoding: .utf8),
                  let candidate = try? MinisignPublicKey(fileContents: text) else { return FuzzResult(accepted: false) }
            let accepted = originals.contains {
                (try? candidate.verify($0, data: message, dataName: "message.txt", signatureName: "original.minisig")) != nil
            }
            return FuzzResult(accepted: accepted, violations: accepted && candidate != key ? ["a different public key verified the original signature: \(candidate)"] : [])
        default:
            let accepted = originals.contains {
                (try? key.verify($0, data: payload, dataName: "fuzz.txt", signatureName: "original.minisig")) != nil
            }
            return FuzzResult(accepted: accepted, violations: accepted && payload != message ? ["the signature verified a different message of \(payload.count) bytes"] : [])
        }
    }
}
