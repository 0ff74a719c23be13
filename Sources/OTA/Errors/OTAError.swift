/// What every swift-ota error offers: a sentence a user can act on.
///
/// Each area has one concrete error type (``VersionError``, ``ConfigurationError``, …): a struct
/// wrapping a `code` to switch on, the message, and the underlying error when there is one.
/// The CLI prints ``message`` after `error: ` and exits 1 for any of them.
public protocol OTAError: Error, CustomStringConvertible, Sendable {
    /// One sentence: what failed and what to do about it.
    var message: String { get }
}

extension OTAError {
    public var description: String { message }
}
