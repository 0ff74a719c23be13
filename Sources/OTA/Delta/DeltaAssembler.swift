import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Builds a release's staged tree from its delta index: contents the device already has are hard-linked
/// (where allowed) or copied from local trees, the rest is left for ``DeltaObjectFetcher``; then the tree
/// is finished and checked against the index entry by entry.
///
/// Where contents come from, in this order, each only for the contents still wanted:
/// 1. the file at the same path in a local tree (the installed one first) when its size matches;
/// 2. recorded backups (`in_place`), by the SHA-256s their manifests keep, at any path;
/// 3. the installed files at paths the index does not list whose size a wanted content has (renamed files) —
///    or, when the installed tree has a record, the files the record lists with a wanted SHA-256.
///
/// A staged file's content is checked against the index by hashing the staged file itself (a hard link
/// through the link, a copy while it is written) — except a further path of a content staged and checked
/// already, and a file an agent's record vouches for (see
/// ``isUnchanged(_:since:)``): a backup's manifest, or the kept index of a release folder a delta staged
/// (``RecordedTree``), which also tells, without reading it, that a file holds some other content. Only files
/// whose size matches a wanted content are ever read.
///
/// Memory: the index, plus one map over the contents still wanted and one over the contents staged (32-byte
/// digests to entry positions); trees are walked a folder at a time.
final class DeltaAssembler {
    let index: DeltaIndex
    /// The staged tree's root: created here, must not exist.
    let root: String
    /// Trees to take contents from by path, the installed one first.
    let localRoots: [String]
    /// Backups whose manifests the agent recorded (`in_place`), newest first.
    let recordedBackups: [RecordedBackup]
    /// Whether unchanged files may be hard links to the local trees' files (the `releases` layout).
    let hardLinks: Bool
    /// The kept records of local trees, by root.
    let recordedTrees: [String: RecordedTree]

