extension DeltaPackTable {
    /// Reads the pack section of a packed index a line at a time, as it is inflated after its index: keeps
    /// the pack's size and the objects' lengths, nothing of the text.
    ///
    /// The checks run in the order of the whole section's: cut short, then the first line, then the number
    /// of lengths, then each length in turn, then their sum; ``finish(complete:)`` throws the first that fails.
    struct Section {
        /// The index's distinct contents in pack order: what each length is checked against.
        private let contents: [(digest: ContentDigest, size: Int64)]
        /// The pack's size from the first line, `nil` when that line breaks the format.
        private var size: Int64?
        /// The lines so far, the first included.
        private var lines = 0
        /// The lengths read (at most one per content).
        private var lengths: [Int64] = []
        /// Their sum, `nil` past `Int64.max`.
        private var end: Int64? = 0
        /// The first length that breaks the rules.
        private var failure: ArchiveError?
        /// The bytes of the index's patches, which follow the objects in the pack (`nil` past `Int64.max`).
        private let patchBytes: Int64?

        /// A section for `index` (its patch section read), whose lines follow.
        init(index: DeltaIndex) {
            contents = DeltaPackTable.contents(of: index)
            lengths.reserveCapacity(contents.count)
            patchBytes = index.patches.reduce(Int64(0) as Int64?) { sum, patch in
                sum.flatMap { $0.addingReportingOverflow(patch.length).overflow ? nil : $0 + patch.length }
            }
        }

        /// Takes the section's next line (without its newline).
        mutating func add(_ line: some Collection<UInt8>) {
            lines += 1
            if lines == 1 {
                let fields = String(decoding: line, as: UTF8.self).split(separator: "\t", omittingEmptySubsequences: false)
                if fields.count == 2, fields[0] == DeltaPackTable.header { size = DeltaIndexParser.size(String(fields[1])) }
                return
            }
            // Past the contents the count is wrong, and that is reported first.
            guard failure == nil, lengths.count < contents.count else { return }
            let content = contents[lengths.count]
            guard let length = DeltaIndexParser.size(String(decoding: line, as: UTF8.self)), length > 0 else {
                failure = ArchiveError(.malformedHeader, "line \(lines) of the pack section is not a length above 0 (a decimal number without sign or leading zeros)")
                return
            }
            guard length <= DeltaObjectWriter.compressedLimit(forSize: content.size) else {
                failure = ArchiveError(.expansionRatio, "line \(lines) of the pack section gives \(length) compressed bytes for a content of \(content.size) bytes")
                return
            }
            lengths.append(length)
            end = end.flatMap { $0.addingReportingOverflow(length).overflow ? nil : $0 + length }
        }

        /// The table, once every line is in; `complete` when the text ended with a newline.
        /// - Throws: ``ArchiveError`` naming the line that breaks the format or the rules.
        func finish(complete: Bool) throws(ArchiveError) -> DeltaPackTable {
            guard complete else { throw ArchiveError(.truncated, "the pack section does not end with a newline (it is cut short)") }
            guard let size else {
                throw ArchiveError(.unsupportedFormat, "the pack section does not start with \"\(DeltaPackTable.header)<tab><pack size>\"")
            }
            guard lines - 1 == contents.count else {
                throw ArchiveError(.malformedHeader, "the pack section lists \(lines - 1) objects, but the index has \(contents.count) distinct contents")
            }
            if let failure { throw failure }
            // The index's patches follow the objects in the pack.
            guard let end, let patchBytes, end.addingReportingOverflow(patchBytes) == (size, false) else {
                let patches = patchBytes == 0 ? "" : " and the index's patches take \(patchBytes.map(String.init) ?? "more than \(Int64.max)") bytes after them"
                throw ArchiveError(.sizeMismatch, "the pack section's objects end at \(end.map(String.init) ?? "more than \(Int64.max)")\(patches), but it gives the pack's size as \(size)")
            }
            var objects: [Object] = []
            objects.reserveCapacity(contents.count)
            var offset: Int64 = 0
            for (content, length) in zip(contents, lengths) {
                objects.append(Object(sha256: content.digest.hex, offset: offset, length: length))
                offset += length
            }
            return DeltaPackTable(size: size, objects: objects)
        }
    }
}
