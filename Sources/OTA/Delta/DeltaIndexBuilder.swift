import Foundation

/// Makes the delta index of a release archive and its content-addressed objects (the publisher's side).
///
/// The archive is extracted with the device's extractor (the same safety policy and top-level folder
/// stripping), so the index lists exactly the tree a device stages from the full archive.
public struct DeltaIndexBuilder: Sendable {
    /// The limits applied to the archive (the extractor's defaults unless given).
    public var policy: ExtractionPolicy

    public init(policy: ExtractionPolicy = ExtractionPolicy()) {
        self.policy = policy
    }

    /// What ``build(archiveAt:objectsDirectory:patchFrom:patchesDirectory:scratch:)`` produced.
    public struct Output: Sendable {
        /// The index.
        public var index: DeltaIndex
        /// Objects written (contents not yet in the objects folder).
        public var objectsWritten: Int
        /// Compressed bytes of the objects written.
        public var objectBytesWritten: Int64
        /// Patches written (not yet in the patches folder), and their bytes; the index lists them all.
        public var patchesWritten = 0
        public var patchBytesWritten: Int64 = 0
    }

    /// Indexes the archive at `archivePath` and writes each content missing from `objectsDirectory` as
    /// `<objectsDirectory>/<first two hex digits>/<sha256>` (gzip), and the zstd patches from each archive of
    /// `patchFrom` (earlier releases) into `patchesDirectory`,
    /// which the index lists. `scratch` is an existing folder for the extracted trees, removed again before returning.
    /// - Throws: ``ArchiveError`` for an archive the extractor refuses; `SystemError` when writing fails.
    public func build(archiveAt archivePath: String, objectsDirectory: String, patchFrom: [String] = [],
                      patchesDirectory: String? = nil, scratch: String) throws -> Output {
        let staging = scratch + "/index-" + UUID().uuidString.prefix(8)
        let result = try Extractor(policy: policy).extract(archiveAt: archivePath, into: staging)
        defer { try? FileSystem.removeTree(staging) }
        var (index, sources) = try Self.index(ofTreeAt: result.root)
        var patches = PatchOutput(patches: [], written: 0, bytesWritten: 0)
        if let patchesDirectory, !patchFrom.isEmpty {
            patches = try makePatches(of: index, root: result.root, from: patchFrom, into: patchesDirectory, scratch: scratch)
            index.patches = patches.patches
        }
        var written = 0
        var bytes: Int64 = 0
        for (sha256, source) in sources.sorted(by: { $0.key < $1.key }) {
            if let size = try DeltaObjectStore.write(contentAt: source, sha256: sha256, into: objectsDirectory) {
                written += 1
                bytes += size
            }
        }
        return Output(index: index, objectsWritten: written, objectBytesWritten: bytes, patchesWritten: patches.written,
                      patchBytesWritten: patches.bytesWritten)
    }

    /// The index of the tree at `root`, and one path holding each distinct content (SHA-256 → path).
    static func index(ofTreeAt root: String) throws(SystemError) -> (DeltaIndex, [String: String]) {
        var sources: [String: String] = [:]
        let index = try index(ofTreeAt: root) { sha256, path in
            if sources[sha256] == nil { sources[sha256] = path }
        }
        return (index, sources)
    }

    /// The index of the tree at `root`, read a folder at a time; `file` is told each file's SHA-256 and path.
    static func index(ofTreeAt root: String, file: (_ sha256: String, _ path: String) -> Void) throws(SystemError) -> DeltaIndex {
        var entries: [DeltaIndex.Entry] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: FileDigest.chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        try FileSystem.forEachEntry(under: root) { (item) throws(SystemError) in
            let mode = UInt32(item.mode & 0o777)
            switch item.kind {
            case .file:
                let full = root + "/" + item.path
                let sha256 = try FileDigest.sha256(ofFileAt: full, reusing: buffer)
                entries.append(.init(path: item.path, kind: .file(size: Int64(item.size), sha256: sha256), mode: mode))
                file(sha256, full)
            case .directory:
                entries.append(.init(path: item.path, kind: .directory, mode: mode))
            case .symlink:
                entries.append(.init(path: item.path, kind: .symbolicLink(target: item.target ?? ""), mode: 0))
            case .other:
                throw SystemError("index \(item.path) (not a file, folder or symbolic link)", errno: EINVAL)
            }
        }
        return DeltaIndex(entries: entries)
    }
}

/// The content-addressed objects folder: `<objects>/<first two hex digits>/<sha256>`, each a gzip member.
public enum DeltaObjectStore {
    /// The object's path relative to the objects folder, e.g. `3f/3f6a…`.
    public static func relativePath(of sha256: String) -> String {
        String(sha256.prefix(2)) + "/" + sha256
    }

    /// Writes the content at `source` (whose SHA-256 is `sha256`) as an object unless it exists; returns the
    /// compressed size written, or `nil` when the object was there already.
    static func write(contentAt source: String, sha256: String, into objects: String) throws(SystemError) -> Int64? {
        let destination = objects + "/" + relativePath(of: sha256)
        if FileSystem.exists(destination) { return nil }
        try FileSystem.makeDirectories(FileSystem.parent(destination))
        let temporary = destination + ".tmp-" + UUID().uuidString.prefix(8)
        do {
            try Gzip.compressFile(source, to: temporary)
            try FileSystem.rename(temporary, destination)
        } catch {
            unlink(temporary)
            throw error
        }
        return Int64(FileSystem.lstatInfo(destination)?.st_size ?? 0)
    }
}
