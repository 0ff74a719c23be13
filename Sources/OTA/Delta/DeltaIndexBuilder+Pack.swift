import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension DeltaIndexBuilder {
    /// What ``buildPack(archiveAt:scratch:)`` wrote.
    public struct PackOutput: Sendable {
        /// The index (its pack section aside).
        public var index: DeltaIndex
        /// Where each object lies in the pack.
        public var table: DeltaPackTable
        /// `<archive>.index.gz`: the index followed by the pack section (``DeltaPackedIndex``).
        public var indexPath: String
        /// `<archive>.pack`: every distinct content, one gzip member each, concatenated.
        public var packPath: String
    }

    /// Indexes the archive at `archivePath` and writes, beside it, `<archive>.pack` (each distinct content
    /// gzip-compressed as an object, in the order of the first path that holds it, so that files of one
    /// folder lie together) and `<archive>.index.gz` (the index with the pack's table), replacing earlier
    /// ones. `scratch` is an existing folder for the extracted tree, removed again before returning.
    /// - Throws: ``ArchiveError`` for an archive the extractor refuses; `SystemError` when writing fails.
    public func buildPack(archiveAt archivePath: String, scratch: String) throws -> PackOutput {
        let staging = scratch + "/pack-" + UUID().uuidString.prefix(8)
        let result = try Extractor(policy: policy).extract(archiveAt: archivePath, into: staging)
        defer { try? FileSystem.removeTree(staging) }
        let (index, sources) = try Self.index(ofTreeAt: result.root)
        let packPath = archivePath + ".pack", indexPath = archivePath + ".index.gz"
        let temporary = packPath + ".tmp-" + UUID().uuidString.prefix(8)
        let table: DeltaPackTable
        do {
            table = try Self.writePack(index, sources: sources, to: temporary)
            try FileSystem.rename(temporary, packPath)
        } catch {
            unlink(temporary)
            throw error
        }
        try AtomicFile.write(DeltaPackedIndex.encoded(index: index, table: table), to: indexPath, mode: 0o644)
        return PackOutput(index: index, table: table, indexPath: indexPath, packPath: packPath)
    }

    /// Writes each distinct content of `index` (read from `sources`, SHA-256 → path) into a new pack file.
    private static func writePack(_ index: DeltaIndex, sources: [String: String], to path: String) throws(SystemError) -> DeltaPackTable {
        let fd = try Syscall.retryingInterrupts("create \(path)") { open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644) }
        defer { close(fd) }
        var objects: [DeltaPackTable.Object] = []
        var offset: Int64 = 0
        for content in DeltaPackTable.packOrder(of: index) {
            guard let source = sources[content.sha256] else { throw SystemError("pack \(content.sha256) (no file of the tree holds it)", errno: EINVAL) }
            let length = try Gzip.compressFile(source, appendingTo: fd, name: path)
            objects.append(.init(sha256: content.sha256, offset: offset, length: length))
            offset += length
        }
        guard fsync(fd) == 0 else { throw SystemError.last("fsync \(path)") }
        return DeltaPackTable(size: offset, objects: objects)
    }
}
