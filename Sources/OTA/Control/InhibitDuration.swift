import Foundation

/// The `--for` of `ota inhibit`: `90s`, `15m`, `2h`, `1d`, or several of them together (`1h30m`).
public enum InhibitDuration {
    /// The longest inhibit `--for` accepts; a longer hold is an inhibit without `--for`.
    public static let maximumSeconds = 366 * 86_400

    /// The number of seconds `text` stands for.
    /// - Throws: ``InhibitError/Code/invalidDuration`` saying how to write one.
    public static func seconds(parsing text: String) throws(InhibitError) -> Int {
        func invalid(_ problem: String) -> InhibitError {
            InhibitError(.invalidDuration, "--for '\(text)' \(problem); write a duration such as 90s, 15m, 2h or 1d")
        }
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        var total = 0
        var digits = ""
        for character in text.trimmingCharacters(in: .whitespaces) {
            if character.isASCII && character.isNumber {
                digits.append(character)
            } else if let unit = units[character], !digits.isEmpty {
                guard digits.count <= 9, let number = Int(digits) else { throw invalid("is too long") }
                total += number * unit
                guard total <= maximumSeconds else { throw invalid("is longer than 366 days") }
                digits = ""
            } else {
                throw invalid("is not a duration")
            }
        }
        guard digits.isEmpty else { throw invalid("has a number without a unit (s, m, h or d)") }
        guard total > 0 else { throw invalid(text.trimmingCharacters(in: .whitespaces).isEmpty ? "is empty" : "is zero") }
        return total
    }
}
