#if canImport(Glibc)
import Glibc
#endif

/// Tells whether paths under a root are reached without a symbolic link on the way: every folder of a path
/// must be a folder (by `lstat`), not a link to one. Each folder is checked once and remembered, so a tree
/// of thousands of files costs one `lstat` per folder rather than a `realpath` per file.
///
/// Only the folders are checked: the caller checks the last component itself (it `lstat`s the file it uses).
struct PlainFolders {
    let root: String
    /// Folders (relative to `root`) found to be folders, with every folder above them.
    private var known: Set<String> = [""]

    init(root: String) {
        self.root = root
    }

    /// Whether every folder on the way from `root` to `relative` is a plain folder. A path with an empty,
    /// `.` or `..` component is never plain. A path whose folder was checked before costs no system call
    /// and no allocation but its folder's name.
    mutating func contains(_ relative: String) -> Bool {
        let bytes = relative.utf8
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return Self.isName(bytes[...]) }
        guard Self.isName(bytes[bytes.index(after: slash)...]) else { return false }
        let parent = String(relative[..<slash])
        if known.contains(parent) { return true }
        var folder = ""
        for component in parent.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            guard Self.isName(component) else { return false }
            folder += (folder.isEmpty ? "" : "/") + String(decoding: component, as: UTF8.self)
            if known.contains(folder) { continue }
            guard let info = FileSystem.lstatInfo(root + "/" + folder), FileSystem.kind(of: info) == .directory else { return false }
            known.insert(folder)
        }
        return true
    }

    /// Whether `component` names an entry: not empty, `.` or `..`.
    private static func isName(_ component: Substring.UTF8View.SubSequence) -> Bool {
        !component.isEmpty && !component.elementsEqual(".".utf8) && !component.elementsEqual("..".utf8)
    }
}
