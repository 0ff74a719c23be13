/// The names architectures go by in release file names, and where they stand in a name as whole tokens.
///
/// A token is a known name that starts the name or follows a character that is not a letter or digit,
/// and that is followed by the end or by such a character. Where several known names start at the same
/// place, only the longest counts: `x86` is not a token of `x86_64`, `arm` not one of `arm64` or
/// `armhf`, and `x86_64v2` holds no token at all. A name of digits only (`386`) is no token where a
/// dot joins it to another number, as in a version (`2.386.0`).
enum ArchitectureNames {
    /// Groups of names for the same architecture, the kernel's (`uname -m`) first.
    static let groups: [[String]] = [
        ["aarch64", "arm64"], ["x86_64", "amd64", "x64"], ["armv7l", "armv7", "armhf", "arm"],
        ["armv6l", "armv6", "armel"], ["i686", "i386", "x86", "386"], ["riscv64"], ["ppc64le"], ["s390x"],
    ]

    /// Every known name, longest first.
    static let all: [[UInt8]] = groups.joined().map { Array($0.utf8) }.sorted { $0.count > $1.count }

    /// The group `name` belongs to (compared without case), or just `name` when it is unknown.
    static func group(of name: String) -> [String] {
        let lowered = name.lowercased()
        return groups.first { $0.contains(lowered) } ?? [lowered]
    }

    /// The architecture tokens of `name`: their UTF-8 byte ranges and their names in lower case.
    static func tokens(in name: String) -> [(range: Range<Int>, name: String)] {
        let bytes = name.utf8.map(lowercasedASCII)
        var found: [(range: Range<Int>, name: String)] = []
        var index = 0
        while index < bytes.count {
            defer { index += 1 }
            guard index == 0 || !isAlphanumeric(bytes[index - 1]) else { continue }
            guard let known = all.first(where: { bytes[index...].starts(with: $0) }) else { continue }
            let end = index + known.count
            guard end == bytes.count || !isAlphanumeric(bytes[end]) else { continue }
            if known.allSatisfy(isDigit), isDottedNumber(bytes, before: index) || isDottedNumber(bytes, after: end) { continue }
            found.append((index..<end, String(decoding: known, as: UTF8.self)))
            index = end - 1
        }
        return found
    }

    private static let dot = UInt8(ascii: ".")

    /// Whether `bytes` has a digit and a dot right before `index`.
    private static func isDottedNumber(_ bytes: [UInt8], before index: Int) -> Bool {
        index >= 2 && bytes[index - 1] == dot && isDigit(bytes[index - 2])
    }

    /// Whether `bytes` has a dot and a digit from `index` on.
    private static func isDottedNumber(_ bytes: [UInt8], after index: Int) -> Bool {
        index + 1 < bytes.count && bytes[index] == dot && isDigit(bytes[index + 1])
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || isDigit(byte)
    }

    private static func lowercasedASCII(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }
}
