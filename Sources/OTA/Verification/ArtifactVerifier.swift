import Foundation

/// Verification of a downloaded artifact (size, SHA-256, checksums file, signature), before anything is extracted.
///
/// The standard chain, in order: ``SizeVerifier`` (size = the asset's `size`), ``DigestVerifier``
/// (SHA-256 = GitHub's `digest` when present), ``ChecksumsFileVerifier`` (SHA-256 = the entry in the
/// release's `SHA256SUMS` / `checksums.txt` when it has one) and, when a public key is configured,
/// ``MinisignVerifier`` (a valid signature is required). The first failure stops verification.
///
/// ```swift
/// let verifier = try ArtifactVerifier(configuration: config)
/// let companions = verifier.companionAssets(for: artifact)    // fetch these next to the artifact (``ReleaseAssets`` does)
/// let verified = try verifier.verify(downloaded, material: VerificationMaterial(artifact: artifact, fetched: fetched))
/// logger.info("verified", metadata: ["ota.checks": "\(verified.checks)"])
/// ```
///
/// - Important: the SHA-256 checks compare ``DownloadedArtifact/sha256``, computed by the downloader
///   while it wrote the file; signatures are checked against the file on disk.
///
/// - Important: a generated source tarball with no checksums file and no key passes with no checks
///   at all (GitHub announces neither its size nor its digest); ``VerifiedArtifact/checks`` is then
///   empty, which callers may want to log.
public struct ArtifactVerifier: Sendable {
    /// The configured minisign key, if any.
    public let publicKey: MinisignPublicKey?
    /// The checks run, in order.
    public let verifiers: [any Verifier]

    /// The standard chain (size, digest, checksums file, signature); with `publicKey`, releases must be signed by it.
    public init(publicKey: MinisignPublicKey? = nil) {
        self.publicKey = publicKey
        var verifiers: [any Verifier] = [SizeVerifier(), DigestVerifier(), ChecksumsFileVerifier()]
        if let publicKey { verifiers.append(MinisignVerifier(publicKey: publicKey)) }
        self.verifiers = verifiers
    }

    /// A custom chain; `publicKey` only decides whether signatures are fetched by ``companionAssets(for:)``.
    public init(verifiers: [any Verifier], publicKey: MinisignPublicKey? = nil) {
        self.publicKey = publicKey
        self.verifiers = verifiers
    }

    /// The standard chain with the key of `public_key` or `public_key_file` (relative to `installDirectory`), if either is set.
    public init(source: OTAConfiguration.Source, installDirectory: String) throws(VerificationError) {
        try self.init(publicKey: source.publicKey, publicKeyFile: source.publicKeyFilePath(in: installDirectory))
    }

    /// The standard chain with the key given in base64 or, else, in a minisign `.pub` file, if either is given.
    /// - Throws: ``VerificationError`` when the key is malformed, or the file cannot be read or trusted.
    public init(publicKey base64: String?, publicKeyFile path: String?) throws(VerificationError) {
        if let base64 {
            try self.init(publicKey: MinisignPublicKey(base64: base64))
        } else if let path {
            do {
                try PathTrust.checkFile(path)
            } catch {
                throw VerificationError(.untrustedKeyFile, "public_key_file \(path) cannot be trusted: \(error.path) \(error.reason)")
            }
            try self.init(publicKey: MinisignPublicKey(fromFile: path))
        } else {
            self.init(publicKey: nil)
        }
    }

    /// The companion assets to fetch for `artifact`: its release's checksums file, and its signatures
    /// when a key is configured. See ``VerificationMaterial/companionAssets(for:includingSignatures:)``.
    public func companionAssets(for artifact: Artifact) -> [ReleaseAsset] {
        VerificationMaterial.companionAssets(for: artifact, includingSignatures: publicKey != nil)
    }

    /// Runs every check on `downloaded`; returns it as verified with the list of checks made.
    public func verify(_ downloaded: DownloadedArtifact, material: VerificationMaterial) throws(VerificationError) -> VerifiedArtifact {
        var checks: [VerificationCheck] = []
        for verifier in verifiers {
            checks += try verifier.verify(downloaded, material: material)
        }
        return VerifiedArtifact(downloaded: downloaded, checks: checks.map(\.description))
    }
}
