/// Reads a published delta index under the archive safety policy: an index is an archive listing and gets
/// the archive's rules.
///
/// Refused as a whole, with an ``ArchiveError`` naming the entry: absolute paths, `..` components, NUL or
/// control characters, paths not in normalized form, duplicate or unsorted paths, entries below a file or
/// a symbolic link of the index, symbolic links whose target leaves the tree (also through other links),
/// more than `maxEntries` entries or `maxExtractedBytes` bytes of files, and any line that does not follow
/// the format exactly (unknown types, modes above `0777`, sizes with signs or leading zeros, hashes that are
/// not 64 lowercase hex digits), and a patch section that breaks `DeltaPatchTable`'s rules. The compressed
/// form is inflated at most to ``inflatedLimit(for:)``.
package struct DeltaIndexParser {
    let policy: ExtractionPolicy

    package init(policy: ExtractionPolicy) {
        self.policy = policy
    }

    /// The longest line accepted: a path and a link target of `PATH_MAX` each, with the other fields.
    static let maxLineBytes = 2 * 4096 + 128

    /// The most text an index for `policy` may inflate to: every entry at its longest plus the header.
    static func inflatedLimit(for policy: ExtractionPolicy) -> Int64 {
        let (product, overflow) = Int64(policy.maxEntries).multipliedReportingOverflow(by: Int64(maxLineBytes))
        return overflow ? Int64.max : product + 64
    }

    /// The index in the gzip-compressed `bytes`.
    package func parse(compressed bytes: [UInt8]) throws(ArchiveError) -> DeltaIndex {
        try parse(compressed: MemoryByteSource(bytes))
    }

    /// The index in the gzip-compressed stream `source` (e.g. the downloaded file), inflated and parsed a
    /// chunk at a time: only the index's compact form is kept, never its text.
    func parse(compressed source: ByteSource) throws(ArchiveError) -> DeltaIndex {
        var lines = LineReader(parser: self)
        try lines.feedInflating(source, limit: Self.inflatedLimit(for: policy))
        return try lines.finish()
    }

    /// The index in its uncompressed text form.
    package func parse(text bytes: [UInt8]) throws(ArchiveError) -> DeltaIndex {
        var lines = LineReader(parser: self)
        var failure: ArchiveError?
        bytes.withUnsafeBytes { chunk in
            do throws(ArchiveError) { try lines.feed(chunk) } catch { failure = error }
        }
        if let failure { throw failure }
        return try lines.finish()
    }

    /// Splits the text into lines as it arrives and hands each to the policy's ``State``; in the packed form
    /// (``DeltaPackedIndex``), those from the first line starting with `ota-pack` to the pack section.
    struct LineReader {
        var state: State
        /// The start of a line whose end has not arrived yet.
        var partial: [UInt8] = []
        /// Lines of the index read so far.
        var number = 0
        /// Whether a pack section follows the index.
        let packed: Bool
        /// The pack section, once its first line is read.
        var pack: DeltaPackTable.Section?
        /// Whether the patch section has started.
        var inPatches = false

        init(parser: DeltaIndexParser, packed: Bool = false) {
            state = State(policy: parser.policy)
            self.packed = packed
        }

        /// The start of the pack section's first line.
        static let packMarker = Array("ota-pack".utf8)

        /// Inflates the gzip stream `source` (to at most `limit` bytes) and feeds its text a chunk at a time.
        mutating func feedInflating(_ source: ByteSource, limit: Int64) throws(ArchiveError) {
            let inflater = try GzipInflater(source, outputLimit: limit, limitDescription: "at most \(limit) bytes")
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
            defer { buffer.deallocate() }
            while case let count = try inflater.read(into: buffer), count > 0 {
                try feed(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            }
        }

        mutating func feed(_ chunk: UnsafeRawBufferPointer) throws(ArchiveError) {
            var start = 0
            while let end = chunk[start...].firstIndex(of: UInt8(ascii: "\n")) {
                if partial.isEmpty {
                    try line(chunk[start..<end])
                } else {
                    partial.append(contentsOf: chunk[start..<end])
                    let whole = partial
                    partial.removeAll(keepingCapacity: true)
                    try line(whole[...])
                }
                start = end + 1
            }
            partial.append(contentsOf: chunk[start...])
            guard partial.count > DeltaIndexParser.maxLineBytes else { return }
            if pack != nil || (packed && partial.starts(with: Self.packMarker)) {
                // No line of the pack section is this long: the rest of it cannot make it valid, only cost memory.
                partial.removeLast(partial.count - DeltaIndexParser.maxLineBytes - 1)
                return
            }
            throw ArchiveError(.malformedHeader, "line \(number + 1) of the index is longer than \(DeltaIndexParser.maxLineBytes) bytes")
        }

        private mutating func line(_ bytes: some Collection<UInt8>) throws(ArchiveError) {
            if pack != nil { return pack!.add(bytes) }
            if packed && number > 0 && bytes.starts(with: Self.packMarker) { return try startPack(bytes) }
            number += 1
            guard bytes.count <= DeltaIndexParser.maxLineBytes else {
                throw ArchiveError(.malformedHeader, "line \(number) of the index is longer than \(DeltaIndexParser.maxLineBytes) bytes")
            }
            if number == 1 {
                guard bytes.elementsEqual(DeltaIndex.header.utf8) else { throw Self.unknownFormat }
                return
            }
            if inPatches {
                let patch = try DeltaPatchTable.line(bytes, number: number, after: state.index.patches.last,
                                                     count: state.index.patches.count, policy: state.policy)
                state.index.patches.append(patch)
                return
            }
            if DeltaPatchTable.isHeader(bytes) {
                guard bytes.elementsEqual(DeltaPatchTable.header.utf8) else {
                    throw ArchiveError(.unsupportedFormat, "line \(number) of the index starts a patch section of an unknown version (\"\(DeltaPatchTable.header)\" expected)")
                }
                inPatches = true
                return
            }
            try state.add(try DeltaIndexParser.entry(Array(bytes)[...], number: number))
        }

        static let unknownFormat = ArchiveError(.unsupportedFormat, "the index does not start with \"\(DeltaIndex.header)\" (an unknown format or version)")

        mutating func finish() throws(ArchiveError) -> DeltaIndex {
            guard partial.isEmpty else { throw ArchiveError(.truncated, "the index does not end with a newline (it is cut short)") }
            guard number > 0 else { throw Self.unknownFormat }
            try state.links.verifyAll(insideFolder: nil)
            try DeltaPatchTable.check(state.index.patches, against: state.index)
            return state.index
        }

        /// Ends the index at the pack section's first line `bytes`.
        private mutating func startPack(_ bytes: some Collection<UInt8>) throws(ArchiveError) {
            try state.links.verifyAll(insideFolder: nil)
            try DeltaPatchTable.check(state.index.patches, against: state.index)
            pack = DeltaPackTable.Section(index: state.index)
            pack!.add(bytes)
        }

        /// The index and its pack section, at the end of the packed form.
        mutating func finishPacked() throws(ArchiveError) -> (DeltaIndex, DeltaPackTable) {
            if pack == nil && number > 0 && partial.starts(with: Self.packMarker) { try startPack(partial) }
            guard let pack else {
                throw ArchiveError(.truncated, "the index has no pack section (\"\(DeltaPackTable.header)\"): it was not made by `ota sign --index`")
            }
            return (state.index, try pack.finish(complete: partial.isEmpty))
        }
    }

    /// Decodes one line (syntax only; the policy is applied by ``State``).
    static func entry(_ line: ArraySlice<UInt8>, number: Int) throws(ArchiveError) -> DeltaIndex.Entry {
        let fields = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        func malformed(_ why: String) -> ArchiveError {
            ArchiveError(.malformedHeader, entry: fields.last, "line \(number) of the index \(why)")
        }
        switch (fields.first, fields.count) {
        case ("f", 5):
            guard let mode = mode(fields[1]) else { throw malformed("has the mode \"\(fields[1])\" (four octal digits up to 0777 expected)") }
            guard let size = size(fields[2]) else { throw malformed("has the size \"\(fields[2])\" (a decimal number without sign or leading zeros expected)") }
            guard isDigest(fields[3]) else { throw malformed("has a SHA-256 that is not 64 lowercase hex digits") }
            return .init(path: fields[4], kind: .file(size: size, sha256: fields[3]), mode: mode)
        case ("d", 3):
            guard let mode = mode(fields[1]) else { throw malformed("has the mode \"\(fields[1])\" (four octal digits up to 0777 expected)") }
            return .init(path: fields[2], kind: .directory, mode: mode)
        case ("l", 3):
            return .init(path: fields[2], kind: .symbolicLink(target: fields[1]), mode: 0)
        default:
            throw malformed("is not a file (f, 5 fields), folder (d, 3 fields) or symbolic link (l, 3 fields)")
        }
    }

    static func mode(_ text: String) -> UInt32? {
        guard text.utf8.count == 4, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "7")).contains($0) }),
              let value = UInt32(text, radix: 8), value <= 0o777 else { return nil }
        return value
    }

    static func size(_ text: String) -> Int64? {
        let digits = text.utf8
        guard !digits.isEmpty, digits.count <= 19, digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              digits.first != UInt8(ascii: "0") || digits.count == 1 else { return nil }
        return Int64(text)
    }

    static func isDigest(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    /// The policy's running state over the entries so far.
    struct State {
        let policy: ExtractionPolicy
        /// The entries so far, in the compact form.
        var index = DeltaIndex()
        var links = LinkGuard()
        /// Paths of files and links: nothing may lie below them.
        var leaves: Set<PathDigest> = []
        var bytes: Int64 = 0
        /// The parent folder of the last entry whose parents were checked (`nil` before the first entry).
        var checkedParent: String?

        init(policy: ExtractionPolicy) { self.policy = policy }

        mutating func add(_ entry: DeltaIndex.Entry) throws(ArchiveError) {
            let name = entry.path
            guard index.count < policy.maxEntries else {
                throw ArchiveError(.tooManyEntries, entry: name, "the index lists more than \(policy.maxEntries) entries")
            }
            let parentLength = try EntryPath.normalizedParentLength(of: name) {
                ArchiveError(.invalidName, entry: name, "the path is not in normalized form (empty or '.' components, or a trailing '/')")
            }
            if index.count > 0 {
                let previous = index.pathBytes(index.count - 1)
                guard !previous.elementsEqual(name.utf8) else { throw ArchiveError(.duplicateEntry, entry: name, "the path \"\(name)\" appears twice in the index") }
                guard previous.lexicographicallyPrecedes(name.utf8) else {
                    throw ArchiveError(.malformedHeader, entry: name, "the index is not sorted by path (it comes after \"\(ArchiveError.escaped(String(decoding: previous, as: UTF8.self)))\")")
                }
            }
            // Siblings share a parent: it was checked with the first of them, and only paths below it came since.
            if !(checkedParent.map { name.utf8.prefix(parentLength).elementsEqual($0.utf8) } ?? false) {
                let parent = String(decoding: name.utf8.prefix(parentLength), as: UTF8.self)
                var prefix = ""
                for component in parent.split(separator: "/") {
                    prefix = prefix.isEmpty ? String(component) : prefix + "/" + component
                    if links.isLink(prefix) {
                        throw ArchiveError(.writeThroughSymlink, entry: name, "its parent \"\(prefix)\" is a symbolic link of the index")
                    }
                    if leaves.contains(PathDigest(prefix)) {
                        throw ArchiveError(.duplicateEntry, entry: name, "its parent \"\(prefix)\" is a file of the index")
                    }
                }
                checkedParent = parent
            }
            switch entry.kind {
            case .file(let size, _):
                guard size <= policy.maxExtractedBytes - bytes else {
                    throw ArchiveError(.tooManyBytes, entry: name, "the index's files add up to more than \(policy.maxExtractedBytes) bytes")
                }
                bytes += size
                leaves.insert(PathDigest(name))
            case .directory:
                break
            case .symbolicLink(let target):
                let targetComponents = try EntryPath.linkComponents(of: target, entry: name)
                guard !target.hasPrefix("/") else { throw ArchiveError(.linkEscape, entry: name, "the symbolic link's target is absolute") }
                _ = try links.check(name.split(separator: "/").map(String.init), target: targetComponents, name: name)
                links.add(name, target: targetComponents)
                leaves.insert(PathDigest(name))
            }
            let appended: Bool
            switch entry.kind {
            case .file(let size, let sha256):
                // The line's syntax was checked: 64 lowercase hex digits.
                appended = index.append(path: name.utf8, type: .file, mode: entry.mode, size: size, digest: ContentDigest(hex: sha256)!)
            case .directory:
                appended = index.append(path: name.utf8, type: .directory, mode: entry.mode)
            case .symbolicLink(let target):
                appended = index.append(path: name.utf8, type: .symbolicLink, mode: 0, target: target.utf8)
            }
            guard appended else { throw ArchiveError(.tooManyBytes, entry: name, "the index's paths add up to more than \(DeltaIndex.maxNameBytes) bytes") }
        }
    }
}
