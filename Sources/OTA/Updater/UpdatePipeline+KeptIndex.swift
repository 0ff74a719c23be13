import Foundation

/// The record of a release folder (``KeptIndex``) and the index it holds, resealed when the release is committed.
struct FolderRecord {
    let kept: KeptIndex
    let index: DeltaIndex
}

extension UpdatePipeline {
    /// The kept index of the installed release in the form of the release offered (`packed`: GitHub assets,
    /// else the folder form), when the device keeps one: the base of an index patch.
    func keptIndexPath(_ kept: KeptIndexes, packed: Bool) -> String? {
        guard let version = try? installer.currentVersion() else { return nil }
        return kept.all().first { $0.version == version.description && $0.form == (packed ? .pack : .folder) }.map { kept.path + "/" + $0.name }
    }

    /// When a delta may follow (`delta` on, the `releases` layout, a source that publishes delta indexes), the
    /// record of the release folder `root` extracted from its full archive: the index the device makes by hashing
    /// its files once (``KeptIndex/Form/hashed``), so that the next delta takes them on their SHA-256s instead of
    /// hashing them then. `nil` (logged) when none is kept: the next delta hashes, as without a record.
    func keepHashedRecord(of root: String, version: SemanticVersion) -> FolderRecord? {
        guard deltaEnabled, layout == .releases, source is any DeltaLocating else { return nil }
        do {
            let index = try DeltaIndexBuilder.index(ofTreeAt: root) { _, _ in }
            let keptIndexes = KeptIndexes(directory: directory)
            let kept = try keptIndexes.keep(made: index, version: version.description, stagedFolder: root)
            keptIndexes.prune(keeping: heldVersions().union([version.description]))
            logger.debug("release folder hashed for the next delta", metadata: ["ota.entries": "\(index.count)", "ota.bytes": "\(index.totalFileBytes)"])
            return FolderRecord(kept: kept, index: index)
        } catch {
            logger.warning("no record of the extracted release is kept; the next delta update hashes its files", metadata: ["ota.error": "\(error.message)"])
            return nil
        }
    }
}
