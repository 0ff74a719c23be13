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
            for (index, member) in members.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                appendString(member.key, to: &output)
                output.append(UInt8(ascii: ":"))
                append(member.value, to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static func appendString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: Array(#"\""#.utf8))
            case UInt8(ascii: "\\"): output.append(contentsOf: Array(#"\\"#.utf8))
            case 0x0A: output.append(contentsOf: Array(#"\n"#.utf8))
            case 0x0D: output.append(contentsOf: Array(#"\r"#.utf8))
            case 0x09: output.append(contentsOf: Array(#"\t"#.utf8))
            case 0..<0x20:
                output.append(contentsOf: Array(#"\u00"#.utf8))
                Hex.appendLowercase(byte, to: &output)
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
