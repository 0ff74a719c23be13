#if canImport(Glibc)
import Glibc
#endif

extension DeltaIndex {
    /// What an entry is, in the compact form.
    enum EntryType: UInt8, Sendable {
        case file, directory, symbolicLink
    }

    /// One entry in the compact form: 56 bytes, its path (and a link's target) in ``names``.
    struct Record: Sendable, Equatable {
        /// A file's SHA-256 (zero otherwise).
        var digest: ContentDigest
        /// A file's size (0 otherwise).
        var size: Int64
        var nameStart: UInt32
        var pathLength: UInt32
        /// A link's target length (its bytes follow the path's).
        var targetLength: UInt32
        var mode: UInt16
        var type: EntryType
    }

    /// The most bytes ``names`` may hold (the offsets are 32-bit).
    static let maxNameBytes = Int(UInt32.max)

    /// Appends an entry (the caller keeps the path order); `false`, changing nothing, when the names would
    /// exceed ``maxNameBytes``.
    @discardableResult
    mutating func append(path: some Collection<UInt8>, type: EntryType, mode: UInt32, size: Int64 = 0,
                         digest: ContentDigest = Self.zeroDigest, target: some Collection<UInt8> = EmptyCollection()) -> Bool {
        guard names.count + path.count + target.count <= Self.maxNameBytes else { return false }
        let start = UInt32(names.count)
        names.append(contentsOf: path)
        names.append(contentsOf: target)
        records.append(Record(digest: digest, size: size, nameStart: start, pathLength: UInt32(path.count),
                              targetLength: UInt32(target.count), mode: UInt16(truncatingIfNeeded: mode), type: type))
        return true
    }

    static let zeroDigest = ContentDigest(hex: String(repeating: "0", count: 64))!

    var count: Int { records.count }

    /// The bytes of entry `position`'s path (a slice of ``names``, not a copy).
    func pathBytes(_ position: Int) -> ArraySlice<UInt8> {
        let record = records[position]
        let start = Int(record.nameStart)
        return names[start..<start + Int(record.pathLength)]
    }

    func path(_ position: Int) -> String { String(decoding: pathBytes(position), as: UTF8.self) }

    /// A link's target.
    func target(_ position: Int) -> String {
        let record = records[position]
        let start = Int(record.nameStart) + Int(record.pathLength)
        return String(decoding: names[start..<start + Int(record.targetLength)], as: UTF8.self)
    }

    /// The position of the entry whose path is `path`, by binary search over the sorted paths.
    func position(of path: some Collection<UInt8>) -> Int? {
        if let found = path.withContiguousStorageIfAvailable({ position(ofBytes: UnsafeRawBufferPointer($0)) }) { return found }
        return Array(path).withUnsafeBytes { position(ofBytes: $0) }
    }

    /// ``position(of:)`` comparing bytes with `memcmp`: a lookup costs a few dozen nanoseconds a step.
    private func position(ofBytes path: UnsafeRawBufferPointer) -> Int? {
        var low = 0, high = records.count
        while low < high {
            let middle = (low + high) / 2
            let order = comparePath(at: middle, to: path)
            if order == 0 { return middle }
            if order < 0 { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    /// How entry `position`'s path sorts against `path`, by their bytes: negative when it comes first, 0 when
    /// they are the same, positive when it comes after.
    func comparePath(at position: Int, to path: UnsafeRawBufferPointer) -> Int {
        let record = records[position]
        let length = Int(record.pathLength)
        let common = min(length, path.count)
        let order = common == 0 ? 0 : names.withUnsafeBytes { memcmp($0.baseAddress! + Int(record.nameStart), path.baseAddress!, common) }
        if order != 0 { return Int(order) }
        return length == path.count ? 0 : (length < path.count ? -1 : 1)
    }

    /// ``comparePath(at:to:)`` for a path held as a `String`.
    func comparePath(at position: Int, to path: String) -> Int {
        var path = path
        return path.withUTF8 { comparePath(at: position, to: UnsafeRawBufferPointer($0)) }
    }

    /// The public value of entry `position`.
    func entry(at position: Int) -> Entry {
        let record = records[position]
        switch record.type {
        case .file: return Entry(path: path(position), kind: .file(size: record.size, sha256: record.digest.hex), mode: UInt32(record.mode))
        case .directory: return Entry(path: path(position), kind: .directory, mode: UInt32(record.mode))
        case .symbolicLink: return Entry(path: path(position), kind: .symbolicLink(target: target(position)), mode: UInt32(record.mode))
        }
    }
}
