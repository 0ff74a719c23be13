import Crypto

/// A SHA-256 held as its 32 bytes (four words, big-endian), not as 64 hex characters: what the delta
/// index and the staging key contents by. A hex `String` costs a heap allocation of ~100 bytes per entry;
/// this costs 32 bytes inline and hashes in four words.
struct ContentDigest: Hashable, Sendable, Comparable {
    private var words: (UInt64, UInt64, UInt64, UInt64)

    /// The digest written as 64 lowercase hex digits; `nil` for anything else.
    init?(hex text: some Collection<UInt8>) {
        guard text.count == 64 else { return nil }
        // Sixteen digits a word, read straight into the words (an index parses one digest a line).
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var word: UInt64 = 0
        var digits = 0
        for byte in text {
            let nibble: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte - UInt8(ascii: "a") + 10
            default: return nil
            }
            word = word << 4 | UInt64(nibble)
            digits += 1
            switch digits {
            case 16: words.0 = word
            case 32: words.1 = word
            case 48: words.2 = word
            case 64: words.3 = word
            default: continue
            }
            word = 0
        }
        self.words = words
    }

    /// The digest written as 64 lowercase hex digits; `nil` for anything else.
    init?(hex text: String) {
        self.init(hex: text.utf8)
    }

    init(_ digest: SHA256.Digest) {
        var words: [UInt64] = [0, 0, 0, 0]
        for (offset, byte) in digest.enumerated() { words[offset / 8] = words[offset / 8] << 8 | UInt64(byte) }
        self.words = (words[0], words[1], words[2], words[3])
    }

    /// The 64 lowercase hex digits.
    var hex: String {
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for word in [words.0, words.1, words.2, words.3] {
            for shift in stride(from: 56, through: 0, by: -8) { Hex.appendLowercase(UInt8(truncatingIfNeeded: word >> UInt64(shift)), to: &text) }
        }
        return String(decoding: text, as: UTF8.self)
    }

    static func == (a: Self, b: Self) -> Bool { a.words == b.words }

    /// The order of the hex forms.
    static func < (a: Self, b: Self) -> Bool { a.words < b.words }

    func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}
