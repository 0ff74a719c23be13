/// The delta index of a release published as assets (GitHub): the index as `ota publish add` writes it,
/// followed by the ``DeltaPackTable`` of its pack file, in one gzip stream — so that the one signature over
/// the index also covers the byte ranges a device requests.
///
/// ```text
/// ota-index 1
/// f	0644	1532	<sha256>	src/app.py
/// ota-pack 1	<pack size>
/// 611
/// ```
///
/// No line of the index starts with `ota-pack` (entries start with `f`, `d` or `l` and a tab), so the first
/// such line ends the index.
public enum DeltaPackedIndex {
    /// The gzip-compressed form that is published (`<archive>.index.gz`).
    public static func encoded(index: DeltaIndex, table: DeltaPackTable) -> [UInt8] {
        Gzip.compress(Array((index.text() + table.text()).utf8))
    }

    /// The index and pack table in the gzip-compressed `bytes`, the index read under `policy` (the archive
    /// safety rules) and the table checked against it.
    /// - Throws: ``ArchiveError`` for an index or table that breaks the rules or the format.
    package static func parse(compressed bytes: [UInt8], policy: ExtractionPolicy) throws(ArchiveError) -> (DeltaIndex, DeltaPackTable) {
        try parse(compressed: MemoryByteSource(bytes), policy: policy)
    }

    /// The index and pack table in the gzip-compressed stream `source` (e.g. the downloaded file), inflated
    /// and parsed a chunk at a time: only the index's compact form and the objects' lengths are kept, never
    /// the text.
    /// - Throws: ``ArchiveError`` for an index or table that breaks the rules or the format.
    static func parse(compressed source: ByteSource, policy: ExtractionPolicy) throws(ArchiveError) -> (DeltaIndex, DeltaPackTable) {
        var lines = DeltaIndexParser.LineReader(parser: DeltaIndexParser(policy: policy), packed: true)
        try lines.feedInflating(source, limit: inflatedLimit(for: policy))
        return try lines.finishPacked()
    }

    /// The index and pack table in their uncompressed text form, handed over in pieces of at most `chunk` bytes.
    package static func parse(text bytes: [UInt8], chunk: Int = 64 << 10, policy: ExtractionPolicy) throws(ArchiveError) -> (DeltaIndex, DeltaPackTable) {
        var lines = DeltaIndexParser.LineReader(parser: DeltaIndexParser(policy: policy), packed: true)
        var failure: ArchiveError?
        bytes.withUnsafeBytes { text in
            var start = 0
            while failure == nil && start < text.count {
                let end = min(text.count, start + max(1, chunk))
                do throws(ArchiveError) { try lines.feed(UnsafeRawBufferPointer(rebasing: text[start..<end])) } catch { failure = error }
                start = end
            }
        }
        if let failure { throw failure }
        return try lines.finishPacked()
    }

    /// The most text a packed index may inflate to: the index's limit, and a pack line of at most 32 bytes per entry.
    static func inflatedLimit(for policy: ExtractionPolicy) -> Int64 {
        let indexLimit = DeltaIndexParser.inflatedLimit(for: policy)
        let (table, overflow) = Int64(policy.maxEntries).multipliedReportingOverflow(by: 32)
        guard !overflow, let total = Int(exactly: indexLimit)?.adding(checked: Int(table) + 64) else { return Int64.max }
        return Int64(total)
    }
}
