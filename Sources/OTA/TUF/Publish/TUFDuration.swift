import Foundation

/// Durations written as `365d`, `12h`, `30m`, `45s`, `2w` or combinations such as `1d12h`.
public enum TUFDuration {
    private static let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]

    /// The number of seconds `text` stands for; `nil` when it is not a positive duration of that form.
    public static func seconds(_ text: String) -> Int? {
        var total = 0, number: Int?
        for character in text {
            if let digit = character.wholeNumberValue, character.isASCII {
                let (scaled, overflow) = (number ?? 0).multipliedReportingOverflow(by: 10)
                guard !overflow, scaled <= Int(Int32.max) else { return nil }
                number = scaled + digit
            } else if let unit = units[character], let value = number {
                total += value * unit
                guard total <= 100 * 366 * 86_400 else { return nil }
                number = nil
            } else {
                return nil
            }
        }
        return number == nil && total > 0 ? total : nil
    }

    /// `seconds` written back in the largest exact unit (`90d`, `36h`, `45s`).
    public static func text(_ seconds: Int) -> String {
        for (unit, size) in [("w", 604_800), ("d", 86_400), ("h", 3600), ("m", 60)] where seconds % size == 0 {
            return "\(seconds / size)\(unit)"
        }
        return "\(seconds)s"
    }
}
