/// Every entry of a release archive as the device must stage it: path, type, mode, size, SHA-256 and link target.
///
/// The index is what a delta update builds the staged tree from and checks it against. It lists the tree
/// the archive extracts to (a single shared top-level folder already stripped), with every folder explicit,
/// hard links listed as files of the same content, and entries sorted by the bytes of their path.
///
/// On disk it is gzip-compressed UTF-8 text, one entry a line, fields separated by tabs (names cannot hold
/// tabs or newlines: control characters are refused):
///
/// ```text
/// ota-index 1
/// d	0755	src
/// f	0644	1532	<sha256 hex>	src/app.py
/// l	app.py	src/current
/// ```
///
/// A patch section (``patches``) may follow the entries.
///
/// In memory it is compact (a device holds the index of every file of a release while it stages it): all
/// paths and link targets in one byte buffer, and one fixed-size record per entry with its SHA-256 as 32
/// bytes. ``entries`` makes an ``Entry`` value on each access.
public struct DeltaIndex: Sendable, Equatable {
    /// What an entry creates.
    public enum Kind: Sendable, Equatable, Hashable {
        /// A regular file of `size` bytes whose content has this lowercase hex SHA-256.
        case file(size: Int64, sha256: String)
        /// A folder.
        case directory
        /// A symbolic link to `target` (relative to the link's folder).
        case symbolicLink(target: String)
    }

    /// One entry, relative to the release root.
    public struct Entry: Sendable, Equatable, Hashable {
        /// The normalized relative path (no `.`, `..`, empty components or trailing slash).
        public var path: String
        public var kind: Kind
        /// Permission bits (`0o777` at most; 0 for links).
        public var mode: UInt32

        public init(path: String, kind: Kind, mode: UInt32) {
            self.path = path
            self.kind = kind
            self.mode = mode
        }
    }

    /// The entries in order, each made on access from the compact form.
    public struct Entries: RandomAccessCollection, Sendable {
        let index: DeltaIndex
        public var startIndex: Int { 0 }
        public var endIndex: Int { index.records.count }
        public subscript(position: Int) -> Entry { index.entry(at: position) }
    }

    /// The first line of every index of this format.
    static let header = "ota-index 1"

    /// Paths and link targets, one after another (a link's target follows its path).
    var names: [UInt8] = []
    /// One record per entry, sorted by the bytes of the path.
    var records: [Record] = []
    /// The zstd patches the release publishes (the patch section), sorted.
    public var patches: [DeltaPatch] = []

    /// The entries, sorted by the bytes of their path.
    public var entries: Entries { Entries(index: self) }

    /// An index of `entries`, sorted here by path. Each file's `sha256` must be 64 lowercase hex digits.
    public init(entries: [Entry]) {
        for entry in entries.sorted(by: { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }) {
            switch entry.kind {
            case .file(let size, let sha256):
                guard let digest = ContentDigest(hex: sha256) else { preconditionFailure("the SHA-256 of \(entry.path) is not 64 lowercase hex digits") }
                append(path: entry.path.utf8, type: .file, mode: entry.mode, size: size, digest: digest)
            case .directory:
                append(path: entry.path.utf8, type: .directory, mode: entry.mode)
            case .symbolicLink(let target):
                append(path: entry.path.utf8, type: .symbolicLink, mode: entry.mode, target: target.utf8)
            }
        }
    }

    /// An empty index, filled by ``append(path:type:mode:size:digest:target:)`` in path order.
    init() {}

    /// The bytes of regular-file content the tree holds.
    public var totalFileBytes: Int64 {
        records.reduce(0) { $0 + ($1.type == .file ? $1.size : 0) }
    }

    /// The distinct contents of the tree: SHA-256 → size.
    public var contents: [String: Int64] {
        var result: [String: Int64] = [:]
        for record in records where record.type == .file { result[record.digest.hex] = record.size }
        return result
    }

    /// The uncompressed text form (see the type's description).
    public func text() -> String {
        var lines = [Self.header]
        lines.reserveCapacity(entries.count + 1)
        for entry in entries {
            let mode = Self.octal(entry.mode)
            switch entry.kind {
            case .file(let size, let sha256): lines.append("f\t\(mode)\t\(size)\t\(sha256)\t\(entry.path)")
            case .directory: lines.append("d\t\(mode)\t\(entry.path)")
            case .symbolicLink(let target): lines.append("l\t\(target)\t\(entry.path)")
            }
        }
        return lines.joined(separator: "\n") + "\n" + DeltaPatchTable.text(patches)
    }

    /// The gzip-compressed form that is published.
    public func encoded() -> [UInt8] {
        Gzip.compress(Array(text().utf8))
    }

    /// Four octal digits, e.g. `0755`.
    static func octal(_ mode: UInt32) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
