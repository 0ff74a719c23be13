/// Where each object of a delta index lies in its pack file: the pack section of a GitHub release's index.
///
/// The pack (`<archive>.pack`) is every distinct content of the index, each one gzip member as in the
/// objects folder, concatenated. Its table is text, one object a line, in the order of the pack:
///
/// ```text
/// ota-pack 1	<pack size>
/// o	<offset>	<length>	<sha256>
/// ```
///
/// It is read under strict rules, because the ranges a device requests come from it: the objects are
/// contiguous from offset 0 to the pack's size, every content of the index is there exactly once and
/// nothing else is, and no object is longer than its content could compress to.
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
    /// The objects, in the order of the pack.
    public var objects: [Object]

    public init(size: Int64, objects: [Object]) {
        self.size = size
        self.objects = objects
    }

    /// The objects by SHA-256.
    var bySHA256: [String: Object] {
        Dictionary(objects.map { ($0.sha256, $0) }) { first, _ in first }
    }

    /// The text form (see the type's description).
    public func text() -> String {
        var lines = ["\(Self.header)\t\(size)"]
        lines.reserveCapacity(objects.count + 1)
        for object in objects { lines.append("o\t\(object.offset)\t\(object.length)\t\(object.sha256)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The table in `bytes` (its text form), checked against `contents`, the index's distinct contents
    /// (SHA-256 → size).
    /// - Throws: ``ArchiveError`` naming the line that breaks the format or the rules.
    static func parse(text bytes: ArraySlice<UInt8>, contents: [String: Int64]) throws(ArchiveError) -> DeltaPackTable {
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        guard lines.last?.isEmpty == true else { throw ArchiveError(.truncated, "the pack section does not end with a newline (it is cut short)") }
        lines.removeLast()
        let head = lines.first.map { String(decoding: $0, as: UTF8.self) } ?? ""
        let headFields = head.split(separator: "\t", omittingEmptySubsequences: false)
        guard headFields.count == 2, headFields[0] == Self.header, let size = DeltaIndexParser.size(String(headFields[1])) else {
            throw ArchiveError(.unsupportedFormat, "the pack section does not start with \"\(Self.header)<tab><pack size>\"")
        }
        guard lines.count - 1 == contents.count else {
            throw ArchiveError(.malformedHeader, "the pack section lists \(lines.count - 1) objects, but the index has \(contents.count) distinct contents")
        }
        var objects: [Object] = []
        objects.reserveCapacity(contents.count)
        var seen = Set<String>()
        var next: Int64 = 0
        for (number, line) in lines.enumerated().dropFirst() {
            let object = try Self.object(line, number: number + 1)
            guard object.offset == next else {
                throw ArchiveError(.malformedHeader, "line \(number + 1) of the pack section starts at \(object.offset), not at \(next) where the object before it ends")
            }
            guard let contentSize = contents[object.sha256] else {
                throw ArchiveError(.malformedHeader, "line \(number + 1) of the pack section names \(object.sha256), which no file of the index has")
            }
            guard seen.insert(object.sha256).inserted else {
                throw ArchiveError(.duplicateEntry, "the pack section lists \(object.sha256) twice")
            }
            guard object.length <= DeltaObjectWriter.compressedLimit(forSize: contentSize) else {
                throw ArchiveError(.expansionRatio, "line \(number + 1) of the pack section gives \(object.length) compressed bytes for a content of \(contentSize) bytes")
            }
            next = object.offset + object.length
            objects.append(object)
        }
        guard next == size else {
            throw ArchiveError(.sizeMismatch, "the pack section's objects end at \(next), but it gives the pack's size as \(size)")
        }
        return DeltaPackTable(size: size, objects: objects)
    }

    /// Decodes one `o` line.
    private static func object(_ line: ArraySlice<UInt8>, number: Int) throws(ArchiveError) -> Object {
        let fields = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard fields.count == 4, fields[0] == "o", let offset = DeltaIndexParser.size(fields[1]), let length = DeltaIndexParser.size(fields[2]),
              length > 0, DeltaIndexParser.isDigest(fields[3]) else {
            throw ArchiveError(.malformedHeader, "line \(number) of the pack section is not \"o<tab>offset<tab>length<tab>sha256\" (decimal numbers, a length above 0, 64 lowercase hex digits)")
        }
        return Object(sha256: fields[3], offset: offset, length: length)
    }
}
