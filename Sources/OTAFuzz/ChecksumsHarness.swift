import Foundation
import OTA

/// `SHA256SUMS` parsing.
///
/// Invariants: every parsed digest is 64 lowercase hex digits under a non-empty name; writing the
/// entries back the way `sha256sum` does (escaping `\`, newline and CR) and parsing again gives the
/// same entries.
enum ChecksumsHarness {
    static func run(_ input: [UInt8]) -> FuzzResult {
        guard let parsed = try? ChecksumsFile(contents: Data(input), fileName: "SHA256SUMS") else { return FuzzResult(accepted: false) }
        var violations: [String] = []
        var written = ""
        for (name, digest) in parsed.entries.sorted(by: { $0.key < $1.key }) {
            if name.isEmpty { violations.append("an entry without a name") }
            if digest.utf8.count != 64 || !digest.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) {
                violations.append("the digest of \(name.debugDescription) is not 64 lowercase hex digits: \(digest.debugDescription)")
            }
            if parsed.sha256(for: "./" + name) != digest { violations.append("\(name.debugDescription) is not found with a ./ prefix") }
            let needsEscape = name.contains(where: { $0 == "\\" || $0 == "\n" || $0 == "\r" })
            let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
                .replacingOccurrences(of: "\r", with: "\\r")
            written += (needsEscape ? "\\" : "") + digest + "  " + (needsEscape ? escaped : name) + "\n"
        }
        do {
            let again = try ChecksumsFile(contents: Data(written.utf8), fileName: "SHA256SUMS")
            if again.entries != parsed.entries { violations.append("the entries change when written back and parsed again") }
        } catch {
            violations.append("the entries written back do not parse: \(error.message)")
        }
        return FuzzResult(accepted: true, violations: violations)
    }
}
