import Foundation

/// A strict JSON parser for TUF metadata: UTF-8 only (no byte-order mark), integers only, no duplicate
/// keys, no raw control characters in strings, no lone surrogates, a bounded nesting depth.
///
/// Anything else is refused rather than interpreted: two parsers reading one file differently is how
/// signature checks are bypassed.
package enum TUFJSONParser {
    /// The deepest nesting of arrays and objects accepted (TUF metadata needs fewer than 10 levels).
    static let maximumDepth = 64

    /// Parses `data` as one JSON value; `what` names the file in errors (`timestamp.json`).
    package static func parse(_ data: Data, what: String) throws(TUFError) -> TUFJSON {
        var reader = Reader(bytes: [UInt8](data))
        do {
            reader.skipWhitespace()
            let value = try reader.value(depth: 0)
            reader.skipWhitespace()
            guard reader.isAtEnd else { throw Failure(reason: "unexpected text after the JSON value", offset: reader.offset) }
            return value
        } catch let failure as Failure {
            throw TUFError(.malformedJSON, "The TUF metadata \(what) is not valid JSON (\(failure.reason) at byte \(failure.offset)); the repository served a damaged or forged file, so report it to its publisher.")
        } catch {
            throw TUFError(.malformedJSON, "The TUF metadata \(what) is not valid JSON; report it to the repository's publisher.")
        }
    }

    private struct Failure: Error {
        var reason: String
        var offset: Int
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        var isAtEnd: Bool { offset == bytes.count }

        mutating func skipWhitespace() {
            while offset < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[offset]) { offset += 1 }
        }

        func fail(_ reason: String) -> Failure { Failure(reason: reason, offset: offset) }

        mutating func expect(_ literal: String) throws {
            for byte in literal.utf8 {
                guard offset < bytes.count, bytes[offset] == byte else { throw fail("expected '\(literal)'") }
                offset += 1
            }
        }

        mutating func value(depth: Int) throws -> TUFJSON {
            guard offset < bytes.count else { throw fail("unexpected end") }
            switch bytes[offset] {
            case UInt8(ascii: "{"): return try object(depth: depth + 1)
            case UInt8(ascii: "["): return try array(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try expect("true"); return .bool(true)
            case UInt8(ascii: "f"): try expect("false"); return .bool(false)
            case UInt8(ascii: "n"): try expect("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try integer()
            default: throw fail("unexpected character")
            }
        }

        mutating func object(depth: Int) throws -> TUFJSON {
            guard depth <= TUFJSONParser.maximumDepth else { throw fail("nested too deeply") }
            offset += 1
            var members: [TUFJSON.Member] = []
            var keys: Set<String> = []
            skipWhitespace()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") { offset += 1; return .object(members) }
            while true {
                skipWhitespace()
                guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { throw fail("expected a key") }
                let keyOffset = offset
                let key = try string()
                // Set<String> also refuses keys that differ only in Unicode normalisation, so no
                // dictionary built from the object later can merge two members.
                guard keys.insert(key).inserted else { throw Failure(reason: "duplicate key \"\(key)\"", offset: keyOffset) }
                skipWhitespace()
                try expect(":")
                skipWhitespace()
                members.append(.init(key, try value(depth: depth)))
                skipWhitespace()
                guard offset < bytes.count else { throw fail("unexpected end") }
                if bytes[offset] == UInt8(ascii: ",") { offset += 1; continue }
                try expect("}")
                return .object(members)
            }
        }

        mutating func array(depth: Int) throws -> TUFJSON {
            guard depth <= TUFJSONParser.maximumDepth else { throw fail("nested too deeply") }
            offset += 1
            var elements: [TUFJSON] = []
            skipWhitespace()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") { offset += 1; return .array(elements) }
            while true {
                skipWhitespace()
                elements.append(try value(depth: depth))
                skipWhitespace()
                guard offset < bytes.count else { throw fail("unexpected end") }
                if bytes[offset] == UInt8(ascii: ",") { offset += 1; continue }
                try expect("]")
                return .array(elements)
            }
        }

        mutating func integer() throws -> TUFJSON {
            let start = offset
            if bytes[offset] == UInt8(ascii: "-") { offset += 1 }
            let digitsStart = offset
            while offset < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[offset]) { offset += 1 }
            let digitCount = offset - digitsStart
            guard digitCount > 0 else { throw fail("expected digits") }
            guard digitCount == 1 || bytes[digitsStart] != UInt8(ascii: "0") else { throw Failure(reason: "leading zero", offset: digitsStart) }
            if offset < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[offset]) {
                throw fail("a number that is not an integer (canonical JSON has integers only)")
            }
            let text = String(decoding: bytes[start..<offset], as: UTF8.self)
            return .integer(text == "-0" ? "0" : text)
        }

        mutating func string() throws -> String {
            offset += 1
            var utf8: [UInt8] = []
            while true {
                guard offset < bytes.count else { throw fail("unterminated string") }
                let byte = bytes[offset]
                switch byte {
                case UInt8(ascii: "\""):
                    offset += 1
                    guard let text = String(validating: utf8, as: UTF8.self) else { throw fail("a string that is not UTF-8") }
                    return text
                case UInt8(ascii: "\\"):
                    offset += 1
                    try escape(into: &utf8)
                case 0..<0x20:
                    throw fail("a control character in a string")
                default:
                    utf8.append(byte)
                    offset += 1
                }
            }
        }

        mutating func escape(into utf8: inout [UInt8]) throws {
            guard offset < bytes.count else { throw fail("unterminated escape") }
            let byte = bytes[offset]
            offset += 1
            let simple: [UInt8: UInt8] = [UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F,
                                          UInt8(ascii: "b"): 0x08, UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A,
                                          UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09]
            if let plain = simple[byte] { utf8.append(plain); return }
            guard byte == UInt8(ascii: "u") else { throw fail("unknown escape") }
            var scalar = try hex4()
            if (0xD800..<0xDC00).contains(scalar) {
                guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") else {
                    throw fail("a lone surrogate")
                }
                offset += 2
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw fail("a lone surrogate") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw fail("a lone surrogate")
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw fail("an invalid code point") }
            utf8.append(contentsOf: String(unicode).utf8)
        }

        mutating func hex4() throws -> UInt32 {
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard offset < bytes.count, let digit = TUFHex.value(of: bytes[offset]) else {
                    throw fail("a bad \\u escape")
                }
                value = value << 4 | UInt32(digit)
                offset += 1
            }
            return value
        }
    }
}
