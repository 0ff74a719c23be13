/// A SemVer numeric identifier of any length: `0`, or digits without a leading zero.
///
/// Stored as its canonical digit string so that `18446744073709551616` compares correctly
/// with no overflow: a longer number is larger, equal lengths compare digit by digit.
public struct NumericIdentifier: Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    /// The decimal digits, without leading zeros (`"0"` for zero).
    public let digits: String

    /// Parses a canonical numeric identifier; `nil` for empty input, a non-ASCII-digit or a leading zero.
    public init?(_ text: Substring) {
        guard let first = text.utf8.first else { return nil }
        guard text.utf8.allSatisfy(NumericIdentifier.isDigit) else { return nil }
        if first == UInt8(ascii: "0") && text.utf8.count > 1 { return nil }
        self.digits = String(text)
    }

    /// Parses a canonical numeric identifier from a `String`.
    public init?(_ text: String) { self.init(Substring(text)) }

    /// Makes an identifier from a non-negative integer.
    public init(_ value: UInt) { self.digits = String(value) }

    public init(integerLiteral value: UInt) { self.init(value) }

    /// The value as an `Int`, or `nil` when it does not fit.
    public var intValue: Int? { Int(digits) }

    /// This number plus one, with no overflow at any length.
    public func incremented() -> NumericIdentifier {
        var bytes = Array(digits.utf8)
        var index = bytes.count - 1
        while index >= 0 {
            if bytes[index] == UInt8(ascii: "9") {
                bytes[index] = UInt8(ascii: "0")
                index -= 1
            } else {
                bytes[index] += 1
                return NumericIdentifier(canonicalDigits: String(decoding: bytes, as: UTF8.self))
            }
        }
        return NumericIdentifier(canonicalDigits: "1" + String(decoding: bytes, as: UTF8.self))
    }

    public var description: String { digits }

    public static func < (lhs: NumericIdentifier, rhs: NumericIdentifier) -> Bool {
        let left = lhs.digits.utf8, right = rhs.digits.utf8
        if left.count != right.count { return left.count < right.count }
        return left.lexicographicallyPrecedes(right)
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private init(canonicalDigits: String) { self.digits = canonicalDigits }
}
