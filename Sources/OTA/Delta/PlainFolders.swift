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
    /// `.` or `..` component is never plain.
    mutating func contains(_ relative: String) -> Bool {
        let components = relative.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard !components.contains(where: { $0.isEmpty || $0.elementsEqual(".".utf8) || $0.elementsEqual("..".utf8) }) else { return false }
        guard let slash = relative.utf8.lastIndex(of: UInt8(ascii: "/")) else { return true }
        let parent = String(relative[..<slash])
        if known.contains(parent) { return true }
        var folder = ""
        for component in components.dropLast() {
            folder += folder.isEmpty ? String(decoding: component, as: UTF8.self) : "/" + String(decoding: component, as: UTF8.self)
            if known.contains(folder) { continue }
            guard let info = FileSystem.lstatInfo(root + "/" + folder), FileSystem.kind(of: info) == .directory else { return false }
            known.insert(folder)
        }
        return true
    }
}
