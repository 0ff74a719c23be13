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

    /// Checks that `name` is already in normalized form — what ``components(of:)`` accepts, joined back
    /// unchanged: relative, no empty, `.` or `..` component, no control character, valid UTF-8 — with the same
    /// errors (plus one for a name that is not normalized, `notNormalized`), reading its bytes once. Returns
    /// the length in bytes of its parent folder's path (`0` at the top of the tree).
    static func normalizedParentLength(of name: String, notNormalized: () -> ArchiveError) throws(ArchiveError) -> Int {
        let bytes = name.utf8
        guard !bytes.isEmpty else { throw ArchiveError(.invalidName, entry: name, "the name is empty") }
        if bytes.contains(where: { $0 < 0x20 || $0 >= 0x7F }), let bad = invalidCharacter(in: name) {
            throw ArchiveError(.invalidName, entry: name, "the name contains \(bad)")
        }
        guard bytes.first != UInt8(ascii: "/") else { throw ArchiveError(.absolutePath, entry: name, "the path is absolute") }
        var normalized = true
        var components = 0
        var length = 0
        var dots = 0
        var lastSlash = 0
        var position = 0
        func endComponent() throws(ArchiveError) {
            if length == 2 && dots == 2 { throw ArchiveError(.parentTraversal, entry: name, "the path has a '..' component") }
            if length == 0 || (length == 1 && dots == 1) { normalized = false } else { components += 1 }
        }
        for byte in bytes {
            if byte == UInt8(ascii: "/") {
                try endComponent()
                lastSlash = position
                length = 0
                dots = 0
            } else {
                length += 1
                if byte == UInt8(ascii: ".") { dots += 1 }
            }
            position += 1
        }
        try endComponent()
        guard components > 0 else { throw ArchiveError(.invalidName, entry: name, "the entry names the root of the tree") }
        guard normalized else { throw notNormalized() }
        return lastSlash
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
