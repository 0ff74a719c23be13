/// Why TUF metadata or a target was refused.
///
/// Every rule of the client workflow has its own ``Code``; the ``message`` names the role (or the
/// target) and says what to do. A refused file never changes the trusted metadata.
public struct TUFError: OTAError, Equatable {
    /// What failed, to switch on.
    public enum Code: Sendable, Hashable {
        // Reading the file.
        /// The bytes are not JSON (or not UTF-8, or nested too deeply).
        case malformedJSON
        /// The JSON is not metadata of the expected shape: a field is missing, of the wrong type or out of range.
        case malformedMetadata
        /// `signed._type` is another role type than the one expected.
        case wrongType
        /// `signed.spec_version` is not a 1.x version of the TUF specification.
        case unsupportedSpecVersion
        /// The file is larger than the limit for its role.
        case tooLarge
        /// A public key of a supported type whose value cannot be read (bad hex, bad PEM, wrong curve).
        case malformedKey

        // Signatures and trust.
        /// Fewer valid signatures by distinct keys of the role than its threshold.
        case thresholdNotMet
        /// The delegator does not delegate the role (or the role is not a top-level role of root).
        case notDelegated

        // Versions and freshness.
        /// A version other than the one required (root N+1; snapshot or targets as listed by the role above).
        case unexpectedVersion
        /// A version lower than the trusted one: a rollback attack, or a repository restored from an old copy.
        case rolledBack
        /// A role listed by the trusted snapshot is missing from the new one.
        case roleRemoved
        /// The metadata expired before the reference time.
        case expired
        /// More root rotations in one refresh than the limit.
        case tooManyRootRotations

        // Hashes and lengths.
        /// The file's length differs from the signed length.
        case lengthMismatch
        /// The file's hash differs from the signed hash.
        case hashMismatch
        /// A signed hash uses an algorithm this client does not compute.
        case unsupportedHashAlgorithm
        /// The trusted snapshot does not list the role's metadata file.
        case missingFromSnapshot
        /// A role already trusted in this refresh arrived again with other content for the same version.
        case conflictingMetadata

        // Use of the trust set.
        /// A step of the workflow out of order (e.g. a snapshot before a timestamp).
        case outOfOrder
        /// A stored copy was dropped because the root rotated the keys of its role (fast-forward attack recovery).
        case keysRotated
    }

    /// What failed.
    public let code: Code
    /// One sentence naming the role or target and saying what to do.
    public let message: String

    /// An error with its code and its sentence.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
