import Crypto

/// An index patch: a release's delta index text as a zstd patch against the text of an earlier release's index,
/// which a device that installed that release by delta keeps, so that it fetches the patch instead of the index.
///
/// The file is one header line, then one zstd frame (`zstd --patch-from` semantics, ``ZstdPatch``):
///
/// ```text
/// ota-index-patch 1	<base sha256>	<base length>	<text sha256>	<text length>
/// <zstd frame>
/// ```
///
/// The header binds the patch to the exact base text and gives the SHA-256 and length of the text it makes.
/// It is signed with the patch (a TUF target's length and hashes; on GitHub, the patch's `.minisig`), so
/// a text the device reconstructs whose SHA-256 and length are the header's is the text the publisher signed.
/// Texts are the inflated index (the folder form, or for a pack the index with its pack section): the
/// same form on both ends.
public enum DeltaIndexPatch {
    /// What the header says.
    public struct Header: Sendable, Equatable {
        /// The SHA-256 and length of the base text the patch applies to.
        public var base: SHA256Digest
        public var baseLength: Int64
        /// The SHA-256 and length of the text the patch makes.
        public var text: SHA256Digest
        public var textLength: Int64
    }

    /// A SHA-256 as 64 lowercase hex digits.
    public typealias SHA256Digest = String

    static let magic = "ota-index-patch 1"
    /// The longest header line accepted.
    static let maxHeaderBytes = 256
    /// The largest base or reconstructed text an index patch is made for or applied to (32 MiB, an index of
    /// about 200,000 entries): the device holds the base text and the decoder's window (at most the new
    /// text) while it decodes.
    static let maxTextCap: Int64 = 32 << 20

    /// The largest text an index patch may make or apply to under `policy`: the most a packed index may
    /// inflate to (``DeltaIndexParser``'s limit with a pack section), at most 32 MiB.
    static func maxTextBytes(for policy: ExtractionPolicy) -> Int64 {
        min(DeltaPackedIndex.inflatedLimit(for: policy), maxTextCap)
    }

    /// The window (log2) index patches need at most: base and text together.
    static let maxWindowLog: Int32 = 26

    /// The name of the patch of the index `indexName` (`<archive>.index.gz`) from the base text `base`:
    /// `<archive>.index.<first 16 hex digits of base>.patch`.
    public static func fileName(ofIndex indexName: String, base: SHA256Digest) -> String {
        let stem = indexName.hasSuffix(".gz") ? String(indexName.dropLast(3)) : indexName
        return stem + "." + base.prefix(16) + ".patch"
    }

    /// The base prefix (16 hex digits) of `name` when it is an index patch name of the index `indexName`.
    static func basePrefix(ofPatchNamed name: String, index indexName: String) -> String? {
        let stem = (indexName.hasSuffix(".gz") ? String(indexName.dropLast(3)) : indexName) + "."
        guard name.hasPrefix(stem), name.hasSuffix(".patch") else { return nil }
        let middle = name.dropFirst(stem.count).dropLast(".patch".count)
        guard middle.count == 16, middle.utf8.allSatisfy({ DeltaIndexPatch.isHexDigit($0) }) else { return nil }
        return String(middle)
    }

    /// Whether `byte` is a lowercase hex digit.
    static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }

    /// The patch file that makes the text `new` from the text `old` (each at most 32 MiB): the header,
    /// then what `zstd -19 --patch-from=OLD NEW` makes.
    /// - Throws: ``ArchiveError`` for a text above the cap, or when libzstd fails.
    public static func make(from old: [UInt8], to new: [UInt8]) throws(ArchiveError) -> [UInt8] {
        guard Int64(old.count) <= maxTextCap, Int64(new.count) <= maxTextCap else {
            throw ArchiveError(.tooManyBytes, "an index text of more than \(maxTextCap) bytes gets no index patch")
        }
        let header = Header(base: Hex.lowercase(SHA256.hash(data: old)), baseLength: Int64(old.count),
                            text: Hex.lowercase(SHA256.hash(data: new)), textLength: Int64(new.count))
        return header.line + (try ZstdPatch.make(from: old, to: new, maxWindowLog: maxWindowLog))
    }
}

extension DeltaIndexPatch.Header {
    /// The header line, newline included.
    var line: [UInt8] {
        Array("\(DeltaIndexPatch.magic)\t\(base)\t\(baseLength)\t\(text)\t\(textLength)\n".utf8)
    }

    /// Reads the header at the start of `bytes`; returns it and the offset of the zstd frame.
    /// - Throws: ``ArchiveError`` for a header that does not follow the format exactly.
    static func read(_ bytes: [UInt8]) throws(ArchiveError) -> (Self, Int) {
        guard let end = bytes.prefix(DeltaIndexPatch.maxHeaderBytes).firstIndex(of: UInt8(ascii: "\n")) else {
            throw ArchiveError(.malformedHeader, "the index patch does not start with an ota-index-patch header line")
        }
        let fields = bytes[..<end].split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard fields.count == 5, fields[0] == DeltaIndexPatch.magic, DeltaIndexParser.isDigest(fields[1]), DeltaIndexParser.isDigest(fields[3]),
              let baseLength = Self.length(fields[2]), let textLength = Self.length(fields[4]) else {
            throw ArchiveError(.malformedHeader, "the index patch's header line is not `ota-index-patch 1`, two SHA-256s and two lengths")
        }
        return (Self(base: fields[1], baseLength: baseLength, text: fields[3], textLength: textLength), end + 1)
    }

    /// A length written without sign or leading zeros, above 0.
    private static func length(_ text: String) -> Int64? {
        guard let value = Int64(text), value > 0, String(value) == text else { return nil }
        return value
    }
}
