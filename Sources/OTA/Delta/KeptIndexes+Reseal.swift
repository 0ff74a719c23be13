#if canImport(Glibc)
import Glibc
#endif

extension KeptIndexes {
    /// The name of the list of a record's files changed since it was kept (``reseal(_:index:folder:around:)``).
    static func changedListName(of record: KeptIndex) -> String { record.name + ".changed" }

    /// Runs `removals` — the agent removing folders whose files are linked into the release folder `folder`
    /// (pruning old releases, a holding folder), which sets those files' `ctime` — and then times the record
    /// anew, so that the files it vouched for stay vouched for.
    ///
    /// First, each file `index` lists is checked against the record as the next delta would check it: the
    /// files changed since the record was kept (a preserved path carried over, a file the application rewrote)
    /// are written to the record's changed list, which the record never vouches for again. Then `removals` run,
    /// then the record's time is set after the clock's reading. When the folder is not the one recorded, the
    /// list cannot be written, or the time not set, the record keeps its time: the files whose `ctime` the
    /// removals set are then hashed by the next delta.
    func reseal(_ record: KeptIndex, index: DeltaIndex, folder: String, around removals: () -> Void) {
        guard FileIdentity.of(folder) == record.folder, let keptAt = keptAt(record) else { return removals() }
        var changed = changedPaths(of: record)
        let tree = RecordedTree(index: index, keptAt: keptAt)
        for position in 0..<index.count where index.records[position].type == .file {
            let path = index.path(position)
            guard !changed.contains(path) else { continue }
            if FileSystem.lstatInfo(folder + "/" + path).flatMap({ tree.digest(of: path, info: $0) }) == nil { changed.insert(path) }
        }
        removals()
        do {
            if changed.isEmpty {
                try directory.remove(Self.changedListName(of: record), in: Self.folder)
            } else {
                try directory.write(Array(changed.sorted().joined(separator: "\n").utf8), to: Self.changedListName(of: record), in: Self.folder)
            }
            let fd = try directory.open(record.name, in: Self.folder, flags: O_RDONLY)
            defer { close(fd) }
            try stampAfterNow(fd, path + "/" + record.name)
        } catch {
            return
        }
    }

    /// The paths the record's changed list names (none when it has no list).
    func changedPaths(of record: KeptIndex) -> Set<String> {
        guard let bytes = try? directory.read(Self.changedListName(of: record), in: Self.folder) else { return [] }
        return Set(bytes.split(separator: UInt8(ascii: "\n")).map { String(decoding: $0, as: UTF8.self) })
    }
}
