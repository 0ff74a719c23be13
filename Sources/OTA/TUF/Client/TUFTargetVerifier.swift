import Crypto
import Foundation

/// Checks a downloaded target against the length and every hash its TUF targets role signs.
///
/// The SHA-256 is the one the downloader computed while writing the file; other algorithms
/// (`sha384`, `sha512`) are computed from the file on disk. A hash of an algorithm this client does not
/// compute refuses the file rather than being skipped.
public struct TUFTargetVerifier: Verifier {
    /// The target as signed.
    public let target: TUFTargetFile
    /// The role that signs it, for the log.
    public let role: String

    public init(target: TUFTargetFile, role: String) {
        self.target = target
        self.role = role
    }

    public func verify(_ artifact: DownloadedArtifact, material: VerificationMaterial) throws(VerificationError) -> [VerificationCheck] {
        let onDisk = try ChunkedFileReader.size(ofFileAt: artifact.path)
        for actual in [artifact.size, onDisk] where actual != target.length {
            throw VerificationError(.sizeMismatch, "The target \(target.path) is \(actual) bytes where the TUF role \(role) signs \(target.length) bytes: it was truncated, altered or replaced, so nothing was installed; try again, and report it to the repository's publisher if it persists.")
        }
        for (algorithm, expected) in target.hashes.sorted(by: { $0.key < $1.key }) {
            let actual = algorithm == "sha256" ? artifact.sha256 : try Self.digest(ofFileAt: artifact.path, algorithm: algorithm)
            guard let actual else {
                throw VerificationError(.unsupportedSignatureAlgorithm, "The target \(target.path) is signed with a \(algorithm) hash, which this client cannot check (it checks \(TUFFileInfo.supportedAlgorithms.sorted().joined(separator: ", "))), so nothing was installed; ask the repository's publisher to add a sha256 hash.")
            }
            guard actual == expected.lowercased() else {
                throw VerificationError(.digestMismatch, "The target \(target.path) has \(algorithm) \(actual) where the TUF role \(role) signs \(expected.lowercased()): it was altered or replaced, so nothing was installed; try again, and report it to the repository's publisher if it persists.")
            }
        }
        return [.size(target.length), .tufTarget(role: role, algorithms: target.hashes.keys.sorted())]
    }

    /// The `algorithm` digest of the file at `path`, read in chunks; `nil` for an algorithm not computed here.
    static func digest(ofFileAt path: String, algorithm: String) throws(VerificationError) -> String? {
        switch algorithm {
        case "sha384": try digest(ofFileAt: path, using: SHA384.self)
        case "sha512": try digest(ofFileAt: path, using: SHA512.self)
        default: nil
        }
    }

    private static func digest(ofFileAt path: String, using function: (some HashFunction).Type) throws(VerificationError) -> String {
        do {
            return try FileDigest.hex(ofFileAt: path, using: function)
        } catch {
            throw VerificationError(.unreadableFile, "cannot read \(path) to check its hash: \(error.message)")
        }
    }
}
