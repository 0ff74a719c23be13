/// A problem with an inhibit: its duration, its id, or its record in `state_dir/inhibits`.
public struct InhibitError: OTAError, Equatable {
    public enum Code: Sendable, Hashable {
        /// `--for` is not a duration such as `90s`, `15m`, `2h` or `1d`.
        case invalidDuration
        /// `--release ID` names no active inhibit.
        case unknownInhibit
        /// The records in `state_dir/inhibits` cannot be read or written.
        case storeFailed
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
