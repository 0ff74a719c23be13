/// The last component of a path and the path without it, taken from the text alone (nothing on
/// disk is looked at).
///
/// Repeated slashes count as one and a trailing slash is ignored, as in Foundation's path methods:
/// `/a//b/` has the last component `b` and the rest `/a`; `/` (or `//`) is its own last component
/// and parent. A one-character relative path (`a`, `.`) has an empty parent, where Foundation on
/// Linux stops the process.
package enum PathName {
    /// The last component: `c` for `/a/b/c` and `a/b/c/`, `/` for `/`, empty for an empty path.
    package static func lastComponent(of path: String) -> String {
        guard let last = components(of: path).last else { return isAbsolute(path) ? "/" : "" }
        return String(last)
    }

    /// `path` without its last component: `/a/b` for `/a/b/c`, `/` for `/a` and `/`, `a` for `a/b`,
    /// empty for a single relative component (`a`) or an empty path.
    package static func deletingLastComponent(of path: String) -> String {
        let parents = components(of: path).dropLast()
        let root = isAbsolute(path) ? "/" : ""
        return root + parents.joined(separator: "/")
    }

    private static func components(of path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }

    private static func isAbsolute(_ path: String) -> Bool { path.utf8.first == UInt8(ascii: "/") }
}
