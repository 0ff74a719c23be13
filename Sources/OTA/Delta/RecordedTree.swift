#if canImport(Glibc)
import Glibc
#endif

/// A release folder's ``KeptIndex``, read: the SHA-256 each of its files had when the folder was staged,
/// and when the record was kept.
struct RecordedTree: Sendable {
    let index: DeltaIndex
    let keptAt: timespec
    /// Paths the record no longer vouches for: changed since it was kept, found when it was timed anew
    /// (``KeptIndexes/reseal(_:index:folder:around:)``).
    var changed: Set<String> = []

    /// The SHA-256 the record gives the file at `relative` (whose `lstat` is `info`) when the file is still
    /// that content: the record lists a file there of the same size, and the file has not changed since
    /// the record was kept (``DeltaAssembler/isUnchanged(_:since:)``). `nil` when the file must be hashed.
    func digest(of relative: String, info: stat) -> ContentDigest? {
        guard !changed.contains(relative), let position = index.position(of: relative.utf8) else { return nil }
        let record = index.records[position]
        guard record.type == .file, record.size == Int64(info.st_size), DeltaAssembler.isUnchanged(info, since: keptAt) else { return nil }
        return record.digest
    }
}
