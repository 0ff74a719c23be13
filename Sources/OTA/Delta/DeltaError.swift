/// Why a delta update was refused or could not be completed.
///
/// ``Code/refusedIndex`` ends the update (a signed index that breaks the archive safety rules is a hostile
/// release, like a hostile archive); every other code makes the update fall back to the full archive.
public struct DeltaError: OTAError, Equatable {
    public enum Code: String, Sendable, CaseIterable {
        /// The verified index breaks the archive safety policy or its format: nothing is installed.
        case refusedIndex
        /// The index could not be fetched or failed its signed length and hashes.
        case indexUnavailable
        /// An object could not be fetched, or its content is not what the index says.
        case objectUnavailable
        /// The staged tree differs from the index, or a local file could not be used.
        case stagingFailed
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Whether the update falls back to the full archive after this error.
    public var fallsBack: Bool { code != .refusedIndex }
}
