/// Why a downloaded artifact, a checksums file, a minisign key or a signature was refused.
///
/// Every failure of the verification phase has its own ``Code``; the ``message`` names the file or
/// asset concerned and says what to do. A refused artifact is never extracted.
public struct VerificationError: OTAError, Equatable {
    /// What failed, to switch on; grouped as size and hashes, minisign, input/output.
    public enum Code: Sendable, Hashable {
        // Size and hashes.
        /// The file's size differs from the asset's announced `size`.
        case sizeMismatch
        /// The file's SHA-256 differs from GitHub's `digest` for the asset.
        case digestMismatch
        /// GitHub's `digest` is not `<algorithm>:<hex>`, or a `sha256:` digest is not 64 hex digits.
        case malformedDigest
        /// The file's SHA-256 differs from its entry in the release's checksums file.
        case checksumsMismatch
        /// The release has a checksums file that does not list the artifact.
        case missingFromChecksums
        /// A line of the checksums file is not `<64 hex>  <name>` (the message gives the line number).
        case malformedChecksums
        /// The checksums file lists one name twice with different hashes.
        case conflictingChecksums

        // minisign keys and signatures.
        /// The public key is not base64 of 42 bytes, or its file has the wrong lines.
        case malformedPublicKey
        /// The public key's algorithm bytes are not `Ed`.
        case unsupportedKeyAlgorithm
        /// The `.minisig` file is not four lines of the right shape and lengths.
        case malformedSignature
        /// The signature's algorithm bytes are neither `ED` (prehashed) nor `Ed` (legacy).
        case unsupportedSignatureAlgorithm
        /// The signature was made with another key than the configured one.
        case keyIDMismatch
        /// The signature does not match the file: the file was changed, or signed by someone else.
        case invalidSignature
        /// The global signature does not cover the trusted comment: the comment was changed.
        case invalidTrustedCommentSignature
        /// A legacy (`Ed`) signature over a file too large to load into memory to check it.
        case legacySignatureFileTooLarge
        /// A public key is configured but the release has no signature for the artifact.
        case releaseNotSigned
        /// A checksums file has a valid signature but does not list the artifact.
        case signedChecksumsMissingArtifact
        /// A validly signed checksums file lists another SHA-256 for the artifact.
        case signedChecksumsMismatch
        /// The signature's trusted comment names another file (`file:NAME`): a signed file was
        /// relabelled under another name or version, or belongs to another product.
        case signedNameMismatch
        /// The signature's trusted comment names no file, so nothing binds it to the artifact's name.
        case signedNameMissing
        /// No public key is configured and `allow_unsigned` is not set, so nothing may be installed.
        case unsignedNotAllowed
        /// A secret key file is not in minisign's format.
        case malformedSecretKey
        /// A secret key file is protected by a password, which `ota sign` cannot use.
        case encryptedSecretKey

        // Input/output.
        /// A file to verify (artifact, key file) cannot be read.
        case unreadableFile
        /// `public_key_file` could be replaced by another user (its owner or mode, or a folder above it).
        case untrustedKeyFile
    }

    /// What failed.
    public let code: Code
    /// One sentence naming the file and saying what to do.
    public let message: String
    /// The system error behind ``Code/unreadableFile``, if any.
    public let underlying: SystemError?

    /// An error with its code, its sentence and, for I/O failures, the system error.
    public init(_ code: Code, _ message: String, underlying: SystemError? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }
}
