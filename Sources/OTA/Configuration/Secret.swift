/// A secret value (the GitHub token) that never shows itself.
///
/// `description`, `debugDescription`, `dump()` and string interpolation all print `<redacted>`;
/// only ``value`` gives the text, for the one place that must send it.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The secret text. Read it only to put it on the wire.
    public let value: String

    public init(_ value: String) { self.value = value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
