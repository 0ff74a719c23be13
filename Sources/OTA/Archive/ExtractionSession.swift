#if canImport(Glibc)
import Glibc
#endif

/// Applies the ``ExtractionPolicy`` to the entries of one archive, in order, and writes the accepted
/// ones into a ``StagingTree``. Format readers (tar, zip) feed it; it knows nothing of formats.
final class ExtractionSession {
    typealias Sink = (UnsafeRawBufferPointer) throws(ArchiveError) -> Void

    let policy: ExtractionPolicy
    let tree: StagingTree
    private var links = LinkGuard()
    /// Every path so far (its digest), and whether it is a regular file (a valid hard-link target).
    private var seen: [PathDigest: Bool] = [:]
    private var folders: [(components: [String], mode: UInt32, mtime: Int64)] = []
    private(set) var entryCount = 0
    private(set) var byteCount: Int64 = 0
    /// The first component shared by every entry so far (nil once two differ or a top-level non-folder appears).
    private var sharedTop: String?
    private var topIsShared = true

    init(policy: ExtractionPolicy, tree: StagingTree) {
        self.policy = policy
        self.tree = tree
    }

    /// Validates and creates `entry`; for a regular file `data` is called with a sink for its bytes.
    func add(_ entry: ArchiveEntry, data: (Sink) throws(ArchiveError) -> Void) throws(ArchiveError) {
        let name = entry.path
        entryCount += 1
        guard entryCount <= policy.maxEntries else {
            throw ArchiveError(.tooManyEntries, entry: name, "the archive has more than \(policy.maxEntries) entries")
        }
        let components = try EntryPath.components(of: name)
        if components.isEmpty {
            guard entry.kind == .directory else { throw ArchiveError(.invalidName, entry: name, "the entry names the archive root") }
            return
        }
        let key = components.joined(separator: "/")
        if let link = links.linkPrefix(of: components) {
            throw ArchiveError(.writeThroughSymlink, entry: name, "its parent \"\(link)\" is a symbolic link of the archive")
        }
        let digest = PathDigest(key)
        guard seen.updateValue(false, forKey: digest) == nil else {
            throw ArchiveError(.duplicateEntry, entry: name, "the path \"\(key)\" appears twice in the archive")
        }
        noteTopLevel(components, isFolder: entry.kind == .directory)
        switch entry.kind {
        case .file:
            try addFile(components, entry: entry, data: data)
            seen[digest] = true
        case .directory:
            try tree.createFolder(components, entry: name)
            folders.append((components, entry.mode, entry.modificationTime))
        case .symbolicLink(let target):
            let targetComponents = try EntryPath.linkComponents(of: target, entry: name)
            guard !target.hasPrefix("/") else {
                throw ArchiveError(.linkEscape, entry: name, "the symbolic link's target is absolute")
            }
            _ = try links.check(components, target: targetComponents, name: name)
            try tree.createSymlink(components, target: target, mtime: entry.modificationTime, entry: name)
            links.add(key, target: targetComponents)
        case .hardLink(let target):
            _ = try EntryPath.linkComponents(of: target, entry: name)
            let targetComponents: [String]
            do { targetComponents = try EntryPath.components(of: target) } catch {
                throw ArchiveError(.invalidHardLink, entry: name, "the hard link's target \"\(ArchiveError.escaped(target))\" is outside the tree (\(error.detail))")
            }
            let targetKey = targetComponents.joined(separator: "/")
            guard !links.isLink(targetKey) else {
                throw ArchiveError(.invalidHardLink, entry: name, "the hard link's target \"\(targetKey)\" is a symbolic link")
            }
            guard seen[PathDigest(targetKey)] == true else {
                throw ArchiveError(.invalidHardLink, entry: name, "the hard link's target \"\(targetKey)\" is not an earlier regular file of the archive")
            }
            try tree.createHardLink(components, target: targetComponents, entry: name)
            seen[digest] = true
        }
    }

    private func addFile(_ components: [String], entry: ArchiveEntry, data: (Sink) throws(ArchiveError) -> Void) throws(ArchiveError) {
        let name = entry.path
        guard entry.size <= policy.maxExtractedBytes - byteCount else {
            throw ArchiveError(.tooManyBytes, entry: name, "the archive expands to more than \(policy.maxExtractedBytes) bytes")
        }
        var written: Int64 = 0
        let fd = try tree.openFile(components, entry: name)
        do {
            let tree = self.tree
            try data { (chunk: UnsafeRawBufferPointer) throws(ArchiveError) in
                written += Int64(chunk.count)
                guard written <= entry.size else {
                    throw ArchiveError(.sizeMismatch, entry: name, "the entry holds more data than its declared size (\(entry.size))")
                }
                try tree.write(fd, chunk, entry: name)
            }
        } catch {
            close(fd)
            throw error
        }
        try tree.closeFile(fd, entry: name, mode: entry.mode, mtime: entry.modificationTime)
        guard written == entry.size else {
            throw ArchiveError(.sizeMismatch, entry: name, "the entry holds \(written) bytes, not its declared \(entry.size)")
        }
        byteCount += written
    }

    private func noteTopLevel(_ components: [String], isFolder: Bool) {
        guard topIsShared else { return }
        if components.count == 1 && !isFolder { topIsShared = false; return }
        if let sharedTop, sharedTop != components[0] { topIsShared = false; return }
        sharedTop = components[0]
    }

    /// Final checks (all links again) and folder attributes; returns the stripped prefix, if any.
    func finish() throws(ArchiveError) -> String? {
        let prefix = (policy.stripSingleTopLevelFolder && topIsShared && !links.isLink(sharedTop ?? "")) ? sharedTop : nil
        try links.verifyAll(insideFolder: prefix)
        try tree.applyFolderAttributes(folders)
        tree.closeAll()
        return prefix
    }
}
