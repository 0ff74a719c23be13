#if canImport(Glibc)
import Glibc
#endif

/// The verified delta index of a release the device staged from it, kept in `state_dir/kept-indexes` as the
/// file that was fetched and verified (gzip, exactly the signed bytes) — the agent's record of which content
/// each file of that release folder held when it was staged.
///
/// The next delta takes a file of that folder on the record's SHA-256, without reading it, when the file has
/// not changed since the record was kept (``DeltaAssembler/isUnchanged(_:since:)``: its `ctime` is before the
/// record's time) and the folder is still the one that was staged (same device and inode: a folder put back
/// by a rollback, or made again, is not). Anything else is hashed, as without a record; a device that has no
/// record (a tree it did not stage or extract itself with `delta` on) hashes, too. The record is an optimisation only.
///
/// A release folder extracted from its full archive, when `delta` is on, gets a record too: the index the device
/// makes by hashing the extracted files (``Form/hashed``), so that the next delta does not hash them again.
///
/// An index made from an index patch is kept as that patch, with the name of the record it applies to
/// (``KeptIndexes/keep(patch:base:version:form:stagedFolder:)``): a few kilobytes where the text is hundreds.
///
/// The file is named `<version>.<form>.<device>-<inode>.gz` (``Form``), or `….patch` for a record kept as an
/// index patch.
struct KeptIndex: Sendable, Equatable {
    /// Where the record's index came from.
    enum Form: String, Sendable, CaseIterable {
        /// Fetched (or made from an index patch) in the folder form, as TUF repositories and static hosts publish it.
        case folder
        /// Fetched in the packed form (GitHub assets): the index and its pack section.
        case pack
        /// Made by the device, in the folder form, by hashing a release folder it extracted from the full archive;
        /// not the published text (it lists no patches), so never the base of an index patch.
        case hashed
    }

    /// The release version the index is of.
    let version: String
    /// Where the index came from.
    let form: Form
    /// The staged release folder's identity when the record was kept.
    let folder: FileIdentity
    /// Whether the record is kept as the index patch its index was made from (`.patch`), rather than as a
    /// gzip file (`.gz`).
    let patched: Bool
    /// The file's name in `state_dir/kept-indexes`.
    let name: String

    /// The name ending of a record kept as an index patch.
    static let patchSuffix = ".patch"

    init(version: String, form: Form, folder: FileIdentity, patched: Bool = false) {
        self.version = version
        self.form = form
        self.folder = folder
        self.patched = patched
        self.name = "\(version).\(form.rawValue).\(folder.device)-\(folder.inode)" + (patched ? Self.patchSuffix : ".gz")
    }

    /// The record named `name`, `nil` for any other name.
    init?(name: String) {
        let patched = name.hasSuffix(Self.patchSuffix)
        guard patched || name.hasSuffix(".gz") else { return nil }
        let fields = name.dropLast(patched ? Self.patchSuffix.count : 3).split(separator: ".", omittingEmptySubsequences: false)
        guard fields.count >= 3, let identity = fields.last?.split(separator: "-"), identity.count == 2,
              let device = UInt64(identity[0]), let inode = UInt64(identity[1]), let form = Form(rawValue: String(fields[fields.count - 2])) else { return nil }
        let version = fields.dropLast(2).joined(separator: ".")
        guard !version.isEmpty else { return nil }
        self.init(version: version, form: form, folder: FileIdentity(device: device, inode: inode), patched: patched)
        guard self.name == name else { return nil }
    }
}

/// `state_dir/kept-indexes`: the ``KeptIndex`` records of the release folders a delta staged.
struct KeptIndexes: Sendable {
    let directory: StateDirectory

    /// The most records kept as index patches between a record and the gzip text it is made from: a record
    /// made from an index patch whose base is this deep is kept as its text instead, so that making a text
    /// again never applies more patches than this.
    static let maxPatchChain = 8
    /// The first line of a record kept as an index patch: this, a tab, the name of its base, a line feed.
    static let patchRecordMagic = "ota-kept-index-patch 1"
    /// The longest first line of such a record.
    static let patchRecordHeaderBytes = 512

    static let folder = StateDirectory.Entry.keptIndexes
    var path: String { directory.path + "/" + Self.folder }

