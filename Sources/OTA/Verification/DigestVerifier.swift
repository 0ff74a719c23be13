/// Checks the artifact's SHA-256 against GitHub's `digest` field for the asset (`sha256:<hex>`).
///
/// - Important: a digest with another algorithm (`sha512:…`) is **skipped**, recorded as a
///   ``VerificationCheck/skipped(_:)`` check, rather than refused: GitHub only publishes SHA-256
///   today, and failing every update if that ever changed would be worse than relying on the other
///   checks (checksums file, signature), which still apply. A `sha256:` digest that is not 64 hex
///   digits, or a digest without an algorithm, is refused as malformed.
public struct DigestVerifier: Verifier {
    public init() {}

    public func verify(_ artifact: DownloadedArtifact, material: VerificationMaterial) throws(VerificationError) -> [VerificationCheck] {
        guard case .asset(let asset) = artifact.artifact.kind, let digest = asset.digest else { return [] }
        let name = artifact.artifact.fileName
        guard let colon = digest.firstIndex(of: ":"), colon != digest.startIndex else {
            throw VerificationError(.malformedDigest, "GitHub's digest for \(name) is '\(digest)', not '<algorithm>:<hex>'; the release data is damaged, try again later.")
        }
        let algorithm = digest[..<colon].lowercased()
        let value = digest[digest.index(after: colon)...]
        guard algorithm == "sha256" else {
            return [.skipped("GitHub digest uses \(algorithm), only sha256 is supported")]
        }
        guard Hex.isHex(value, count: 64) else {
            throw VerificationError(.malformedDigest, "GitHub's sha256 digest for \(name) is not 64 hex digits; the release data is damaged, try again later.")
        }
        guard value.lowercased() == artifact.sha256.lowercased() else {
            throw VerificationError(.digestMismatch, "The SHA-256 of \(name) is \(artifact.sha256) but GitHub's digest says \(value.lowercased()); the download is corrupt or altered, try again.")
        }
        return [.githubDigest]
    }
}
