/// Checks that a staged tree is exactly what an index lists: the same paths, types, modes, sizes and link
/// targets, nothing more and nothing less. (Contents are checked as they are staged.)
enum DeltaTreeCheck {
    static func check(root: String, against index: DeltaIndex) throws(DeltaError) {
        let items: [FileSystem.Entry]
        do { items = try FileSystem.walk(root) } catch {
            throw DeltaError(.stagingFailed, "cannot read the staged tree \(root): \(error.message)")
        }
        let sorted = items.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        guard sorted.count == index.entries.count else {
            throw DeltaError(.stagingFailed, "the staged tree has \(sorted.count) entries where the index lists \(index.entries.count)")
        }
        for (item, entry) in zip(sorted, index.entries) {
            let matches: Bool
            switch entry.kind {
            case .file(let size, _): matches = item.kind == .file && Int64(item.size) == size && UInt32(item.mode & 0o7777) == entry.mode
            case .directory: matches = item.kind == .directory && UInt32(item.mode & 0o7777) == entry.mode
            case .symbolicLink(let target): matches = item.kind == .symlink && item.target == target
            }
            guard item.path == entry.path, matches else {
                throw DeltaError(.stagingFailed, "the staged entry \(item.path) differs from the index's \(entry.path)")
            }
        }
    }
}
