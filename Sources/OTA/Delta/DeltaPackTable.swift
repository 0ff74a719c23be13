/// Where each object of a delta index lies in its pack file: the pack section of a GitHub release's index.
///
/// The pack (`<archive>.pack`) is every distinct content of the index, each one gzip member as in the
/// objects folder, concatenated in **pack order**: the order of the first file of the index that holds each
/// content. The order is the index's, so the table needs no hashes, only each object's compressed length:
///
/// ```text
/// ota-pack 1	<pack size>
/// <length of the first object>
/// <length of the second object>
/// ```
///
/// The index's patches (``DeltaIndex/patches``) follow the objects in the pack, in the order of the patch section.
///
/// It is read strictly, because the ranges a device requests come from it: one length per distinct content,
/// each above 0 and no longer than its content could compress to, adding up with the patches' lengths to the
/// pack's size.
public struct DeltaPackTable: Sendable, Equatable {
    /// One object of the pack.
    public struct Object: Sendable, Equatable {
        /// The SHA-256 of the uncompressed content, lowercase hex.
        public var sha256: String
        /// Its first byte in the pack.
        public var offset: Int64
        /// Its compressed length in bytes.
        public var length: Int64

        public init(sha256: String, offset: Int64, length: Int64) {
            self.sha256 = sha256
            self.offset = offset
            self.length = length
        }

        /// The bytes of the pack it occupies.
        public var range: Range<Int64> { offset..<(offset + length) }
    }

    /// The first line's fixed part.
    static let header = "ota-pack 1"

    /// The pack's size in bytes.
    public var size: Int64
    /// The objects, in pack order.
    public var objects: [Object]

    public init(size: Int64, objects: [Object]) {
        self.size = size
        self.objects = objects
    }

    /// The objects by SHA-256.
    var bySHA256: [String: Object] {
        Dictionary(objects.map { ($0.sha256, $0) }) { first, _ in first }
    }

    /// Where each of `patches` (the index's, in order) lies in the pack: after the objects, one after another.
    func locations(of patches: [DeltaPatch]) -> [DeltaPatch: Object] {
        var offset = objects.last?.range.upperBound ?? 0
        var result: [DeltaPatch: Object] = [:]
        for patch in patches {
            result[patch] = Object(sha256: patch.newSHA256, offset: offset, length: patch.length)
            offset += patch.length
        }
        return result
    }

    /// The distinct contents of `index` (SHA-256 and size) in pack order: that of the first file holding each.
    public static func packOrder(of index: DeltaIndex) -> [(sha256: String, size: Int64)] {
        contents(of: index).map { ($0.digest.hex, $0.size) }
    }

    /// ``packOrder(of:)`` in the compact form, read from the index's records.
    static func contents(of index: DeltaIndex) -> [(digest: ContentDigest, size: Int64)] {
        var seen = Set<ContentDigest>()
        var order: [(digest: ContentDigest, size: Int64)] = []
        for record in index.records where record.type == .file && seen.insert(record.digest).inserted {
            order.append((record.digest, record.size))
        }
        return order
    }

    /// The text form (see the type's description).
    public func text() -> String {
        var lines = ["\(Self.header)\t\(size)"]
        lines.reserveCapacity(objects.count + 1)
        for object in objects { lines.append(String(object.length)) }
        return lines.joined(separator: "\n") + "\n"
    }
}
