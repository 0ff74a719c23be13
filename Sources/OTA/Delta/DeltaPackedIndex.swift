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
    static func parse(compressed bytes: [UInt8], policy: ExtractionPolicy) throws(ArchiveError) -> (DeltaIndex, DeltaPackTable) {
        let text = try Gzip.decompress(bytes, limit: inflatedLimit(for: policy))
        let marker = Array(("\n" + DeltaPackTable.header).utf8)
        guard let start = firstLine(startingWith: marker, in: text) else {
            throw ArchiveError(.truncated, "the index has no pack section (\"\(DeltaPackTable.header)\"): it was not made by `ota sign --index`")
        }
        let index = try DeltaIndexParser(policy: policy).parse(text: Array(text[..<start]))
        let table = try DeltaPackTable.parse(text: text[start...], index: index)
        return (index, table)
    }

    /// The most text a packed index may inflate to: the index's limit, and a pack line of at most 32 bytes per entry.
    static func inflatedLimit(for policy: ExtractionPolicy) -> Int64 {
        let indexLimit = DeltaIndexParser.inflatedLimit(for: policy)
        let (table, overflow) = Int64(policy.maxEntries).multipliedReportingOverflow(by: 32)
        guard !overflow, let total = Int(exactly: indexLimit)?.adding(checked: Int(table) + 64) else { return Int64.max }
        return Int64(total)
    }

    /// The offset of the line after the first `\n` + `prefix` in `text` (the line starting with `prefix`).
    private static func firstLine(startingWith marker: [UInt8], in text: [UInt8]) -> Int? {
        guard text.count >= marker.count else { return nil }
        var position = 0
        while position + marker.count <= text.count {
            guard let newline = text[position...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
            if text[newline...].starts(with: marker) { return newline + 1 }
            position = newline + 1
        }
        return nil
    }
}
