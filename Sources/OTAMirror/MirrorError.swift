import OTA

/// A problem that stops the mirror from starting or from reading its release directory.
///
/// Request-level problems (unknown release, bad token, …) are not errors of this type: they are
/// answered to the client as GitHub-shaped JSON errors and never stop the server.
public struct MirrorError: OTAError, Equatable {
    public enum Code: Sendable, Hashable {
        /// The root directory does not exist or is not a directory.
        case rootNotFound
        /// A `release.json` file is not valid JSON of the documented shape.
        case invalidReleaseMetadata
        /// A file could not be read while hashing it.
        case unreadableFile
        /// The server could not listen on the configured address (port in use, no permission, …).
        case cannotListen
        /// The configuration is inconsistent (bad path prefix, public base URL, …).
        case invalidConfiguration
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
