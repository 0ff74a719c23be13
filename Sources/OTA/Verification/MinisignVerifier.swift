import Foundation

/// Requires a valid minisign signature by the configured key (`public_key`).
///
/// Accepted, in this order:
/// 1. `<artifact>.minisig` over the artifact itself (either format);
/// 2. `<checksums file>.minisig` over the release's checksums file, which must then list the
///    artifact with its SHA-256.
///
/// If `<artifact>.minisig` is present but invalid, the release is refused (no fallback to 2).
/// With neither, the release is refused as not signed. Both the file signature and the global
/// signature over the trusted comment must verify, and the trusted comment must name the signed
/// file (`file:<name>`, as minisign writes it): the artifact's own name in 1, the checksums file's in 2.
/// A signed file copied into another release under a new name is thereby refused.
public struct MinisignVerifier: Verifier {
    /// The key signatures must be made with.
    public var publicKey: MinisignPublicKey

    /// Requires signatures by `publicKey`.
    public init(publicKey: MinisignPublicKey) {
        self.publicKey = publicKey
    }

    public func verify(_ artifact: DownloadedArtifact, material: VerificationMaterial) throws(VerificationError) -> [VerificationCheck] {
        let name = artifact.artifact.fileName
        let directName = name + ".minisig"
        if let contents = material.signatures[directName] {
            let signature = try MinisignSignature(contents: contents, fileName: directName)
            try publicKey.verify(signature, fileAt: artifact.path, signatureName: directName)
            try signature.requireSigned(name, signatureName: directName)
            return [check(signature, directName)]
        }
        if let sumsFile = material.checksumsFile, let contents = material.signatures[sumsFile.name + ".minisig"] {
            let signatureName = sumsFile.name + ".minisig"
            let signature = try MinisignSignature(contents: contents, fileName: signatureName)
            try publicKey.verify(signature, data: sumsFile.contents, dataName: sumsFile.name, signatureName: signatureName)
            try signature.requireSigned(sumsFile.name, signatureName: signatureName)
            let sums = try ChecksumsFile(contents: sumsFile.contents, fileName: sumsFile.name)
            guard let expected = sums.sha256(for: name) else {
                throw VerificationError(.signedChecksumsMissingArtifact, "The signed checksums file \(sumsFile.name) does not list \(name), so nothing signed vouches for it; ask the publisher to sign \(name) or list it.")
            }
            guard expected == artifact.sha256.lowercased() else {
                throw VerificationError(.signedChecksumsMismatch, "The SHA-256 of \(name) is \(artifact.sha256) but the signed \(sumsFile.name) lists \(expected); the file is corrupt or altered and must not be installed.")
            }
            return [check(signature, signatureName)]
        }
        let sumsHint = material.checksumsFile.map { " or \($0.name).minisig" } ?? ""
        throw VerificationError(.releaseNotSigned, "Release \(artifact.artifact.release.tag) is not signed: it has no \(directName)\(sumsHint), but a public key (\(publicKey.keyIDString)) is configured; ask the publisher to sign it with minisign, or remove public_key to accept unsigned releases.")
    }

    private func check(_ signature: MinisignSignature, _ signatureName: String) -> VerificationCheck {
        .minisign(keyID: publicKey.keyIDString, signatureName: signatureName, trustedComment: signature.trustedComment)
    }
}
