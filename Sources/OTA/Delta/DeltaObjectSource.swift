import Foundation

/// Where a release's delta objects are fetched from.
public enum DeltaObjectSource: Sendable, Equatable {
    /// One file per object, `<URL>/<first two hex digits>/<sha256>` (the objects folder beside a TUF repository).
    case folder(URL)
    /// Byte ranges of one pack file (a release asset of `size` bytes, called `name`), at the offsets the
    /// pack section of the signed index gives.
    case pack(url: URL, name: String, size: Int)
}

extension DeltaObjectSource {
    /// Whether the objects are ranges of a pack (the index is then in the packed form).
    var isPack: Bool {
        if case .pack = self { return true }
        return false
    }

    /// The patches folder beside an objects folder: `<objects>/../patches`, each patch at ``DeltaPatch/relativePath``.
    static func patchesFolder(besideObjects objects: URL) -> URL {
        objects.deletingLastPathComponent().appendingPathComponent("patches")
    }

    /// Reads the verified, gzip-compressed index of this source from `source` under `policy`, inflated and
    /// parsed a chunk at a time (neither its bytes nor its text are held): for a folder, the index alone; for
    /// a pack, the index and its pack section (``DeltaPackedIndex``).
    /// - Throws: ``ArchiveError`` for an index that breaks the archive safety rules or the format.
    func index(reading source: ByteSource, policy: ExtractionPolicy) throws(ArchiveError) -> (DeltaIndex, DeltaPackTable?) {
        switch self {
        case .folder: return (try DeltaIndexParser(policy: policy).parse(compressed: source), nil)
        case .pack: return try DeltaPackedIndex.parse(compressed: source, policy: policy)
        }
    }

    /// Reads the verified index text `text` of this source under `policy`, as ``index(reading:policy:)`` reads
    /// its gzip file.
    func index(text: [UInt8], policy: ExtractionPolicy) throws(ArchiveError) -> (DeltaIndex, DeltaPackTable?) {
        switch self {
        case .folder: return (try DeltaIndexParser(policy: policy).parse(text: text), nil)
        case .pack: return try DeltaPackedIndex.parse(text: text, policy: policy)
        }
    }
}