    /// Keeps the verified index file `downloaded` (in `state_dir/downloads`, whose descriptor `fd` the index was
    /// parsed through) as the record of the staged folder `stagedFolder`, once every file of the folder was
    /// placed and checked. The file is moved, not copied, and only when it is still the one read through `fd`.
    ///
    /// The record's time (its modification time) is set strictly after the clock reads now, so that it is later
    /// than the status-change time of every staged file, even where file times are taken from a clock that
    /// advances a tick (a few milliseconds) at a time: it waits at most that tick.
    @discardableResult
    func keep(_ downloaded: String, fd: Int32, version: String, form: KeptIndex.Form, stagedFolder: String) throws(SystemError) -> KeptIndex {
        var opened = stat()
        guard let folder = FileIdentity.of(stagedFolder), fstat(fd, &opened) == 0, let now = FileSystem.lstatInfo(downloaded),
              now.st_dev == opened.st_dev, now.st_ino == opened.st_ino, FileSystem.kind(of: now) == .file else {
            throw SystemError("keep the delta index \(downloaded) (it was replaced or removed)", errno: ESTALE)
        }
        try stampAfterNow(fd, downloaded)
        let record = KeptIndex(version: version, form: form, folder: folder)
        try FileSystem.makeDirectories(path, mode: 0o700)
        try FileSystem.rename(downloaded, path + "/" + record.name)
        removeOlder(than: record)
        return record
    }

    /// Keeps `index`, which the device made by hashing the release folder `stagedFolder` it extracted from the
    /// full archive, as that folder's record (``KeptIndex/Form/hashed``), timed as ``keep(_:fd:version:form:stagedFolder:)``
    /// times a fetched one.
    @discardableResult
    func keep(made index: DeltaIndex, version: String, stagedFolder: String) throws(SystemError) -> KeptIndex {
        guard let folder = FileIdentity.of(stagedFolder) else { throw SystemError("keep the record of \(stagedFolder) (it is gone)", errno: ENOENT) }
        return try keep(KeptIndex(version: version, form: .hashed, folder: folder), bytes: index.encoded())
    }

    /// Keeps the index patch `patch` (its verified file), from which the device made the index it staged the
    /// release folder `stagedFolder` from, as that folder's record: the name of `base` (the record whose text the
    /// patch applies to) on a first line, then the patch. ``DeltaIndexBase`` makes the text again from the two;
    /// `base` is kept as long as a record needs it (``prune(keeping:)``). Timed as
    /// ``keep(_:fd:version:form:stagedFolder:)`` times a fetched index.
    @discardableResult
    func keep(patch: [UInt8], base: KeptIndex, version: String, form: KeptIndex.Form, stagedFolder: String) throws(SystemError) -> KeptIndex {
        guard let folder = FileIdentity.of(stagedFolder) else { throw SystemError("keep the record of \(stagedFolder) (it is gone)", errno: ENOENT) }
        let line = Array("\(Self.patchRecordMagic)\t\(base.name)\n".utf8)
        return try keep(KeptIndex(version: version, form: form, folder: folder, patched: true), bytes: line + patch)
    }

    /// Writes `bytes` as `record`, times it, and removes the older records of its version.
    private func keep(_ record: KeptIndex, bytes: [UInt8]) throws(SystemError) -> KeptIndex {
        try directory.write(bytes, to: record.name, in: Self.folder)
        let fd = try directory.open(record.name, in: Self.folder, flags: O_RDONLY)
        defer { close(fd) }
        try stampAfterNow(fd, path + "/" + record.name)
        removeOlder(than: record)
        return record
    }

    /// Sets the modification time of `fd` to the file system's time now, repeated until it is later than the
    /// clock's reading on entry (at most about 100 ms, else the clock was set back: nothing is kept).
    func stampAfterNow(_ fd: Int32, _ shown: String) throws(SystemError) {
        var entry = timespec()
        clock_gettime(CLOCK_REALTIME, &entry)
        for _ in 0..<100 {
            var info = stat()
            guard futimens(fd, nil) == 0, fstat(fd, &info) == 0 else { throw SystemError.last("set the time of \(shown)") }
            if (info.st_mtim.tv_sec, info.st_mtim.tv_nsec) > (entry.tv_sec, entry.tv_nsec) { return }
            var pause = timespec(tv_sec: 0, tv_nsec: 1_000_000)
            nanosleep(&pause, nil)
        }
        throw SystemError("set the time of \(shown) (the clock does not advance)", errno: EAGAIN)
    }

