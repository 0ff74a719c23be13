/// Validation and normalization of entry names and link targets.
///
/// A name is split on `/`, empty and `.` components are dropped (so `a/b`, `a//b` and `./a/b` are the
/// same path), and it is refused when absolute, when it has a `..` component, when it is not valid
/// UTF-8 or when it holds NUL or control characters.
enum EntryPath {
    /// Whether `text` holds a NUL/control character or a replacement character from invalid UTF-8.
    static func invalidCharacter(in text: String) -> String? {
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F { return "a control character (\\u{\(String(scalar.value, radix: 16))})" }
            if scalar.value == 0xFFFD { return "bytes that are not valid UTF-8" }
        }
        return nil
    }

    /// The normalized components of an entry name; empty for the archive root itself (`./`).
    static func components(of name: String) throws(ArchiveError) -> [String] {
        guard !name.isEmpty else { throw ArchiveError(.invalidName, entry: name, "the name is empty") }
        if let bad = invalidCharacter(in: name) {
            throw ArchiveError(.invalidName, entry: name, "the name contains \(bad)")
        }
        guard !name.hasPrefix("/") else { throw ArchiveError(.absolutePath, entry: name, "the path is absolute") }
        var result: [String] = []
        for part in name.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            guard part != ".." else { throw ArchiveError(.parentTraversal, entry: name, "the path has a '..' component") }
            result.append(String(part))
        }
        return result
    }

    /// The raw components of a link target (with `..` kept), after the character checks.
    static func linkComponents(of target: String, entry: String) throws(ArchiveError) -> [String] {
        guard !target.isEmpty else { throw ArchiveError(.invalidName, entry: entry, "the link target is empty") }
        if let bad = invalidCharacter(in: target) {
            throw ArchiveError(.invalidName, entry: entry, "the link target contains \(bad)")
        }
        return target.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }
}