    /// For contents still wanted, the patch chosen and the local file that holds its old content.
    private var patchBases: [ContentDigest: (DeltaPatch, String)] = [:]
    /// The position of an entry whose staged file holds each content staged and verified so far.
    private var staged: [ContentDigest: Int32] = [:]
    /// Contents not found yet: digest → the first entry that wants it (after ``placeLocalContents()``: what to fetch).
    private var wanted: [ContentDigest: Int32] = [:]
    /// Entries whose content was not at their own path, in index order.
    private var pending: [Int32] = []
    /// The file entries placed so far (in the staged tree, which only this assembler writes).
    private lazy var placed = [Bool](repeating: false, count: index.count)
    private(set) var reusedFiles = 0
    private(set) var reusedBytes: Int64 = 0
    /// Of ``reusedFiles``, those that are hard links to the local trees' files.
    private(set) var linkedFiles = 0
    /// Of ``reusedFiles``, those taken on a record's SHA-256 (a backup's manifest, a release folder's kept
    /// index) without being hashed again.
    private(set) var vouchedFiles = 0
    /// Bytes of local files read to hash them (to find contents or to check staged copies and links).
    private(set) var hashedBytes: Int64 = 0
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: FileDigest.chunkSize, alignment: 16)
    /// For each local tree and backup, the folders known to be reached without a symbolic link.
    private var plainFolders: [String: PlainFolders] = [:]

    init(index: DeltaIndex, root: String, localRoots: [String], recordedBackups: [RecordedBackup] = [],
         recordedTrees: [String: RecordedTree] = [:], hardLinks: Bool) {
        self.index = index
        self.root = root
        self.localRoots = localRoots
        self.recordedBackups = recordedBackups
        self.recordedTrees = recordedTrees
        self.hardLinks = hardLinks
    }

    deinit { buffer.deallocate() }

    /// The objects to fetch, each into the first entry that wants it, sorted by SHA-256; each with the patch
    /// to fetch instead when one was chosen (``choosePatches()``).
    var missing: [DeltaObjectFetcher.Request] {
        wanted.sorted { $0.key < $1.key }.map { digest, position in
            .init(sha256: digest.hex, size: index.records[Int(position)].size, destination: path(Int(position)),
                  mode: UInt32(index.records[Int(position)].mode), patch: patchBases[digest].map { (patch: $0.0, oldPath: $0.1) })
        }
    }

    /// The bytes of content to fetch (uncompressed).
    var missingBytes: Int64 { wanted.values.reduce(0) { $0 + index.records[Int($1)].size } }

    /// Creates the folders and every file whose content is found locally; what remains is ``missing``.
    func placeLocalContents() throws(DeltaError) {
        try attempt("create \(root)") { () throws(SystemError) in
            guard mkdir(root, 0o700) == 0 else { throw SystemError.last("create \(root)") }
        }
        // The folders are made on another thread, ahead of the files placed into them.
        let folders = DeltaFolderMaker(index: index, root: root)
        defer { folders.stop() }
        for position in 0..<index.count {
            let record = index.records[position]
            guard record.type == .file else { continue }
            try attempt("create the folders of \(index.path(position))") { () throws(SystemError) in try folders.makeFolders(before: position) }
            if try placeFromStaged(position) { continue }
            if try placeFromSamePath(position) { continue }
            pending.append(Int32(position))
            if wanted[record.digest] == nil { wanted[record.digest] = Int32(position) }
        }
        try attempt("create the folders") { () throws(SystemError) in try folders.finish() }
        for backup in recordedBackups where !wanted.isEmpty { try placeFromManifest(of: backup) }
        if let installed = localRoots.first, let tree = recordedTrees[installed] {
            if !wanted.isEmpty { try placeFromRecord(tree, of: installed) }
        } else if !wanted.isEmpty {
            try findRenamed()
        }
        for position in pending { _ = try placeFromStaged(Int(position)) }
        choosePatches()
    }

    /// Chooses, for each content still wanted that a patch of the index makes, a local file holding the
    /// patch's old content: the file at the path of an entry wanting it in a local tree (the installed one
    /// first), of at most ``ZstdPatch/maxContentBytes``, hashed to learn which content it holds.
    private func choosePatches() {
        var byNew: [ContentDigest: [ContentDigest: DeltaPatch]] = [:]
        for patch in index.patches where wanted[patch.new] != nil { byNew[patch.new, default: [:]][patch.old] = patch }
        guard !byNew.isEmpty else { return }
        for position in pending.map(Int.init) {
            let digest = index.records[position].digest
            guard wanted[digest] != nil, patchBases[digest] == nil, let patches = byNew[digest] else { continue }
            let relative = index.path(position)
            for local in localRoots {
                let candidate = local + "/" + relative
                guard let info = FileSystem.lstatInfo(candidate), FileSystem.kind(of: info) == .file,
                      Int64(info.st_size) <= ZstdPatch.maxContentBytes, isPlain(relative, under: local),
                      let old = recordedTrees[local]?.digest(of: relative, info: info) ?? hash(candidate),
                      let patch = patches[old] else { continue }
                patchBases[digest] = (patch, candidate)
                break
            }
        }
    }

    /// Places the entries that waited for fetched contents, creates the links, sets folder modes, and checks the tree.
    func finish() throws(DeltaError) {
        // The fetcher wrote each content wanted into the first entry that wants it.
        for (digest, position) in wanted {
            staged[digest] = position
            placed[Int(position)] = true
        }
        wanted = [:]
        for position in pending {
            guard try placeFromStaged(Int(position)) else {
                throw DeltaError(.stagingFailed, "the staged copy of \(index.path(Int(position))) does not match the index")
            }
        }
        for position in 0..<index.count where index.records[position].type == .symbolicLink {
            try attempt("link \(index.path(position))") { () throws(SystemError) in
                guard symlink(index.target(position), path(position)) == 0 else { throw SystemError.last("create the link \(index.path(position))") }
            }
        }
        for position in (0..<index.count).reversed() where index.records[position].type == .directory {
            try attempt("chmod \(index.path(position))") { () throws(SystemError) in
                guard chmod(path(position), mode_t(index.records[position].mode)) == 0 else { throw SystemError.last("chmod \(index.path(position))") }
            }
        }
        try DeltaTreeCheck.check(root: root, against: index)
    }

    private func path(_ position: Int) -> String { root + "/" + index.path(position) }

    /// Links or copies a content already staged (and verified: it is not read again) to another path of the tree.
    private func placeFromStaged(_ position: Int) throws(DeltaError) -> Bool {
        guard let source = staged[index.records[position].digest] else { return false }
        // A staged file has its entry's mode (linked on a matching mode, or set after copying or fetching).
        return try place(position, from: path(Int(source)), linkingMode: UInt32(index.records[Int(source)].mode), vouched: false, verified: true)
    }

    /// Takes the file at the same path of a local tree when its size matches and its content hashes right.
    private func placeFromSamePath(_ position: Int) throws(DeltaError) -> Bool {
        let relative = index.path(position)
        let size = index.records[position].size
        // Files found not to hold the content (the same file is often linked into several release folders).
        var refused: [FileIdentity] = []
        for local in localRoots {
            let candidate = local + "/" + relative
            guard let info = FileSystem.lstatInfo(candidate), FileSystem.kind(of: info) == .file, Int64(info.st_size) == size,
                  isPlain(relative, under: local) else { continue }
            let identity = FileIdentity(of: info)
            if refused.contains(identity) { continue }
            let recorded = recordedTrees[local]?.digest(of: relative, info: info)
            // A file the record vouches for holds its recorded content: another content is not read at all.
            if let recorded, recorded != index.records[position].digest {
                refused.append(identity)
                continue
            }
            if try place(position, from: candidate, linkingMode: linkingMode(info), vouched: recorded != nil) {
                reused(size)
                return true
            }
            refused.append(identity)
        }
        return false
    }

    /// Takes the wanted contents a recorded backup holds, at whatever path, by its manifest's SHA-256s.
    private func placeFromManifest(of backup: RecordedBackup) throws(DeltaError) {
        guard let recordedAt = backup.recordedAt else { return }
        do {
            try backup.forEachFile(where: { wanted[$0] != nil }) { file in
                guard let position = wanted[file.digest].map(Int.init), index.records[position].size == file.size else { return }
                let source = backup.folder + "/" + file.path
                guard let info = FileSystem.lstatInfo(source), FileSystem.kind(of: info) == .file, Int64(info.st_size) == file.size,
                      isPlain(file.path, under: backup.folder) else { return }
                if try place(position, from: source, linkingMode: linkingMode(info), vouched: Self.isUnchanged(info, since: recordedAt)) {
                    wanted[file.digest] = nil
                    reused(file.size)
                }
            }
        } catch let error as DeltaError {
            throw error
        } catch {
            throw DeltaError(.stagingFailed, "cannot stage the release from its delta index (\(error.localizedDescription))")
        }
    }

    /// Whether a backup file (already of the recorded size) is still the content its manifest hashed, so that
    /// a copy of it need not be hashed again.
    ///
    /// The manifest was recorded (its file written) after every file of the backup was hashed. Any later
    /// change to a file — a write, a truncate, a rename or link replacing it, a chmod — sets its status-change
    /// time (`ctime`) to the time of the change, and no system call sets `ctime` back (unlike `mtime`, which
    /// `touch -d`, `tar` and `rsync` set at will). So a `ctime` strictly before the record's `mtime` means the
    /// file has not changed since it was hashed; anything else is hashed while it is copied. The inode number
    /// adds nothing (a replaced file is a new `ctime` too), and the size was compared already (the staged tree
    /// is checked against the index's sizes anyway). The one gap is a clock set back to before the record was
    /// written (a device without a real-time clock, before its time is synchronised) while the file is changed:
    /// such a file passes, as it would pass any time-based check.
    static func isUnchanged(_ info: stat, since recordedAt: timespec) -> Bool {
        (info.st_ctim.tv_sec, info.st_ctim.tv_nsec) < (recordedAt.tv_sec, recordedAt.tv_nsec)
    }

    /// Takes the wanted contents the installed tree's record lists at any path (renamed or moved files) by the
    /// record's SHA-256s, reading none of them: only files the record still vouches for.
    private func placeFromRecord(_ tree: RecordedTree, of installed: String) throws(DeltaError) {
        for position in 0..<tree.index.count where !wanted.isEmpty {
            let recorded = tree.index.records[position]
            guard recorded.type == .file, let target = wanted[recorded.digest].map(Int.init), index.records[target].size == recorded.size else { continue }
            let relative = tree.index.path(position)
            let source = installed + "/" + relative
            guard let info = FileSystem.lstatInfo(source), FileSystem.kind(of: info) == .file, isPlain(relative, under: installed),
                  tree.digest(of: relative, info: info) == recorded.digest else { continue }
            if try place(target, from: source, linkingMode: linkingMode(info), vouched: true) {
                wanted[recorded.digest] = nil
                reused(recorded.size)
            }
        }
    }

    /// Hashes the installed files at paths the index does not list whose size some wanted content has;
    /// each that matches becomes the staged source of that content.
    private func findRenamed() throws(DeltaError) {
        guard let installed = localRoots.first else { return }
        let sizes = Set(wanted.values.map { index.records[Int($0)].size })
        var tops = Set<String>()
        for position in 0..<index.count {
            let path = index.pathBytes(position)
            tops.insert(String(decoding: path.prefix { $0 != UInt8(ascii: "/") }, as: UTF8.self))
        }
        for top in tops.sorted() where !wanted.isEmpty {
            guard let info = FileSystem.lstatInfo(installed + "/" + top), FileSystem.kind(of: info) == .directory else { continue }
            var failure: DeltaError?
            try? FileSystem.forEachEntry(under: installed + "/" + top) { (item) throws(SystemError) in
                guard item.kind == .file, sizes.contains(Int64(item.size)) else { return }
                let relative = top + "/" + item.path
                guard index.position(of: relative.utf8) == nil, let digest = hash(installed + "/" + relative),
                      let position = wanted[digest].map(Int.init) else { return }
                do throws(DeltaError) {
                    if try place(position, from: installed + "/" + relative, linkingMode: hardLinks ? UInt32(item.mode) : nil, vouched: false) {
                        wanted[digest] = nil
                        reused(Int64(item.size))
                    }
                } catch {
                    failure = error
                    throw SystemError("stop", errno: ECANCELED)
                }
            }
            if let failure { throw failure }
        }
    }

    /// The permission bits of a local file as it may be hard-linked (`nil`: copied, the `in_place` layout).
    private func linkingMode(_ info: stat) -> UInt32? {
        hardLinks ? UInt32(info.st_mode & 0o7777) : nil
    }

    /// Puts `source`'s content at entry `position`'s staged path (a hard link when `linkingMode`, the source's
    /// permission bits, is the entry's mode, else a copy) and keeps it when the staged file hashes to the entry's
    /// SHA-256 (or, `vouched`, is a link to or a copy of a file a record vouches for; or, `verified`, of a file
    /// staged and checked already); otherwise removes it again.
    private func place(_ position: Int, from source: String, linkingMode: UInt32?, vouched: Bool, verified: Bool = false) throws(DeltaError) -> Bool {
        guard !placed[position] else { return true }
        let destination = path(position)
        let record = index.records[position]
        let known = vouched || verified
        var matches = false
        if linkingMode == UInt32(record.mode), link(source, destination) == 0 {
            matches = known || hash(destination) == record.digest
            if matches, !source.hasPrefix(root + "/") { linkedFiles += 1 }
            if vouched { vouchedFiles += 1 }
        } else {
            do {
                let copied = try copy(source, to: destination, mode: UInt32(record.mode), hashing: !known)
                matches = known || copied == record.digest
                if vouched { vouchedFiles += 1 }
            } catch {
                matches = false
            }
        }
        guard matches else {
            unlink(destination)
            return false
        }
        placed[position] = true
        if staged[record.digest] == nil { staged[record.digest] = Int32(position) }
        // An earlier entry may have wanted this content: it is placed from this copy, not fetched.
        wanted[record.digest] = nil
        return true
    }

    private func reused(_ size: Int64) {
        reusedFiles += 1
        reusedBytes += size
    }

    /// The SHA-256 of the file at `path`, counted in ``hashedBytes``; `nil` when it cannot be read.
    private func hash(_ path: String) -> ContentDigest? {
        var hasher = SHA256()
        guard let count = try? FileDigest.update(&hasher, withFileAt: path, reusing: buffer) else { return nil }
        hashedBytes += Int64(count)
        return ContentDigest(hasher.finalize())
    }

    /// Copies `source` to a new file with `mode`; returns the SHA-256 of what was written when `hashing`, else `nil`.
    private func copy(_ source: String, to destination: String, mode: UInt32, hashing: Bool) throws(SystemError) -> ContentDigest? {
        let input = open(source, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard input >= 0 else { throw SystemError.last("open \(source)") }
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard output >= 0 else { throw SystemError.last("create \(destination)") }
        defer { close(output) }
        var hasher = SHA256()
        let count = try Syscall.forEachChunk(of: input, buffer: buffer, "read \(source)") { (chunk) throws(SystemError) in
            if hashing { hasher.update(bufferPointer: chunk) }
            try Syscall.writeAll(output, chunk, "write \(destination)")
        }
        guard fchmod(output, mode_t(mode)) == 0 else { throw SystemError.last("chmod \(destination)") }
        guard hashing else { return nil }
        hashedBytes += Int64(count)
        return ContentDigest(hasher.finalize())
    }

    /// Whether the folders on the way to `relative` under `root` are folders, not symbolic links (the caller
    /// has checked that `relative` itself is a file).
    private func isPlain(_ relative: String, under root: String) -> Bool {
        plainFolders[root, default: PlainFolders(root: root)].contains(relative)
    }

    private func attempt(_ what: String, _ body: () throws(SystemError) -> Void) throws(DeltaError) {
        do { try body() } catch { throw DeltaError(.stagingFailed, "cannot stage the release from its delta index (\(error.message))") }
    }
}
