/// An error while backing up, installing, rolling back or recovering an installation.
///
/// The installation is left as it was (or rolled back to it) whenever one of these is thrown
/// from ``Installer/install(_:)``; ``underlying`` keeps the system error when there is one.
public struct InstallationError: OTAError {
    public enum Code: Sendable, Hashable {
        /// The staged tree is unusable (missing, on another filesystem, bad managed path).
        case invalidStagedTree
        /// A configured path (managed or preserved) is absolute or leaves the installation.
        case invalidPath
        /// Writing the backup failed; nothing was changed.
        case backupFailed
        /// A backup does not match its `backup.json` (or has none).
        case corruptBackup
        /// The named backup does not exist.
        case backupNotFound
        /// A journaled step failed; the transaction was rolled back.
        case stepFailed
        /// Undoing a step failed; recovery must be run again.
        case rollbackFailed
        /// The journal cannot be read or written.
        case journalFailed
        /// The transaction given is not the one in progress.
        case noTransaction
        /// The installed version cannot be read.
        case versionUnreadable
    }

    public let code: Code
    public let message: String
    /// The system error behind this one, if any.
    public let underlying: SystemError?

    public init(_ code: Code, _ message: String, underlying: SystemError? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }
}
