#if canImport(Glibc)
import Glibc
#endif

/// Text forms of bytes and file modes: hexadecimal (lowercase for digests, key ids and escapes,
/// uppercase for percent-encoding) with strict recognition, and octal modes.
///
/// Built by hand rather than with Foundation's printf-style formatting, which costs microseconds per call
/// on Linux (it goes through CoreFoundation's format parser); hashing a backup of 20,000 files
/// formats 640,000 bytes. The text is what printf's `%02x`, `%02X` (joined) and `%04o` give.
package enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)
    private static let upperDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Lowercase hex of `bytes`, two digits per byte (a SHA-256 digest gives 64 characters).
    package static func lowercase(_ bytes: some Sequence<UInt8>) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes { appendLowercase(byte, to: &text) }
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends the two lowercase hex digits of `byte` to `text`.
    @inline(__always)
    package static func appendLowercase(_ byte: UInt8, to text: inout [UInt8]) {
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 0x0f)])
    }

    /// Uppercase hex of `bytes`, two digits per byte (the form of a percent-encoded byte, `%2F`).
    package static func uppercase(_ bytes: some Sequence<UInt8>) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            text.append(upperDigits[Int(byte >> 4)])
            text.append(upperDigits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Whether `text` is exactly `count` hex digits (either case).
    package static func isHex(_ text: some StringProtocol, count: Int) -> Bool {
        text.utf8.count == count && text.utf8.allSatisfy { byte in
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
        }
    }

    /// The permission bits of `mode` in octal, at least four digits (`0644`, `4755`), like `%04o`.
    package static func octalMode(_ mode: mode_t) -> String {
        var value = UInt64(mode)
        var text: [UInt8] = []
        repeat {
            text.append(UInt8(ascii: "0") + UInt8(value & 7))
            value >>= 3
        } while value > 0
        while text.count < 4 { text.append(UInt8(ascii: "0")) }
        return String(decoding: text.reversed(), as: UTF8.self)
    }
}
