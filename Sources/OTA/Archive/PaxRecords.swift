/// The keywords of a pax extended header (`x` for the next entry, `g` for all following ones).
///
/// Records are `"<length> <key>=<value>\n"` with `length` counting the whole record. A record with a
/// bad length, no `=`, an empty key, or a size/mtime value that is not a number is rejected.
/// `GNU.sparse.*` keys mean a sparse file, which is rejected as unsupported.
struct PaxRecords {
    /// Largest extended header (or GNU long name) accepted.
    static let maxSize: Int64 = 1 << 20

    var path: String?
    var linkPath: String?
    var size: Int64?
    var mtime: Int64?

    init() {}

    /// Parses `data`; `entry` is the header's own name, for errors.
    init(_ data: UnsafeRawBufferPointer, entry: String) throws(ArchiveError) {
        func malformed(_ why: String) -> ArchiveError {
            ArchiveError(.malformedExtendedHeader, entry: entry, "the pax extended header is malformed: \(why)")
        }
        var position = 0
        while position < data.count {
            var cursor = position
            var length = 0
            while cursor < data.count, (0x30...0x39).contains(data[cursor]) {
                length = length * 10 + Int(data[cursor] - 0x30)
                cursor += 1
                guard length <= data.count else { throw malformed("a record length exceeds the header") }
            }
            guard cursor > position, cursor < data.count, data[cursor] == 0x20 else {
                // Trailing NUL padding after the last record is tolerated.
                if data[position...].allSatisfy({ $0 == 0 }) { break }
                throw malformed("a record does not start with a decimal length and a space")
            }
            let recordEnd = position + length
            guard length > cursor - position + 1, recordEnd <= data.count, data[recordEnd - 1] == 0x0A else {
                throw malformed("a record length (\(length)) does not match its contents")
            }
            let body = data[(cursor + 1)..<(recordEnd - 1)]
            guard let equals = body.firstIndex(of: 0x3D) else { throw malformed("a record has no '='") }
            guard equals > body.startIndex else { throw malformed("a record has an empty keyword") }
            let key = String(decoding: data[body.startIndex..<equals], as: UTF8.self)
            let value = String(decoding: data[(equals + 1)..<body.endIndex], as: UTF8.self)
            try apply(key: key, value: value, malformed: malformed)
            position = recordEnd
        }
    }

    private mutating func apply(key: String, value: String, malformed: (String) -> ArchiveError) throws(ArchiveError) {
        switch key {
        case "path": path = value
        case "linkpath": linkPath = value
        case "size":
            guard !value.isEmpty, value.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let number = Int64(value) else {
                throw malformed("size \"\(value)\" is not a non-negative integer")
            }
            size = number
        case "mtime":
            let whole = value.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            guard let seconds = Int64(whole) else { throw malformed("mtime \"\(value)\" is not a number") }
            mtime = seconds
        default:
            if key.hasPrefix("GNU.sparse.") {
                throw ArchiveError(.unsupportedEntryType, entry: path, "sparse files (\(key)) are not supported")
            }
        }
    }

    /// `self` with the keys of `override` taking precedence.
    func merged(with override: PaxRecords) -> PaxRecords {
        var result = self
        if let value = override.path { result.path = value }
        if let value = override.linkPath { result.linkPath = value }
        if let value = override.size { result.size = value }
        if let value = override.mtime { result.mtime = value }
        return result
    }
}
