import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Builds a release's staged tree from its delta index: contents the device already has are hard-linked
/// (where allowed) or copied from local trees, the rest is left for ``DeltaObjectFetcher``; then the tree
/// is finished and checked against the index entry by entry.
///
/// Every staged file's content is hashed from the staged file itself (a hard link is hashed through the
/// link, a copy while it is written, a fetched object while it is inflated) and must match the index.
/// Local files are looked up by path (the same path in the installed tree, then in the other trees), and
/// among the installed files at paths the index does not list by size then SHA-256 (renamed files): only
/// files whose size matches a wanted content are ever hashed.
final class DeltaAssembler {
    let index: DeltaIndex
    /// The staged tree's root: created here, must not exist.
    let root: String
    /// Trees to take contents from, the installed one first.
    let localRoots: [String]
    /// Whether unchanged files may be hard links to the local trees' files (the `releases` layout).
    let hardLinks: Bool

    /// Staged path of each content already in the staged tree and verified.
    private var staged: [String: String] = [:]
    /// Contents to fetch: SHA-256 → the request (its first destination).
    private(set) var missing: [String: DeltaObjectFetcher.Request] = [:]
    /// Entries waiting for a fetched content: SHA-256 → (path, mode).
    private var waiting: [String: [(path: String, mode: UInt32)]] = [:]
    private(set) var reusedFiles = 0
    private(set) var reusedBytes: Int64 = 0
    /// Of ``reusedFiles``, those that are hard links to the local trees' files.
    private(set) var linkedFiles = 0
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: FileDigest.chunkSize, alignment: 16)

    init(index: DeltaIndex, root: String, localRoots: [String], hardLinks: Bool) {
        self.index = index
        self.root = root
        self.localRoots = localRoots
        self.hardLinks = hardLinks
    }

    deinit { buffer.deallocate() }

    /// Creates the folders and every file whose content is found locally; what remains is in ``missing``.
    func placeLocalContents() throws(DeltaError) {
        try attempt("create \(root)") { () throws(SystemError) in
            guard mkdir(root, 0o700) == 0 else { throw SystemError.last("create \(root)") }
        }
        var pending: [(DeltaIndex.Entry, String, Int64)] = []
        for entry in index.entries {
            switch entry.kind {
            case .directory:
                try attempt("create \(entry.path)") { () throws(SystemError) in try FileSystem.makeDirectories(path(entry.path), mode: 0o700) }
            case .file(let size, let sha256):
                if try placeFromStaged(entry, sha256: sha256) { continue }
                if try placeFromSamePath(entry, size: size, sha256: sha256) { continue }
                pending.append((entry, sha256, size))
            case .symbolicLink:
                continue
            }
        }
        let wanted = Dictionary(pending.map { ($0.1, $0.2) }) { first, _ in first }
        if !wanted.isEmpty { try findRenamed(wanted) }
        for (entry, sha256, size) in pending {
            if try placeFromStaged(entry, sha256: sha256) { continue }
            if missing[sha256] == nil {
                missing[sha256] = .init(sha256: sha256, size: size, destination: path(entry.path), mode: entry.mode)
            } else {
                waiting[sha256, default: []].append((entry.path, entry.mode))
            }
        }
    }

    /// Places the entries that waited for fetched contents, creates the links, sets folder modes, and checks the tree.
    func finish() throws(DeltaError) {
        for (sha256, request) in missing { staged[sha256] = request.destination }
        for (sha256, entries) in waiting {
            for item in entries {
                let entry = DeltaIndex.Entry(path: item.path, kind: .file(size: missing[sha256]?.size ?? 0, sha256: sha256), mode: item.mode)
                guard try placeFromStaged(entry, sha256: sha256) else {
                    throw DeltaError(.stagingFailed, "the staged copy of \(item.path) does not match the index")
                }
            }
        }
        for entry in index.entries {
            guard case .symbolicLink(let target) = entry.kind else { continue }
            try attempt("link \(entry.path)") { () throws(SystemError) in
                guard symlink(target, path(entry.path)) == 0 else { throw SystemError.last("create the link \(entry.path)") }
            }
        }
        for entry in index.entries.reversed() where entry.kind == .directory {
            try attempt("chmod \(entry.path)") { () throws(SystemError) in
                guard chmod(path(entry.path), mode_t(entry.mode)) == 0 else { throw SystemError.last("chmod \(entry.path)") }
            }
        }
        try DeltaTreeCheck.check(root: root, against: index)
    }

    private func path(_ relative: String) -> String { root + "/" + relative }

    /// Links or copies a content already staged (and verified) to another path of the tree.
    private func placeFromStaged(_ entry: DeltaIndex.Entry, sha256: String) throws(DeltaError) -> Bool {
        guard let source = staged[sha256] else { return false }
        return try place(entry, from: source, sha256: sha256, mayLink: true)
    }

    /// Takes the file at the same path of a local tree when its size matches and its content hashes right.
    private func placeFromSamePath(_ entry: DeltaIndex.Entry, size: Int64, sha256: String) throws(DeltaError) -> Bool {
        for local in localRoots {
            let candidate = local + "/" + entry.path
            guard let info = FileSystem.lstatInfo(candidate), FileSystem.kind(of: info) == .file, Int64(info.st_size) == size,
                  Self.isPlainPath(entry.path, under: local) else { continue }
            if try place(entry, from: candidate, sha256: sha256, mayLink: hardLinks) {
                reusedFiles += 1
                reusedBytes += size
                return true
            }
        }
        return false
    }

    /// Hashes the installed files at paths the index does not list whose size some wanted content has;
    /// each that matches becomes the staged source of that content.
    private func findRenamed(_ wanted: [String: Int64]) throws(DeltaError) {
        guard let installed = localRoots.first else { return }
        let sizes = Set(wanted.values)
        let listed = Set(index.entries.map(\.path))
        let tops = Set(index.entries.compactMap { $0.path.split(separator: "/").first.map(String.init) })
        var remaining = wanted
        var firstEntry: [String: DeltaIndex.Entry] = [:]
        for entry in index.entries { if let sha256 = entry.kind.sha256, wanted[sha256] != nil, firstEntry[sha256] == nil { firstEntry[sha256] = entry } }
        for top in tops.sorted() where !remaining.isEmpty {
            guard FileSystem.isDirectory(installed + "/" + top), let items = try? FileSystem.walk(installed + "/" + top) else { continue }
            for item in items where item.kind == .file && sizes.contains(Int64(item.size)) {
                let relative = top + "/" + item.path
                guard !listed.contains(relative) else { continue }
                guard let digest = try? FileDigest.sha256(ofFileAt: installed + "/" + relative, reusing: buffer),
                      remaining.removeValue(forKey: digest) != nil, let entry = firstEntry[digest] else { continue }
                if try place(entry, from: installed + "/" + relative, sha256: digest, mayLink: hardLinks) {
                    reusedFiles += 1
                    reusedBytes += Int64(item.size)
                }
            }
        }
    }

    /// Puts `source`'s content at the entry's staged path (a hard link when allowed and the mode matches,
    /// else a copy) and keeps it when the staged file hashes to `sha256`; otherwise removes it again.
    private func place(_ entry: DeltaIndex.Entry, from source: String, sha256: String, mayLink: Bool) throws(DeltaError) -> Bool {
        let destination = path(entry.path)
        guard !FileSystem.exists(destination) else { return true }
        var digest: String?
        if mayLink, let info = FileSystem.lstatInfo(source), UInt32(info.st_mode & 0o7777) == entry.mode, link(source, destination) == 0 {
            digest = try? FileDigest.sha256(ofFileAt: destination, reusing: buffer)
            if digest == sha256, !source.hasPrefix(root + "/") { linkedFiles += 1 }
        } else {
            digest = try? copy(source, to: destination, mode: entry.mode)
        }
        guard digest == sha256 else {
            unlink(destination)
            return false
        }
        if staged[sha256] == nil { staged[sha256] = destination }
        return true
    }

    /// Copies `source` to a new file with `mode`, hashing what is written; returns the SHA-256.
    private func copy(_ source: String, to destination: String, mode: UInt32) throws(SystemError) -> String {
        let input = open(source, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard input >= 0 else { throw SystemError.last("open \(source)") }
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard output >= 0 else { throw SystemError.last("create \(destination)") }
        defer { close(output) }
        var hasher = SHA256()
        try Syscall.forEachChunk(of: input, buffer: buffer, "read \(source)") { (chunk) throws(SystemError) in
            hasher.update(bufferPointer: chunk)
            try Syscall.writeAll(output, chunk, "write \(destination)")
        }
        guard fchmod(output, mode_t(mode)) == 0 else { throw SystemError.last("chmod \(destination)") }
        return Hex.lowercase(hasher.finalize())
    }

    /// Whether `relative` under `root` is reached without a symbolic link on the way (its real path is the plain one).
    static func isPlainPath(_ relative: String, under root: String) -> Bool {
        guard let resolved = realpath(root + "/" + relative, nil) else { return false }
        defer { free(resolved) }
        guard let base = realpath(root, nil) else { return false }
        defer { free(base) }
        return String(cString: resolved) == String(cString: base) + "/" + relative
    }

    private func attempt(_ what: String, _ body: () throws(SystemError) -> Void) throws(DeltaError) {
        do { try body() } catch { throw DeltaError(.stagingFailed, "cannot stage the release from its delta index (\(error.message))") }
    }
}

extension DeltaIndex.Kind {
    /// The content's SHA-256 for a file.
    var sha256: String? {
        if case .file(_, let sha256) = self { return sha256 }
        return nil
    }
}
