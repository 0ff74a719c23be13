import Foundation

/// The canonical JSON that TUF signatures cover: securesystemslib's `encode_canonical` (the OLPC
/// dialect) — object keys sorted by code point, no whitespace, only `\` and `"` escaped (every other
/// character, control characters included, written as its UTF-8 bytes), integers only.
public enum TUFCanonicalJSON {
    /// The canonical UTF-8 bytes of `value`.
    public static func encode(_ value: TUFJSON) -> Data {
        var output: [UInt8] = []
        append(value, to: &output)
        return Data(output)
    }

    private static func append(_ value: TUFJSON, to output: inout [UInt8]) {
        switch value {
        case .null: output.append(contentsOf: Array("null".utf8))
        case .bool(let flag): output.append(contentsOf: Array((flag ? "true" : "false").utf8))
        case .integer(let digits): output.append(contentsOf: Array(digits.utf8))
        case .string(let text): appendString(text, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                append(element, to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            // UTF-8 byte order is code point order, which is how Python sorts str keys.
            let sorted = members.map { (key: Array($0.key.utf8), value: $0.value) }
                .sorted { $0.key.lexicographicallyPrecedes($1.key) }
            for (index, member) in sorted.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                appendString(bytes: member.key, to: &output)
                output.append(UInt8(ascii: ":"))
                append(member.value, to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static func appendString(_ text: String, to output: inout [UInt8]) {
        appendString(bytes: Array(text.utf8), to: &output)
    }

    private static func appendString(bytes: [UInt8], to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in bytes {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { output.append(UInt8(ascii: "\\")) }
            output.append(byte)
        }
        output.append(UInt8(ascii: "\""))
    }
}
