import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension DeltaIndexBuilder {
    /// What ``buildPack(archiveAt:patchFrom:scratch:)`` wrote.
    public struct PackOutput: Sendable {
        /// The index (its pack section aside).
        public var index: DeltaIndex
        /// Where each object lies in the pack.
        public var table: DeltaPackTable
        /// `<archive>.index.gz`: the index followed by the pack section (``DeltaPackedIndex``).
        public var indexPath: String
        /// `<archive>.pack`: every distinct content, one gzip member each, concatenated.
        public var packPath: String
        /// The index patches written beside the index (`<archive>.index.<base>.patch`, ``DeltaIndexPatch``),
        /// from the indexes of the archives patched from.
        public var indexPatchPaths: [String] = []
        /// The archives patched from that have no index beside them (`<archive>.index.gz`): no index patch from those.
        public var unindexedBases: [String] = []
    }

    /// Indexes the archive at `archivePath` and writes, beside it, `<archive>.pack` (each distinct content
    /// gzip-compressed as an object, in the order of the first path that holds it, so that files of one
    /// folder lie together; then the zstd patches from each archive of `patchFrom`, earlier releases, in the
    /// index's order) and `<archive>.index.gz` (the index, its patches, and the pack's table), replacing
    /// earlier ones, and beside them an index patch (``DeltaIndexPatch``) from the index of each archive of
    /// `patchFrom` that has one beside it (`<old archive>.index.gz`). `scratch` is an existing folder for the extracted trees, removed again before returning.
    /// - Throws: ``ArchiveError`` for an archive the extractor refuses; `SystemError` when writing fails.
    public func buildPack(archiveAt archivePath: String, patchFrom: [String] = [], scratch: String) throws -> PackOutput {
        let staging = scratch + "/pack-" + UUID().uuidString.prefix(8)
        let result = try Extractor(policy: policy).extract(archiveAt: archivePath, into: staging)
        defer { try? FileSystem.removeTree(staging) }
        var (index, sources) = try Self.index(ofTreeAt: result.root)
        let patchesDirectory = scratch + "/patches-" + UUID().uuidString.prefix(8)
        defer { try? FileSystem.removeTree(patchesDirectory) }
        if !patchFrom.isEmpty {
            index.patches = try makePatches(of: index, root: result.root, from: patchFrom, into: patchesDirectory, scratch: scratch).patches
        }
        let packPath = archivePath + ".pack", indexPath = archivePath + ".index.gz"
        let temporary = packPath + ".tmp-" + UUID().uuidString.prefix(8)
        let table: DeltaPackTable
        do {
            table = try Self.writePack(index, sources: sources, patches: patchesDirectory, to: temporary)
            try FileSystem.rename(temporary, packPath)
        } catch {
            unlink(temporary)
            throw error
        }
        let text = Array((index.text() + table.text()).utf8)
        try AtomicFile.write(Gzip.compress(text), to: indexPath, mode: 0o644)
        let (patches, unindexed) = try Self.writeIndexPatches(of: text, indexPath: indexPath, from: patchFrom)
        return PackOutput(index: index, table: table, indexPath: indexPath, packPath: packPath, indexPatchPaths: patches, unindexedBases: unindexed)
    }

    /// Writes each distinct content of `index` (read from `sources`, SHA-256 → path) into a new pack file,
    /// then its patches (read from the folder `patches`).
    private static func writePack(_ index: DeltaIndex, sources: [String: String], patches: String, to path: String) throws(SystemError) -> DeltaPackTable {
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
        for patch in index.patches {
            let source = patches + "/" + patch.relativePath
            let input = try Syscall.retryingInterrupts("open \(source)") { open(source, O_RDONLY | O_CLOEXEC) }
            defer { close(input) }
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
            defer { buffer.deallocate() }
            let copied = try Syscall.forEachChunk(of: input, buffer: buffer, "read \(source)") { (chunk) throws(SystemError) in
                try Syscall.writeAll(fd, chunk, "write \(path)")
            }
            guard Int64(copied) == patch.length else { throw SystemError("pack the patch \(source) (its size changed)", errno: EIO) }
            offset += patch.length
        }
        guard fsync(fd) == 0 else { throw SystemError.last("fsync \(path)") }
        return DeltaPackTable(size: offset, objects: objects)
    }
}
