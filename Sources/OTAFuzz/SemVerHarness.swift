import OTA

/// SemVer parsing, printing and ordering on up to three newline-separated strings.
///
/// Invariants: a parsed version prints back as exactly its input (strict SemVer has one spelling),
/// and re-parses to an identical value; a tag parses like its version without one leading v/V;
/// ordering is a strict total order consistent with `==` and with hashing; bumping gives a greater
/// version.
enum SemVerHarness {
    static func run(_ input: [UInt8]) -> FuzzResult {
        let strings = String(decoding: input, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .prefix(3).map(String.init)
        var violations: [String] = []
        var versions: [SemanticVersion] = []
        for text in strings {
            if let tagged = SemanticVersion(tag: text) {
                let bare = text.first == "v" || text.first == "V" ? String(text.dropFirst()) : text
                if SemanticVersion(bare).map({ !$0.isIdentical(to: tagged) }) ?? true {
                    violations.append("tag \(quoted(text)) parses but \(quoted(bare)) does not parse the same")
                }
            }
            guard let version = SemanticVersion(text) else { continue }
            versions.append(version)
            if version.description != text { violations.append("\(quoted(text)) prints as \(quoted(version.description))") }
            if SemanticVersion(version.description).map({ !$0.isIdentical(to: version) }) ?? true {
                violations.append("\(quoted(text)) does not re-parse to the same version")
            }
            for component in SemanticVersion.Component.allCases where !(version.bumped(component) > version) {
                violations.append("bumping the \(component) of \(text) gives \(version.bumped(component)), not a greater version")
            }
        }
        for a in versions {
            for b in versions {
                let relations = [a < b, a == b, b < a].filter { $0 }.count
                if relations != 1 { violations.append("\(a) and \(b) are not ordered exactly one way") }
                if a == b && a.hashValue != b.hashValue { violations.append("\(a) == \(b) but their hashes differ") }
                for c in versions where a < b && b < c && !(a < c) {
                    violations.append("\(a) < \(b) < \(c) but not \(a) < \(c)")
                }
            }
        }
        return FuzzResult(accepted: !versions.isEmpty, violations: violations)
    }

    static func quoted(_ text: String) -> String {
        "\"" + text.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 ? String($0) : "\\u{\(String($0.value, radix: 16))}" }.joined() + "\""
    }
}
