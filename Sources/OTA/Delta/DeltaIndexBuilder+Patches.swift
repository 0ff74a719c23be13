import Crypto
import Foundation

extension DeltaIndexBuilder {
    /// The patches the builder made for an index.
    public struct PatchOutput: Sendable {
        /// The patches, sorted as the index lists them.
        public var patches: [DeltaPatch]
        /// Patches written (not yet in the patches folder), and their bytes.
        public var written: Int
        public var bytesWritten: Int64
    }

    /// Makes the zstd patches of the tree at `root` (indexed as `index`) from each release archive of
    /// `oldArchives`: for each file whose content differs from the file at the same path of the old tree
    /// (extracted as a device would), both at most ``ZstdPatch/maxContentBytes``, a patch (``ZstdPatch``),
    /// kept when it is smaller than the content's object. Each is written into `directory` at its
    /// ``DeltaPatch/relativePath`` unless it is there already. `scratch` is an existing
    /// folder for the extracted trees, removed again before returning.
    /// - Throws: ``ArchiveError`` for an old archive the extractor refuses; `SystemError` when writing fails.
    func makePatches(of index: DeltaIndex, root: String, from oldArchives: [String], into directory: String,
                     scratch: String) throws -> PatchOutput {
        var made: [DeltaPatch] = []
        var pairs = Set<[ContentDigest]>()
        var output = PatchOutput(patches: [], written: 0, bytesWritten: 0)
        for archive in oldArchives {
            let staging = scratch + "/old-" + UUID().uuidString.prefix(8)
            let result = try Extractor(policy: policy).extract(archiveAt: archive, into: staging)
            defer { try? FileSystem.removeTree(staging) }
            for entry in index.entries {
                guard case .file(let size, let sha256) = entry.kind, size <= ZstdPatch.maxContentBytes,
                      let old = Self.smallFile(result.root + "/" + entry.path), let new = ContentDigest(hex: sha256) else { continue }
                let oldDigest = ContentDigest(SHA256.hash(data: old))
                guard oldDigest != new, !pairs.contains([oldDigest, new]),
                      let content = FileManager.default.contents(atPath: root + "/" + entry.path).map(Array.init), content.count == size else { continue }
                let patch = try ZstdPatch.make(from: old, to: content)
                guard patch.count < Gzip.compress(content).count else { continue }
                pairs.insert([oldDigest, new])
                let described = DeltaPatch(old: oldDigest, new: new, length: Int64(patch.count))
                let destination = directory + "/" + described.relativePath
                if let existing = FileSystem.lstatInfo(destination) {
                    // Written by an earlier release's publication: that file is what devices fetch.
                    made.append(DeltaPatch(old: oldDigest, new: new, length: Int64(existing.st_size)))
                    continue
                }
                made.append(described)
                try FileSystem.makeDirectories(FileSystem.parent(destination))
                try AtomicFile.write(patch, to: destination, mode: 0o644)
                output.written += 1
                output.bytesWritten += Int64(patch.count)
            }
        }
        output.patches = made.sorted()
        return output
    }

    /// The bytes of the regular file at `path` when it is at most ``ZstdPatch/maxContentBytes``.
    private static func smallFile(_ path: String) -> [UInt8]? {
        guard let info = FileSystem.lstatInfo(path), FileSystem.kind(of: info) == .file, Int64(info.st_size) <= ZstdPatch.maxContentBytes else { return nil }
        return FileManager.default.contents(atPath: path).map(Array.init)
    }
}
