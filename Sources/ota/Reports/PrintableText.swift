/// Text from a release server made safe to print: control characters shown as escapes.
///
/// A release's name or notes could otherwise hold terminal escape sequences (ESC `[`…) that move the
/// cursor, recolour or rewrite what `ota check` printed before them. C0 controls, DEL, C1 controls and
/// the Unicode direction overrides become `\u{1B}`-style escapes; everything else is kept.
enum PrintableText {
    /// `text` with every control character escaped (line breaks too: the result is one line).
    static func escaped(_ text: some StringProtocol) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x202A...0x202E, 0x2066...0x2069: true  // bidirectional overrides and isolates
        default: false
        }
    }
}
