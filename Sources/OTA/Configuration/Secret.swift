import COTASystem

/// A secret value (the GitHub token) that never shows itself.
///
/// `description`, `debugDescription`, `dump()` and string interpolation all print `<redacted>`;
/// only ``value`` gives the text, for the one place that must send it. Making one makes the process
/// non-dumpable for the rest of its life (no core dump, no `ptrace` or `/proc/PID/mem` for other
/// processes of the same user): freed memory may still hold the value.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The secret text. Read it only to put it on the wire.
    public let value: String

    public init(_ value: String) {
        self.value = value
        _ = Self.nonDumpable
    }

    /// Turns core dumps off once, on first use.
    private static let nonDumpable: Void = { _ = ota_set_dumpable(0) }()

    /// Whether the kernel would write a core dump of this process (`PR_GET_DUMPABLE`).
    static var processIsDumpable: Bool { ota_get_dumpable() != 0 }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    /// `text` with every occurrence of the secret replaced by `<redacted>` — for text that may quote
    /// it by accident, e.g. a value where `${GITHUB_TOKEN}` was substituted through a stray quote
    /// (found by the config fuzzer). Secrets shorter than 8 characters are left alone: replacing them
    /// would garble ordinary words without protecting anything real.
    public func redacting(in text: String) -> String {
        value.count >= 8 ? text.replacingOccurrences(of: value, with: "<redacted>") : text
    }
}