    /// The records kept, by name (unreadable names are skipped).
    func all() -> [KeptIndex] {
        ((try? directory.names(in: Self.folder)) ?? []).compactMap { KeptIndex(name: $0) }
    }

    /// The record of the release folder `folder` (named by its version), when it is still the folder that was staged.
    func record(of folder: String) -> KeptIndex? {
        guard let identity = FileIdentity.of(folder) else { return nil }
        let version = String(folder.split(separator: "/").last ?? "")
        return all().first { $0.version == version && $0.folder == identity }
    }

    /// The record's time (its modification time), `nil` when it is gone or not a plain file.
    func keptAt(_ record: KeptIndex) -> timespec? {
        guard let info = FileSystem.lstatInfo(path + "/" + record.name), FileSystem.kind(of: info) == .file else { return nil }
        return info.st_mtim
    }

    /// The record of the release folder `folder`, read under `policy`: `nil` when there is none, or when it
    /// cannot be read or parsed (the folder's files are then hashed).
    func tree(of folder: String, policy: ExtractionPolicy) -> RecordedTree? {
        guard let record = record(of: folder), let keptAt = keptAt(record) else { return nil }
        let parsed: DeltaIndex?
        if record.patched {
            let text = try? DeltaIndexBase(keptIndexAt: path + "/" + record.name, limit: DeltaIndexPatch.maxTextBytes(for: policy)).textBytes()
            parsed = text.flatMap { text in
                record.form == .pack ? try? DeltaPackedIndex.parse(text: text, policy: policy).0 : try? DeltaIndexParser(policy: policy).parse(text: text)
            }
        } else {
            guard let fd = try? directory.open(record.name, in: Self.folder, flags: O_RDONLY) else { return nil }
            defer { close(fd) }
            let source = FileByteSource(fd: fd)
            parsed = record.form == .pack ? try? DeltaPackedIndex.parse(compressed: source, policy: policy).0
                : try? DeltaIndexParser(policy: policy).parse(compressed: source)
        }
        return parsed.map { RecordedTree(index: $0, keptAt: keptAt, changed: changedPaths(of: record)) }
    }

    /// Removes the records of versions other than `versions` (the releases the device still holds), except
    /// those a kept record made from an index patch applies to.
    func prune(keeping versions: Set<String>) {
        keepOnly(all().filter { versions.contains($0.version) })
    }

    /// Removes the records of `record`'s version other than `record`, except those another record applies to.
    private func removeOlder(than record: KeptIndex) {
        keepOnly(all().filter { $0.version != record.version || $0 == record })
    }

    /// Removes every record but `live` and the records they are made from (their bases, and theirs).
    private func keepOnly(_ live: [KeptIndex]) {
        var needed = Set(live.map(\.name))
        var unread = live
        while let record = unread.popLast() {
            guard record.patched, let base = base(of: record), needed.insert(base.name).inserted else { continue }
            unread.append(base)
        }
        for record in all() where !needed.contains(record.name) { remove(record) }
    }

    /// The record that `record` (kept as an index patch) applies to, named on its first line; `nil` when the
    /// line cannot be read or does not name a record.
    func base(of record: KeptIndex) -> KeptIndex? {
        guard let fd = try? directory.open(record.name, in: Self.folder, flags: O_RDONLY) else { return nil }
        defer { close(fd) }
        guard let head = try? Syscall.readAll(fd, limit: Self.patchRecordHeaderBytes, "read \(record.name)") else { return nil }
        return Self.patchRecordBase(head).flatMap { KeptIndex(name: $0.name) }
    }

    /// The base's name on the first line of a record kept as an index patch, and where the patch starts;
    /// `nil` when the line is missing or malformed, or names no record (such as a path with a slash).
    static func patchRecordBase(_ bytes: [UInt8]) -> (name: String, patchStart: Int)? {
        let prefix = Array((patchRecordMagic + "\t").utf8)
        guard bytes.starts(with: prefix), let end = bytes.prefix(patchRecordHeaderBytes).firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let name = String(decoding: bytes[prefix.count..<end], as: UTF8.self)
        guard !name.contains("/"), KeptIndex(name: name) != nil else { return nil }
        return (name, end + 1)
    }

    /// Removes a record and its changed list.
    private func remove(_ record: KeptIndex) {
        try? directory.remove(Self.changedListName(of: record), in: Self.folder)
        try? directory.remove(record.name, in: Self.folder)
    }
}
