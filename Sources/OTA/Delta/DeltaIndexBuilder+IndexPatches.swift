import Crypto
import Foundation

extension DeltaIndexBuilder {
    /// Writes, beside the new index at `indexPath` (whose inflated text is `text`), an index patch
    /// (``DeltaIndexPatch``) from the index of each archive of `oldArchives` that has one beside it
    /// (`<old archive>.index.gz`, as the release was published), named `<archive>.index.<base>.patch`;
    /// one is kept only when it is smaller than the index. Returns the patches written and the old archives
    /// without an index beside them.
    /// - Throws: ``ArchiveError`` when a patch cannot be made; `SystemError` when writing fails.
    static func writeIndexPatches(of text: [UInt8], indexPath: String, from oldArchives: [String]) throws -> (written: [String], unindexed: [String]) {
        let compressedLength = FileSystem.lstatInfo(indexPath).map { Int($0.st_size) } ?? Gzip.compress(text).count
        var written: [String] = [], unindexed: [String] = []
        for old in oldArchives {
            guard let compressed = FileManager.default.contents(atPath: old + ".index.gz").map(Array.init) else {
                unindexed.append(old)
                continue
            }
            let oldText = try Gzip.decompress(compressed, limit: DeltaIndexPatch.maxTextCap)
            let patch = try DeltaIndexPatch.make(from: oldText, to: text)
            guard patch.count < compressedLength else { continue }
            let name = DeltaIndexPatch.fileName(ofIndex: PathName.lastComponent(of: indexPath), base: Hex.lowercase(SHA256.hash(data: oldText)))
            let path = FileSystem.parent(indexPath) + "/" + name
            try AtomicFile.write(patch, to: path, mode: 0o644)
            if !written.contains(path) { written.append(path) }
        }
        return (written, unindexed)
    }
}
