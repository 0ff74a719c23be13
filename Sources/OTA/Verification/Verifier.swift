/// One kind of check on a downloaded artifact (size, digest, checksums file, signature, …).
///
/// A verifier either throws a ``VerificationError`` or returns what it checked — an empty list when
/// the release offers nothing for it to check (no digest, no checksums file). ``ArtifactVerifier``
/// runs a list of them; new kinds of checks are new conformances.
///
/// ```swift
/// struct MaximumSizeVerifier: Verifier {
///     func verify(_ artifact: DownloadedArtifact, material: VerificationMaterial) throws(VerificationError) -> [VerificationCheck] {
///         guard artifact.size <= 100_000_000 else { throw VerificationError(.sizeMismatch, "…") }
///         return [.size(artifact.size)]
///     }
/// }
/// ```
public protocol Verifier: Sendable {
    /// Checks `artifact` using the release's companion files; returns what was checked.
    func verify(_ artifact: DownloadedArtifact, material: VerificationMaterial) throws(VerificationError) -> [VerificationCheck]
}

/// One check that an artifact passed (or that could not be made), for logs and `ota status`.
public enum VerificationCheck: Sendable, Equatable, CustomStringConvertible {
    /// The size equals the asset's announced size.
    case size(Int)
    /// The SHA-256 equals GitHub's `digest`.
    case githubDigest
    /// The SHA-256 equals the entry in the named checksums file.
    case checksumsFile(String)
    /// A valid minisign signature by `keyID`, in the file `signatureName`, over the artifact or a
    /// checksums file listing it, with its trusted comment.
    case minisign(keyID: String, signatureName: String, trustedComment: String)
    /// The hashes (by algorithm name) that the TUF targets role `role` signs for the artifact.
    case tufTarget(role: String, algorithms: [String])
    /// Something the release offers that was deliberately not checked, and why.
    case skipped(String)

    public var description: String {
        switch self {
        case .size(let bytes): "size (\(bytes) bytes)"
        case .githubDigest: "sha256 (GitHub digest)"
        case .checksumsFile(let name): "sha256 (\(name))"
        case .minisign(let keyID, let signatureName, let trustedComment):
            "minisign (key \(keyID), \(signatureName), trusted comment: \(trustedComment))"
        case .tufTarget(let role, let algorithms): "\(algorithms.joined(separator: ", ")) (signed by TUF role \(role))"
        case .skipped(let reason): "not checked: \(reason)"
        }
    }
}
