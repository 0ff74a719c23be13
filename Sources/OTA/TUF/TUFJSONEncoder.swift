/// Writes a ``TUFJSON`` value as UTF-8 in one of the two forms TUF metadata needs.
enum TUFJSONEncoder {
    enum Dialect {
        /// securesystemslib's canonical form: keys sorted by code point, only `\` and `"` escaped.
        case canonical
        /// Standard JSON: members in their order, control characters escaped.
        case standard
    }

    static func encode(_ value: TUFJSON, as dialect: Dialect) -> [UInt8] {
        var output: [UInt8] = []
        append(value, as: dialect, to: &output)
        return output
    }

    private static func append(_ value: TUFJSON, as dialect: Dialect, to output: inout [UInt8]) {
        switch value {
        case .null: output.append(contentsOf: Array("null".utf8))
        case .bool(let flag): output.append(contentsOf: Array((flag ? "true" : "false").utf8))
        case .integer(let digits): output.append(contentsOf: Array(digits.utf8))
        case .string(let text): appendString(Array(text.utf8), as: dialect, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                append(element, as: dialect, to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            var keyed = members.map { (key: Array($0.key.utf8), value: $0.value) }
            // UTF-8 byte order is code point order, which is how Python sorts str keys.
            if dialect == .canonical { keyed.sort { $0.key.lexicographicallyPrecedes($1.key) } }
            for (index, member) in keyed.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                appendString(member.key, as: dialect, to: &output)
                output.append(UInt8(ascii: ":"))
                append(member.value, as: dialect, to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static func appendString(_ bytes: [UInt8], as dialect: Dialect, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in bytes {
            switch (byte, dialect) {
            case (UInt8(ascii: "\""), _), (UInt8(ascii: "\\"), _):
                output.append(UInt8(ascii: "\\"))
                output.append(byte)
            case (0x0A, .standard): output.append(contentsOf: Array(#"\n"#.utf8))
            case (0x0D, .standard): output.append(contentsOf: Array(#"\r"#.utf8))
            case (0x09, .standard): output.append(contentsOf: Array(#"\t"#.utf8))
            case (0..<0x20, .standard):
                output.append(contentsOf: Array(#"\u00"#.utf8))
                Hex.appendLowercase(byte, to: &output)
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
