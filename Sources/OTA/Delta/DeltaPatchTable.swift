/// One zstd patch of a delta index: makes the content `new` from the content `old` (``ZstdPatch``).
public struct DeltaPatch: Sendable, Hashable, Comparable {
    let old: ContentDigest
    let new: ContentDigest
    /// The patch's length in bytes.
    public var length: Int64

    /// A patch of `length` bytes from the content whose SHA-256 is `oldSHA256` to `newSHA256` (64 lowercase hex digits each).
    public init?(oldSHA256: String, newSHA256: String, length: Int64) {
        guard let old = ContentDigest(hex: oldSHA256), let new = ContentDigest(hex: newSHA256) else { return nil }
        self.init(old: old, new: new, length: length)
    }

    init(old: ContentDigest, new: ContentDigest, length: Int64) {
        self.old = old
        self.new = new
        self.length = length
    }

    /// The SHA-256 of the content it is made against.
    public var oldSHA256: String { old.hex }
    /// The SHA-256 of the content it makes.
    public var newSHA256: String { new.hex }

    /// The patch file's path in the patches folder: `<first two hex digits of new>/<new>.<old>`.
    public var relativePath: String {
        let new = newSHA256
        return String(new.prefix(2)) + "/" + new + "." + oldSHA256
    }

    /// The order of the section's lines: by old, then new content.
    public static func < (a: Self, b: Self) -> Bool { (a.old, a.new) < (b.old, b.new) }
}

/// The patch section of a delta index: after the entries, the patches the release publishes, one a line,
/// sorted by old then new SHA-256, each at most once:
///
/// ```text
/// ota-patch 1
/// <old sha256>	<new sha256>	<length>
/// ```
///
/// It is read as strictly as the entries (a signed index whose section breaks a rule is refused like a
/// hostile index): each new content must be a file content of the index of at most
/// ``ZstdPatch/maxContentBytes``, differ from the old one, and the length must be above 0 and no more than
/// that content could compress to as an object; no more patches than the policy's entries.
enum DeltaPatchTable {
    /// The section's first line.
    static let header = "ota-patch 1"

    /// The text form of `patches` (empty for none).
    static func text(_ patches: [DeltaPatch]) -> String {
        guard !patches.isEmpty else { return "" }
        return ([header] + patches.map { "\($0.oldSHA256)\t\($0.newSHA256)\t\($0.length)" }).joined(separator: "\n") + "\n"
    }

    /// Whether `line` starts the patch section (or claims to, in another version).
    static func isHeader(_ line: some Collection<UInt8>) -> Bool {
        line.starts(with: "ota-patch".utf8)
    }

    /// Decodes one line of the section (syntax, order and count; ``check(_:against:)`` does the rest).
    static func line(_ bytes: some Collection<UInt8>, number: Int, after previous: DeltaPatch?, count: Int,
                     policy: ExtractionPolicy) throws(ArchiveError) -> DeltaPatch {
        let fields = bytes.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false)
        func malformed(_ why: String) -> ArchiveError { ArchiveError(.malformedHeader, "line \(number) of the index's patch section \(why)") }
        guard fields.count == 3 else { throw malformed("is not OLD<tab>NEW<tab>LENGTH") }
        guard let old = ContentDigest(hex: fields[0]), let new = ContentDigest(hex: fields[1]) else {
            throw malformed("has a SHA-256 that is not 64 lowercase hex digits")
        }
        guard let length = DeltaIndexParser.size(String(decoding: fields[2], as: UTF8.self)), length > 0 else {
            throw malformed("has a length that is not a number above 0 (a decimal number without sign or leading zeros)")
        }
        guard old != new else { throw malformed("patches a content into itself") }
        let patch = DeltaPatch(old: old, new: new, length: length)
        if let previous {
            guard (previous.old, previous.new) != (old, new) else { throw ArchiveError(.duplicateEntry, "line \(number) of the index's patch section repeats a patch") }
            guard previous < patch else { throw malformed("is not sorted (by old, then new SHA-256)") }
        }
        guard count < policy.maxEntries else {
            throw ArchiveError(.tooManyEntries, "the index's patch section lists more than \(policy.maxEntries) patches")
        }
        return patch
    }

    /// Checks each patch against the index's contents: its new content is a file of the index of at most
    /// ``ZstdPatch/maxContentBytes``, and its length at most what that content could compress to.
    static func check(_ patches: [DeltaPatch], against index: DeltaIndex) throws(ArchiveError) {
        guard !patches.isEmpty else { return }
        var sizes: [ContentDigest: Int64] = [:]
        for patch in patches { sizes[patch.new] = -1 }
        for record in index.records where record.type == .file && sizes[record.digest] != nil { sizes[record.digest] = record.size }
        for patch in patches {
            let size = sizes[patch.new] ?? -1
            guard size >= 0 else {
                throw ArchiveError(.malformedHeader, "the index's patch section names the content \(patch.newSHA256), which no file of the index has")
            }
            guard size <= ZstdPatch.maxContentBytes else {
                throw ArchiveError(.tooManyBytes, "the index's patch section patches the content \(patch.newSHA256) of \(size) bytes (at most \(ZstdPatch.maxContentBytes) are patched)")
            }
            guard patch.length <= DeltaObjectWriter.compressedLimit(forSize: size) else {
                throw ArchiveError(.expansionRatio, "the index's patch section gives \(patch.length) bytes for a patch making \(size) bytes")
            }
        }
    }
}
