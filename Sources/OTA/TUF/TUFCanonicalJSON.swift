import Foundation

/// The canonical JSON that TUF signatures cover: securesystemslib's `encode_canonical` (the OLPC
/// dialect) — object keys sorted by code point, no whitespace, only `\` and `"` escaped (every other
/// character, control characters included, written as its UTF-8 bytes), integers only.
public enum TUFCanonicalJSON {
    /// The canonical UTF-8 bytes of `value`.
    public static func encode(_ value: TUFJSON) -> Data {
        Data(TUFJSONEncoder.encode(value, as: .canonical))
    }
}
