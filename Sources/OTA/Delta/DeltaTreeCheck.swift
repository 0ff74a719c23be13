#if canImport(Glibc)
import Glibc
#endif

/// Checks that a staged tree is exactly what an index lists: the same paths, types, modes, sizes and link
/// targets, nothing more and nothing less. (Contents are checked as they are staged.)
///
/// The tree is walked a folder at a time and each entry looked up in the index (sorted by path): nothing
/// but the index is held in memory, however large the release.
enum DeltaTreeCheck {
    static func check(root: String, against index: DeltaIndex) throws(DeltaError) {
        var found = 0
        var mismatch: String?
        do {
            try FileSystem.forEachEntry(under: root) { (item) throws(SystemError) in
                guard let position = index.position(of: item.path.utf8) else {
                    mismatch = "the staged tree has \(item.path), which the index does not list"
                    throw SystemError("stop", errno: ECANCELED)
                }
                let record = index.records[position]
                let matches: Bool
                switch record.type {
                case .file: matches = item.kind == .file && Int64(item.size) == record.size && UInt32(item.mode) == UInt32(record.mode)
                case .directory: matches = item.kind == .directory && UInt32(item.mode) == UInt32(record.mode)
                case .symbolicLink: matches = item.kind == .symlink && item.target == index.target(position)
                }
                guard matches else {
                    mismatch = "the staged entry \(item.path) differs from the index's (type, mode, size or link target)"
                    throw SystemError("stop", errno: ECANCELED)
                }
                found += 1
            }
        } catch {
            throw DeltaError(.stagingFailed, mismatch ?? "cannot read the staged tree \(root): \(error.message)")
        }
        // Paths are unique in a folder and in the index: as many entries as the index lists means all of them.
        guard found == index.count else {
            throw DeltaError(.stagingFailed, "the staged tree has \(found) entries where the index lists \(index.count)")
        }
    }
}
