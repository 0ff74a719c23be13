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
                    try line(UnsafeRawBufferPointer(rebasing: chunk[start..<end]))
                } else {
                    partial.append(contentsOf: chunk[start..<end])
                    let whole = partial
                    partial.removeAll(keepingCapacity: true)
                    var failure: ArchiveError?
                    whole.withUnsafeBytes { bytes in
                        do throws(ArchiveError) { try line(bytes) } catch { failure = error }
                    }
                    if let failure { throw failure }
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

        private mutating func line(_ bytes: UnsafeRawBufferPointer) throws(ArchiveError) {
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
            try state.add(try DeltaIndexParser.line(bytes, number: number))
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

    /// One line of the index, its fields decoded (syntax only; the policy is applied by ``State``).
    struct Line {
        var type: DeltaIndex.EntryType
        var mode: UInt32
        var size: Int64 = 0
        var digest = DeltaIndex.zeroDigest
        /// The path and a link's target, decoded as UTF-8 (invalid bytes become U+FFFD, which the policy refuses).
        var path: String
        var target = ""
    }

    /// Decodes one line (without its newline) of the form ``DeltaIndex`` describes.
    static func line(_ bytes: UnsafeRawBufferPointer, number: Int) throws(ArchiveError) -> Line {
        var fields = Fields(bytes)
        func malformed(_ why: String) -> ArchiveError {
            ArchiveError(.malformedHeader, entry: fields.last, "line \(number) of the index \(why)")
        }
        func badMode(_ field: UnsafeRawBufferPointer) -> ArchiveError {
            malformed("has the mode \"\(String(decoding: field, as: UTF8.self))\" (four octal digits up to 0777 expected)")
        }
        let type = fields.next()
        switch (type.count == 1 ? type[0] : 0, fields.count) {
        case (UInt8(ascii: "f"), 5):
            let modeField = fields.next(), sizeField = fields.next(), digestField = fields.next()
            guard let mode = mode(modeField) else { throw badMode(modeField) }
            guard let size = size(sizeField) else {
                throw malformed("has the size \"\(String(decoding: sizeField, as: UTF8.self))\" (a decimal number without sign or leading zeros expected)")
            }
            guard let digest = ContentDigest(hex: digestField) else { throw malformed("has a SHA-256 that is not 64 lowercase hex digits") }
            return Line(type: .file, mode: mode, size: size, digest: digest, path: String(decoding: fields.next(), as: UTF8.self))
        case (UInt8(ascii: "d"), 3):
            let modeField = fields.next()
            guard let mode = mode(modeField) else { throw badMode(modeField) }
            return Line(type: .directory, mode: mode, path: String(decoding: fields.next(), as: UTF8.self))
        case (UInt8(ascii: "l"), 3):
            let target = String(decoding: fields.next(), as: UTF8.self)
            return Line(type: .symbolicLink, mode: 0, path: String(decoding: fields.next(), as: UTF8.self), target: target)
        default:
            throw malformed("is not a file (f, 5 fields), folder (d, 3 fields) or symbolic link (l, 3 fields)")
        }
    }

    /// The tab-separated fields of a line, read in order.
    struct Fields {
        let bytes: UnsafeRawBufferPointer
        /// How many fields the line has.
        let count: Int
        private var start = 0

        init(_ bytes: UnsafeRawBufferPointer) {
            self.bytes = bytes
            count = bytes.reduce(1) { $1 == UInt8(ascii: "\t") ? $0 + 1 : $0 }
        }

        /// The next field (empty past the last).
        mutating func next() -> UnsafeRawBufferPointer {
            guard start <= bytes.count else { return UnsafeRawBufferPointer(rebasing: bytes[bytes.count...]) }
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\t")) ?? bytes.count
            defer { start = end + 1 }
            return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
        }

        /// The last field, for error messages.
        var last: String {
            let start = bytes.lastIndex(of: UInt8(ascii: "\t")).map { $0 + 1 } ?? 0
            return String(decoding: bytes[start...], as: UTF8.self)
        }
    }

    /// Four octal digits up to `0777`.
    static func mode(_ digits: some Collection<UInt8>) -> UInt32? {
        guard digits.count == 4 else { return nil }
        var value: UInt32 = 0
        for digit in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(digit) else { return nil }
            value = value << 3 | UInt32(digit - UInt8(ascii: "0"))
        }
        return value <= 0o777 ? value : nil
    }

    /// A decimal number without sign or leading zeros that fits in an `Int64`.
    static func size(_ digits: some Collection<UInt8>) -> Int64? {
        guard !digits.isEmpty, digits.count <= 19, digits.first != UInt8(ascii: "0") || digits.count == 1 else { return nil }
        var value: Int64 = 0
        for digit in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) else { return nil }
            let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, carry) = times10.addingReportingOverflow(Int64(digit - UInt8(ascii: "0")))
            guard !overflow, !carry else { return nil }
            value = sum
        }
        return value
    }

    static func size(_ text: String) -> Int64? { size(text.utf8) }

    static func isDigest(_ text: String) -> Bool { ContentDigest(hex: text.utf8) != nil }

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
        var checkedParent: [UInt8]?

        init(policy: ExtractionPolicy) { self.policy = policy }

        mutating func add(_ line: Line) throws(ArchiveError) {
            let name = line.path
            guard index.count < policy.maxEntries else {
                throw ArchiveError(.tooManyEntries, entry: name, "the index lists more than \(policy.maxEntries) entries")
            }
            let parentLength = try EntryPath.normalizedParentLength(of: name) {
                ArchiveError(.invalidName, entry: name, "the path is not in normalized form (empty or '.' components, or a trailing '/')")
            }
            if index.count > 0 {
                let order = index.comparePath(at: index.count - 1, to: name)
                guard order != 0 else { throw ArchiveError(.duplicateEntry, entry: name, "the path \"\(name)\" appears twice in the index") }
                guard order < 0 else {
                    throw ArchiveError(.malformedHeader, entry: name, "the index is not sorted by path (it comes after \"\(ArchiveError.escaped(index.path(index.count - 1)))\")")
                }
            }
            try checkParents(of: name, parentLength: parentLength)
            switch line.type {
            case .file:
                guard line.size <= policy.maxExtractedBytes - bytes else {
                    throw ArchiveError(.tooManyBytes, entry: name, "the index's files add up to more than \(policy.maxExtractedBytes) bytes")
                }
                bytes += line.size
                leaves.insert(PathDigest(name))
            case .directory:
                break
            case .symbolicLink:
                let targetComponents = try EntryPath.linkComponents(of: line.target, entry: name)
                guard !line.target.hasPrefix("/") else { throw ArchiveError(.linkEscape, entry: name, "the symbolic link's target is absolute") }
                _ = try links.check(name.split(separator: "/").map(String.init), target: targetComponents, name: name)
                links.add(name, target: targetComponents)
                leaves.insert(PathDigest(name))
            }
            guard index.append(path: name.utf8, type: line.type, mode: line.mode, size: line.size, digest: line.digest, target: line.target.utf8) else {
                throw ArchiveError(.tooManyBytes, entry: name, "the index's paths add up to more than \(DeltaIndex.maxNameBytes) bytes")
            }
        }

        /// Refuses `name` when a folder on its way is a file or a symbolic link of the index. Only the parent's
        /// folders not shared with the parent checked last are looked up: the shared ones were checked then, and
        /// an entry listed since (sorting after that parent's entries) cannot be one of them.
        private mutating func checkParents(of name: String, parentLength: Int) throws(ArchiveError) {
            let parent = Array(name.utf8.prefix(parentLength))
            guard parent != checkedParent else { return }
            var end = Self.sharedLength(parent, checkedParent ?? [])
            while end < parent.count {
                end = parent[(end + 1)...].firstIndex(of: UInt8(ascii: "/")) ?? parent.count
                let folder = String(decoding: parent[..<end], as: UTF8.self)
                if links.isLink(folder) {
                    throw ArchiveError(.writeThroughSymlink, entry: name, "its parent \"\(folder)\" is a symbolic link of the index")
                }
                if leaves.contains(PathDigest(folder)) {
                    throw ArchiveError(.duplicateEntry, entry: name, "its parent \"\(folder)\" is a file of the index")
                }
            }
            checkedParent = parent
        }

        /// The length of the folders two paths start with alike: the end of the last whole component they share
        /// (0 when none).
        static func sharedLength(_ a: [UInt8], _ b: [UInt8]) -> Int {
            var shared = 0, position = 0
            while position < a.count, position < b.count, a[position] == b[position] {
                if a[position] == UInt8(ascii: "/") { shared = position }
                position += 1
            }
            let bothEnd = (position == a.count || a[position] == UInt8(ascii: "/")) && (position == b.count || b[position] == UInt8(ascii: "/"))
            return bothEnd ? position : shared
        }
    }
}
