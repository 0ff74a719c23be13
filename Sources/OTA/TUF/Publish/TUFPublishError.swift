/// Why `ota publish` refused to change (or to vouch for) a TUF repository.
///
/// Every refusal leaves the repository as it was: nothing is written before every input was checked.
public struct TUFPublishError: OTAError, Equatable {
    /// What failed, to switch on.
    public enum Code: Sendable, Hashable {
        /// A command-line value is invalid (version, percent, duration, role, threshold, product, platform).
        case invalidInput
        /// An archive to publish does not exist or cannot be read.
        case missingArchive
        /// The repository folder is not an `ota publish` repository, or one already exists where `init` was asked.
        case repository
        /// The release (version, or version and platform) is already published, or not published.
        case release
        /// The keys folder is unsafe (inside the repository, readable by others) or lacks a key needed to sign.
        case keys
        /// The repository's metadata or targets fail the client workflow (`verify`).
        case verification
        /// Reading or writing a file failed.
        case io
    }

    /// What failed.
    public let code: Code
    /// One sentence naming what failed and what to do.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
