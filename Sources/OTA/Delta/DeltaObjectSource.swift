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
    /// Reads the verified, gzip-compressed index of this source under `policy`: for a pack, the index and its
    /// pack section (``DeltaPackedIndex``); for a folder, the index alone.
    /// - Throws: ``ArchiveError`` for an index that breaks the archive safety rules or the format.
    func index(in compressed: [UInt8], policy: ExtractionPolicy) throws(ArchiveError) -> (DeltaIndex, DeltaPackTable?) {
        switch self {
        case .folder: (try DeltaIndexParser(policy: policy).parse(compressed: compressed), nil)
        case .pack: try DeltaPackedIndex.parse(compressed: compressed, policy: policy)
        }
    }
}
