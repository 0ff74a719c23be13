import Foundation
import Synchronization
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
        changed.formUnion(Self.changedFiles(of: folder, index: index, since: keptAt, skipping: changed))
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

    /// The files `index` lists that `folder` no longer holds as they were recorded at `keptAt` (other than those
    /// in `known`), found by two workers, each `lstat`ing half of them.
    static func changedFiles(of folder: String, index: DeltaIndex, since keptAt: timespec, skipping known: Set<String>,
                             workers: Int = 2) -> Set<String> {
        let tree = RecordedTree(index: index, keptAt: keptAt)
        let found = Mutex<Set<String>>([])
        let share = (index.count + workers - 1) / workers
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var changed: Set<String> = []
            for position in (worker * share)..<min(index.count, (worker + 1) * share) where index.records[position].type == .file {
                let path = index.path(position)
                guard !known.contains(path) else { continue }
                if FileSystem.lstatInfo(folder + "/" + path).flatMap({ tree.digest(of: path, info: $0) }) == nil { changed.insert(path) }
            }
            found.withLock { $0.formUnion(changed) }
        }
        return found.withLock { $0 }
    }

    /// The paths the record's changed list names (none when it has no list).
    func changedPaths(of record: KeptIndex) -> Set<String> {
        guard let bytes = try? directory.read(Self.changedListName(of: record), in: Self.folder) else { return [] }
        return Set(bytes.split(separator: UInt8(ascii: "\n")).map { String(decoding: $0, as: UTF8.self) })
    }
}
