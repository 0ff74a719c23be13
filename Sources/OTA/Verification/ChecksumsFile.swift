import Foundation

/// A release's checksums file (`SHA256SUMS`, `checksums.txt`) in GNU `sha256sum` format.
///
/// Each line is `<64 hex digits>  <name>` (text mode) or `<64 hex digits> *<name>` (binary marker);
/// names may start with `./`; blank lines and Windows line ends are accepted; a line starting with a
/// backslash has `\\`, `\n` and `\r` escapes in its name, as `sha256sum` writes them. Anything else is
/// an error naming the line. One name listed twice with different hashes is an error too.
///
/// ```swift
/// let sums = try ChecksumsFile(contents: data, fileName: "SHA256SUMS")
/// sums.sha256(for: "monitor-1.2.0-linux-aarch64.tar.gz")   // "9f86d0…" or nil
/// ```
public struct ChecksumsFile: Sendable, Equatable {
    /// The asset names recognized as a release's checksums file, in order of preference.
    public static let recognizedNames = ["SHA256SUMS", "SHA256SUMS.txt", "sha256sums.txt", "checksums.txt"]

    /// The file's name, for messages.
    public let fileName: String
    /// Lowercase hex SHA-256 by name (without any `./` prefix).
    public let entries: [String: String]

    /// Parses the bytes of a checksums file.
    public init(contents: Data, fileName: String) throws(VerificationError) {
        self.fileName = fileName
        guard let lines = TextLines.split(contents) else {
            throw VerificationError(.malformedChecksums, "The checksums file \(fileName) is not UTF-8 text; it should be the output of sha256sum.")
        }
        var entries: [String: String] = [:]
        for (index, line) in lines.enumerated() {
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let number = index + 1
            guard let (digest, name) = Self.parse(line[...]) else {
                throw VerificationError(.malformedChecksums, "Line \(number) of the checksums file \(fileName) is not '<64 hex digits>  <file name>' as sha256sum writes it: '\(Self.excerpt(line[...]))'.")
            }
            if let previous = entries[name], previous != digest {
                throw VerificationError(.conflictingChecksums, "The checksums file \(fileName) lists \(name) twice with different SHA-256 values (again at line \(number)); the release is inconsistent and must be fixed by its publisher.")
            }
            entries[name] = digest
        }
        self.entries = entries
    }

    /// The lowercase hex SHA-256 listed for `name` (compared without a leading `./`), or `nil`.
    public func sha256(for name: String) -> String? {
        entries[Self.normalized(name)]
    }

    /// Splits one non-blank line into (lowercase digest, normalized name).
    private static func parse(_ line: Substring) -> (String, String)? {
        var rest = line
        let escaped = rest.first == "\\"
        if escaped { rest = rest.dropFirst() }
        let digest = rest.prefix(64)
        guard Hex.isHex(digest, count: 64) else { return nil }
        rest = rest.dropFirst(64)
        // Exactly one space, then a space (text mode) or '*' (binary mode), then the name.
        guard rest.first == " " else { return nil }
        rest = rest.dropFirst()
        guard rest.first == " " || rest.first == "*" else { return nil }
        rest = rest.dropFirst()
        var name = String(rest)
        if escaped {
            guard let unescaped = unescape(name) else { return nil }
            name = unescaped
        }
        name = normalized(name)
        guard !name.isEmpty else { return nil }
        return (digest.lowercased(), name)
    }

    /// Undoes `sha256sum`'s escaping of `\`, newline and carriage return.
    private static func unescape(_ name: String) -> String? {
        var result = ""
        var iterator = name.makeIterator()
        while let character = iterator.next() {
            guard character == "\\" else { result.append(character); continue }
            switch iterator.next() {
            case "\\": result.append("\\")
            case "n": result.append("\n")
            case "r": result.append("\r")
            default: return nil
            }
        }
        return result
    }

    private static func normalized(_ name: String) -> String {
        var name = Substring(name)
        while name.hasPrefix("./") { name = name.dropFirst(2) }
        return String(name)
    }

    private static func excerpt(_ line: Substring) -> String {
        line.count > 100 ? String(line.prefix(100)) + "…" : String(line)
    }
}
