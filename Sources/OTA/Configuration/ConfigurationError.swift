/// A problem with the configuration file, its `.env` file or a value in it. The message names the key.
public struct ConfigurationError: OTAError, Equatable {
    public enum Code: Sendable, Hashable {
        /// The configuration file does not exist.
        case fileNotFound
        /// The file exists but cannot be read, or is not UTF-8.
        case unreadableFile
        /// The YAML (or `.env`) syntax is broken.
        case syntax
        /// A required key is missing.
        case missingKey
        /// A key is not one swift-ota knows.
        case unknownKey
        /// A value has the wrong type (text for a number, a list for a string, …).
        case wrongType
        /// A value has the right type but is outside its allowed range or form.
        case invalidValue
        /// `${VAR}` names a variable that is not set and has no `:-default`.
        case unsetVariable
        /// The configuration file, its `.env` or `public_key_file` could be changed by another user.
        case untrustedFile
    }

    public let code: Code
    /// The configuration key concerned, when there is one.
    public let key: String?
    public let message: String

    public init(_ code: Code, key: String? = nil, _ message: String) {
        self.code = code
        self.key = key
        self.message = message
    }
}
