import Foundation
import NIOHTTP1

/// Numbers read from response headers, parsed strictly: only ASCII digits, no sign, no overflow.
///
/// A value that is not a plain non-negative integer that fits in `Int` (`1e300`, `-1`, `+5`,
/// `9223372036854775808`) reads as absent, so no header can make the arithmetic after it trap.
package enum HeaderValues {
    /// A non-negative decimal integer, or `nil`.
    package static func nonNegativeInteger<S: StringProtocol>(_ text: S) -> Int? {
        let digits = String(text).trimmingCharacters(in: .whitespaces)
        guard !digits.isEmpty, digits.utf8.count <= 19 else { return nil }
        var value = 0
        for byte in digits.utf8 {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        return value
    }

    /// `Content-Length`, when present and well-formed.
    package static func contentLength(_ headers: HTTPHeaders) -> Int? {
        headers.first(name: "content-length").flatMap { nonNegativeInteger($0) }
    }

    /// The parts of `Content-Range: bytes FIRST-LAST/TOTAL` (`TOTAL` may be `*`), when well-formed:
    /// `FIRST <= LAST`, and `LAST < TOTAL` when the total is known.
    package static func contentRange(_ headers: HTTPHeaders) -> (first: Int, last: Int, total: Int?)? {
        guard let value = headers.first(name: "content-range"), value.hasPrefix("bytes ") else { return nil }
        let spec = value.dropFirst(6)
        let halves = spec.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let bounds = halves[0].split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard halves.count == 2, bounds.count == 2, let first = nonNegativeInteger(bounds[0]), let last = nonNegativeInteger(bounds[1]),
              first <= last else { return nil }
        if halves[1] == "*" { return (first, last, nil) }
        guard let total = nonNegativeInteger(halves[1]), last < total else { return nil }
        return (first, last, total)
    }
}

extension Int {
    /// `self + other`, or `nil` when the sum does not fit.
    package func adding(checked other: Int) -> Int? {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? nil : sum
    }
}
