import Foundation

/// A rollout percentage as people read it: `25 %`, `12.5 %`, `0.01 %`.
public enum RolloutPercent {
    /// `percent` with at most two decimals and no trailing zeros, and a `%` sign.
    public static func text(_ percent: Double) -> String {
        let rounded = (percent * 100).rounded() / 100
        var text = String(format: "%.2f", rounded)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text + " %"
    }
}
