/// Checks the artifact's SHA-256 against its entry in the release's checksums file.
///
/// When the release has a checksums file, the artifact must be listed in it with the same SHA-256;
/// an artifact missing from it is refused. Without a checksums file nothing is checked. GitHub's
/// generated source tarball is not a release asset (and its bytes are not stable), so it is skipped.
public struct ChecksumsFileVerifier: Verifier {
    public init() {}

    public func verify(_ artifact: DownloadedArtifact, material: VerificationMaterial) throws(VerificationError) -> [VerificationCheck] {
        guard let file = material.checksumsFile else { return [] }
        guard case .asset = artifact.artifact.kind else {
            return [.skipped("\(file.name) does not apply to the generated source tarball")]
        }
        let sums = try ChecksumsFile(contents: file.contents, fileName: file.name)
        let name = artifact.artifact.fileName
        guard let expected = sums.sha256(for: name) else {
            throw VerificationError(.missingFromChecksums, "The release's checksums file \(file.name) does not list \(name); the release is incomplete, ask its publisher to add it.")
        }
        guard expected == artifact.sha256.lowercased() else {
            throw VerificationError(.checksumsMismatch, "The SHA-256 of \(name) is \(artifact.sha256) but \(file.name) lists \(expected); the download is corrupt or altered, try again.")
        }
        return [.checksumsFile(file.name)]
    }
}
