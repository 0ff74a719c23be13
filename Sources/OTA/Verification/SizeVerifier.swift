/// Checks that the artifact has exactly the size its release announces.
///
/// Both the size the downloader counted and the size of the file on disk must equal the asset's
/// `size`. The source tarball announces no size, so nothing is checked for it.
public struct SizeVerifier: Verifier {
    public init() {}

    public func verify(_ artifact: DownloadedArtifact, material: VerificationMaterial) throws(VerificationError) -> [VerificationCheck] {
        guard let expected = artifact.artifact.expectedSize else { return [] }
        let onDisk = try ChunkedFileReader.size(ofFileAt: artifact.path)
        for actual in [artifact.size, onDisk] where actual != expected {
            throw VerificationError(.sizeMismatch, "\(artifact.artifact.fileName) is \(actual) bytes but the release announces \(expected) bytes; the download is incomplete or altered, try again.")
        }
        return [.size(expected)]
    }
}
