/// An error about the state directory: its trust, the update lock, `state.json` or the update log.
public struct StateError: OTAError {
    public enum Code: Sendable, Hashable {
        /// Another process holds the update lock.
        case locked
        /// The lock file cannot be created or locked.
        case lockFailed
        /// `state.json` cannot be read or written.
        case stateFailed
        /// The update log cannot be written.
        case logFailed
        /// `state_dir` or `backup_path` could be changed by another local user (owner, mode or a symlink).
        case untrusted
    }

    public let code: Code
    public let message: String
    /// The pid of the process holding the lock, for ``Code/locked``.
    public let holderPID: Int32?
    /// The system error behind this one, if any.
    public let underlying: SystemError?

    public init(_ code: Code, _ message: String, holderPID: Int32? = nil, underlying: SystemError? = nil) {
        self.code = code
        self.message = message
        self.holderPID = holderPID
        self.underlying = underlying
    }
}
