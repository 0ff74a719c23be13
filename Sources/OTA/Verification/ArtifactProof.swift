/// What a ``ReleaseSource`` knows that proves a download of an artifact: the checks to run and the
/// material they read (companion files, signed hashes). Only a download that passes it is extracted.
public struct ArtifactProof: Sendable {
    /// The checks, in order.
    public var verifier: ArtifactVerifier
    /// The companion files the checks read.
    public var material: VerificationMaterial
    /// Whether what is checked was signed by the publisher (for the log: "verified" or only "checked").
    public var isSigned: Bool

    /// - Parameters:
    ///   - verifier: the checks, in order.
    ///   - material: the companion files the checks read.
    ///   - isSigned: whether what is checked was signed; default: whether `verifier` checks a minisign signature.
    public init(verifier: ArtifactVerifier, material: VerificationMaterial, isSigned: Bool? = nil) {
        self.verifier = verifier
        self.material = material
        self.isSigned = isSigned ?? (verifier.publicKey != nil)
    }

    /// Runs every check on `downloaded`.
    public func verify(_ downloaded: DownloadedArtifact) throws(VerificationError) -> VerifiedArtifact {
        try verifier.verify(downloaded, material: material)
    }
}
