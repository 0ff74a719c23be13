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
/// The index's patches (``DeltaPatchTable``) follow the objects in the pack, in the order of the patch section.
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
        var seen = Set<String>()
        var order: [(sha256: String, size: Int64)] = []
        for entry in index.entries {
            if case .file(let size, let sha256) = entry.kind, seen.insert(sha256).inserted { order.append((sha256, size)) }
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

    /// The table in `bytes` (its text form) for `index`.
    /// - Throws: ``ArchiveError`` naming the line that breaks the format or the rules.
    static func parse(text bytes: ArraySlice<UInt8>, index: DeltaIndex) throws(ArchiveError) -> DeltaPackTable {
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        guard lines.last?.isEmpty == true else { throw ArchiveError(.truncated, "the pack section does not end with a newline (it is cut short)") }
        lines.removeLast()
        let head = lines.first.map { String(decoding: $0, as: UTF8.self) } ?? ""
        let headFields = head.split(separator: "\t", omittingEmptySubsequences: false)
        guard headFields.count == 2, headFields[0] == Self.header, let size = DeltaIndexParser.size(String(headFields[1])) else {
            throw ArchiveError(.unsupportedFormat, "the pack section does not start with \"\(Self.header)<tab><pack size>\"")
        }
        let contents = packOrder(of: index)
        guard lines.count - 1 == contents.count else {
            throw ArchiveError(.malformedHeader, "the pack section lists \(lines.count - 1) objects, but the index has \(contents.count) distinct contents")
        }
        var objects: [Object] = []
        objects.reserveCapacity(contents.count)
        var offset: Int64 = 0
        for (number, (line, content)) in zip(lines.dropFirst(), contents).enumerated() {
            guard let length = DeltaIndexParser.size(String(decoding: line, as: UTF8.self)), length > 0 else {
                throw ArchiveError(.malformedHeader, "line \(number + 2) of the pack section is not a length above 0 (a decimal number without sign or leading zeros)")
            }
            guard length <= DeltaObjectWriter.compressedLimit(forSize: content.size) else {
                throw ArchiveError(.expansionRatio, "line \(number + 2) of the pack section gives \(length) compressed bytes for a content of \(content.size) bytes")
            }
            objects.append(Object(sha256: content.sha256, offset: offset, length: length))
            offset += length
        }
        // The index's patches follow the objects in the pack.
        let patchBytes = index.patches.reduce(Int64(0)) { $0 + $1.length }
        guard offset.addingReportingOverflow(patchBytes) == (size, false) else {
            let patches = patchBytes > 0 ? " and the index's patches take \(patchBytes) bytes after them" : ""
            throw ArchiveError(.sizeMismatch, "the pack section's objects end at \(offset)\(patches), but it gives the pack's size as \(size)")
        }
        return DeltaPackTable(size: size, objects: objects)
    }
}
