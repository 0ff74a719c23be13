/// An error about a version string or the `VERSION` file.
public struct VersionError: OTAError, Equatable {
    public enum Code: Sendable, Hashable {
        /// A string is not a valid semantic version.
        case invalidVersion
        /// The `VERSION` file holds something that is not a version.
        case invalidVersionFile
        /// The `VERSION` file exists but cannot be read.
        case unreadableVersionFile
        /// The `VERSION` file could not be written.
        case writeFailed
        /// A version part is too large for the `Int` the caller asked for.
        case outOfRange
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
