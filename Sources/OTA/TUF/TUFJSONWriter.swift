import Foundation

/// Standard JSON text of a ``TUFJSON`` value, for writing metadata files.
///
/// Canonical JSON (``TUFCanonicalJSON``) is what signatures cover, but it is not always valid JSON:
/// it writes control characters, such as the newlines of a PEM key, unescaped, which strict parsers
/// (this client's, Python's) refuse. Files are written with this instead: members in their order,
/// control characters escaped, no whitespace.
public enum TUFJSONWriter {
    /// The JSON text of `value` as UTF-8.
    public static func data(_ value: TUFJSON) -> Data {
        Data(TUFJSONEncoder.encode(value, as: .standard))
    }
}
