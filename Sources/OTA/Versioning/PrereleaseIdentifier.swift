/// One dot-separated identifier of a SemVer pre-release, such as `alpha` or `11` in `1.0.0-alpha.11`.
///
/// Precedence (semver.org item 11): numeric identifiers compare as numbers, alphanumeric ones
/// in ASCII order, and a numeric identifier always has lower precedence than an alphanumeric one.
public enum PrereleaseIdentifier: Sendable, Hashable, Comparable, CustomStringConvertible {
    case numeric(NumericIdentifier)
    case alphanumeric(String)

    /// Parses one identifier: non-empty ASCII `[0-9A-Za-z-]`, numeric ones without leading zeros.
    public init?(_ text: Substring) {
        guard !text.isEmpty, text.utf8.allSatisfy(SemanticVersion.isIdentifierByte) else { return nil }
        if text.utf8.allSatisfy(NumericIdentifier.isDigit) {
            guard let number = NumericIdentifier(text) else { return nil }
            self = .numeric(number)
        } else {
            self = .alphanumeric(String(text))
        }
    }

    public var description: String {
        switch self {
        case .numeric(let number): number.description
        case .alphanumeric(let text): text
        }
    }

    public static func < (lhs: PrereleaseIdentifier, rhs: PrereleaseIdentifier) -> Bool {
        switch (lhs, rhs) {
        case (.numeric(let left), .numeric(let right)): left < right
        case (.numeric, .alphanumeric): true
        case (.alphanumeric, .numeric): false
        case (.alphanumeric(let left), .alphanumeric(let right)): left.utf8.lexicographicallyPrecedes(right.utf8)
        }
    }
}
