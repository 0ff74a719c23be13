import Crypto
import Foundation

extension TUFPublisher {
    /// The index patches of a new index (its inflated `text`, published as the target `indexPath`) from the
    /// indexes of the archives `olds` (earlier releases'; `targets` are the repository's): for each whose
    /// index file is in the repository, a ``DeltaIndexPatch`` from its inflated text, written into `scratch`
    /// as the target `<archive>.index.<base>.patch` beside the index — kept only when it is smaller than the
    /// index it replaces.
    /// - Throws: when a patch cannot be made or written.
    func indexPatches(of text: [UInt8], indexPath: String, from olds: [TUFPublishedTarget], targets: [String: TUFPublishedTarget],
                      scratch: String) throws(TUFPublishError) -> [(source: String, target: TUFPublishedTarget)] {
        let compressedLength = Gzip.compress(text).count
        let limit = DeltaIndexPatch.maxTextCap
        var result: [(source: String, target: TUFPublishedTarget)] = []
        for old in olds {
            guard let oldIndexPath = old.release?.index, let oldIndex = targets[oldIndexPath],
                  let compressed = FileManager.default.contents(atPath: layout.target(oldIndex.storedPath)).map(Array.init),
                  let oldText = try? Gzip.decompress(compressed, limit: limit), Int64(text.count) <= limit else { continue }
            let patch: [UInt8]
            do {
                patch = try DeltaIndexPatch.make(from: oldText, to: text)
            } catch {
                throw TUFPublishError(.io, "Cannot make the index patch of \(indexPath) from \(oldIndexPath): \(error.message).")
            }
            guard patch.count < compressedLength else { continue }
            let base = Hex.lowercase(SHA256.hash(data: oldText))
            let path = PathName.deletingLastComponent(of: indexPath) + "/"
                + DeltaIndexPatch.fileName(ofIndex: PathName.lastComponent(of: indexPath), base: base)
            guard !result.contains(where: { $0.target.path == path }) else { continue }
            let file = scratch + "/" + UUID().uuidString + ".patch"
            guard FileManager.default.createFile(atPath: file, contents: Data(patch)) else {
                throw TUFPublishError(.io, "Cannot write a temporary file in \(scratch); check the free space.")
            }
            result.append((file, TUFPublishedTarget(path: path, length: patch.count, hashes: ["sha256": Hex.lowercase(SHA256.hash(data: patch))], custom: nil)))
        }
        return result
    }
}
