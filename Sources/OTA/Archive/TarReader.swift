#if canImport(Glibc)
import Glibc
#endif

/// A one-pass, constant-memory reader of tar streams (ustar, pax `x`/`g`, GNU `L`/`K`, base-256).
///
/// Call ``next()`` for each entry; a regular file's data can be read with ``readData(_:)`` before the
/// next call, otherwise it is skipped. The reader verifies every header checksum, rejects malformed
/// extended records (over 1 MiB, bad lengths, missing `=`), pax/ustar size disagreements, entry types
/// other than file/directory/symlink/hard link, a zero block followed by data, and truncation anywhere.
/// A pax `x` record applies `path`, `linkpath`, `size` and `mtime` to the next entry; of a global `g`
/// record (e.g. GitHub's `pax_global_header`) only `mtime` is used, the rest (`comment`…) is checked and
/// ignored. Other keywords (uid, uname, atime, xattrs…) are ignored; owners are never applied.
/// Memory stays constant: one 128 KiB buffer, and at most 1 MiB for one extended header.
///
/// ```swift
/// let reader = try TarReader(contentsOf: "release.tar.gz")
/// while let entry = try reader.next() { print(entry.path) }
/// ```
public final class TarReader {
    static let bufferSize = 128 * 1024

    private let source: ByteSource
    private var keepAlive: [AnyObject] = []
    private var ownedFD: Int32 = -1
    private let buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    /// Data bytes of the current entry not yet consumed, and its padding.
    private var remaining: Int64 = 0
    private var padding = 0
    private var globals = PaxRecords()
    private var ended = false
    private var currentName = ""

    init(source: ByteSource) {
        self.source = source
        buffer = .allocate(byteCount: Self.bufferSize, alignment: 64)
    }

    /// Opens the tar or gzip-compressed tar at `path` (detected by content) for listing.
    ///
    /// - Parameters:
    ///   - path: the archive file.
    ///   - outputLimit: the most bytes a gzip stream may inflate to (bomb guard).
    public convenience init(contentsOf path: String, outputLimit: Int64 = 64 << 30) throws(ArchiveError) {
        let format = try ArchiveFormat.detect(fileAt: path)
        guard format != .zip else { throw ArchiveError(.unsupportedFormat, "\(path) is a zip archive, not a tar") }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ArchiveError(.io, "cannot open \(path)", underlying: .last("open \(path)")) }
        let file = FileByteSource(fd: fd)
        if format == .tarGzip {
            do {
                self.init(source: try GzipInflater(file, outputLimit: outputLimit, limitDescription: "listing limit"))
            } catch { close(fd); throw error }
        } else {
            self.init(source: file)
        }
        ownedFD = fd
    }

    deinit {
        buffer.deallocate()
        if ownedFD >= 0 { close(ownedFD) }
    }

    // MARK: Buffered input

    /// Makes at least `count` (≤ buffer size) bytes available, or returns false at a clean end of input.
    private func fill(_ count: Int) throws(ArchiveError) -> Bool {
        if end - start >= count { return true }
        if start > 0 {
            let pending = end - start
            if pending > 0 { memmove(buffer.baseAddress!, buffer.baseAddress! + start, pending) }
            start = 0
            end = pending
        }
        while end < count {
            let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
            if n == 0 { return false }
            end += n
        }
        return true
    }

    private func truncated(_ what: String) -> ArchiveError {
        ArchiveError(.truncated, entry: currentName.isEmpty ? nil : currentName, "the archive ends in the middle of \(what)")
    }

    /// Consumes the next 512-byte block, or returns nil at the end of input.
    private func withBlock<T>(_ body: (UnsafeRawBufferPointer) throws(ArchiveError) -> T) throws(ArchiveError) -> T? {
        let available = try fill(TarHeader.blockSize)
        if !available {
            if end - start > 0 { throw truncated("a header block") }
            return nil
        }
        defer { start += TarHeader.blockSize }
        return try body(UnsafeRawBufferPointer(rebasing: buffer[start..<(start + TarHeader.blockSize)]))
    }

    /// Streams the rest of the current entry's data to `body` in chunks of at most 128 KiB.
    public func readData(_ body: (UnsafeRawBufferPointer) throws(ArchiveError) -> Void) throws(ArchiveError) {
        while remaining > 0 {
            if start == end {
                start = 0; end = 0
                let n = try source.read(into: buffer)
                guard n > 0 else { throw truncated("the data of an entry") }
                end = n
            }
            let take = Int(min(Int64(end - start), remaining))
            try body(UnsafeRawBufferPointer(rebasing: buffer[start..<(start + take)]))
            start += take
            remaining -= Int64(take)
        }
        while padding > 0 {
            if start == end {
                start = 0; end = 0
                let n = try source.read(into: buffer)
                guard n > 0 else { throw truncated("the padding of an entry") }
                end = n
            }
            let take = min(end - start, padding)
            start += take
            padding -= take
        }
    }

    /// Reads a whole metadata payload (pax header or GNU long name) of at most 1 MiB.
    private func readSmallData(size: Int64, what: String) throws(ArchiveError) -> [UInt8] {
        guard size <= PaxRecords.maxSize else {
            throw ArchiveError(.malformedExtendedHeader, entry: currentName, "the \(what) is \(size) bytes, more than the 1 MiB allowed")
        }
        var data: [UInt8] = []
        data.reserveCapacity(Int(size))
        beginData(size)
        try readData { (chunk: UnsafeRawBufferPointer) throws(ArchiveError) in data.append(contentsOf: chunk) }
        return data
    }

    private func beginData(_ size: Int64) {
        remaining = size
        padding = Int((512 - size % 512) % 512)
    }

    // MARK: Entries

    /// The next entry, or nil after the end-of-archive marker (two zero blocks followed only by zeros).
    public func next() throws(ArchiveError) -> ArchiveEntry? {
        if ended { return nil }
        try readData { (_: UnsafeRawBufferPointer) throws(ArchiveError) in }
        var local = PaxRecords()
        var hasLocal = false
        var longName: String?
        var longLink: String?
        var metadataCount = 0
        while true {
            guard let header = try withBlock({ (block: UnsafeRawBufferPointer) throws(ArchiveError) -> TarHeader? in
                TarHeader.isZeroBlock(block) ? nil : try TarHeader(block)
            }) else {
                throw ArchiveError(.truncated, "the archive ends without its end-of-archive marker (two zero blocks)")
            }
            guard let header else {
                if hasLocal || longName != nil || longLink != nil {
                    throw ArchiveError(.malformedExtendedHeader, entry: currentName, "an extended header is not followed by an entry")
                }
                try finishAfterZeroBlock()
                return nil
            }
            currentName = header.fullName
            switch header.typeflag {
            case UInt8(ascii: "x"), UInt8(ascii: "g"), UInt8(ascii: "L"), UInt8(ascii: "K"):
                metadataCount += 1
                guard metadataCount <= 8 else {
                    throw ArchiveError(.malformedExtendedHeader, entry: currentName, "more than 8 extended headers precede one entry")
                }
                let data = try readSmallData(size: header.size, what: "extended header")
                switch header.typeflag {
                case UInt8(ascii: "x"):
                    local = local.merged(with: try Self.pax(data, entry: header.fullName))
                    hasLocal = true
                case UInt8(ascii: "g"):
                    let global = try Self.pax(data, entry: header.fullName)
                    if let mtime = global.mtime { globals.mtime = mtime }
                case UInt8(ascii: "L"): longName = try Self.longName(data, entry: header.fullName)
                default: longLink = try Self.longName(data, entry: header.fullName)
                }
                continue
            default:
                return try makeEntry(header, local: hasLocal ? local : nil, longName: longName, longLink: longLink)
            }
        }
    }

    private static func pax(_ data: [UInt8], entry: String) throws(ArchiveError) -> PaxRecords {
        try data.withUnsafeBytes { raw in Result { () throws(ArchiveError) in try PaxRecords(raw, entry: entry) } }.get()
    }

    private static func longName(_ data: [UInt8], entry: String) throws(ArchiveError) -> String {
        let end = data.firstIndex(of: 0) ?? data.endIndex
        guard data[end...].allSatisfy({ $0 == 0 }) else {
            throw ArchiveError(.malformedExtendedHeader, entry: entry, "a GNU long name contains a NUL character")
        }
        guard end > 0 else { throw ArchiveError(.malformedExtendedHeader, entry: entry, "a GNU long name is empty") }
        return String(decoding: data[..<end], as: UTF8.self)
    }

    private func makeEntry(_ header: TarHeader, local: PaxRecords?, longName: String?, longLink: String?) throws(ArchiveError) -> ArchiveEntry {
        let path = local?.path ?? longName ?? header.fullName
        let link = local?.linkPath ?? longLink ?? header.linkName
        currentName = path
        var size = header.size
        if let paxSize = local?.size {
            if header.size != 0 && header.size != paxSize {
                throw ArchiveError(.sizeMismatch, entry: path, "the pax size (\(paxSize)) disagrees with the ustar size field (\(header.size))")
            }
            size = paxSize
        }
        let mtime = local?.mtime ?? globals.mtime ?? header.mtime
        let mode = UInt32(truncatingIfNeeded: header.mode & 0o7777)
        let kind: ArchiveEntry.Kind
        switch header.typeflag {
        case UInt8(ascii: "0"), 0:
            kind = path.hasSuffix("/") && header.typeflag == 0 ? .directory : .file
        case UInt8(ascii: "5"): kind = .directory
        case UInt8(ascii: "2"): kind = .symbolicLink(target: link)
        case UInt8(ascii: "1"): kind = .hardLink(target: link)
        default:
            throw ArchiveError(.unsupportedEntryType, entry: path, "entry type \(Self.describe(header.typeflag)) is not allowed (only files, directories and links)")
        }
        beginData(size)
        if kind != .file {
            // Data of links and directories (normally none) is skipped by the next call.
            return ArchiveEntry(path: path, kind: kind, mode: mode, modificationTime: mtime, size: 0)
        }
        return ArchiveEntry(path: path, kind: kind, mode: mode, modificationTime: mtime, size: size)
    }

    static func describe(_ typeflag: UInt8) -> String {
        switch typeflag {
        case UInt8(ascii: "3"): return "'3' (character device)"
        case UInt8(ascii: "4"): return "'4' (block device)"
        case UInt8(ascii: "6"): return "'6' (FIFO)"
        case UInt8(ascii: "7"): return "'7' (contiguous file)"
        case UInt8(ascii: "S"): return "'S' (GNU sparse file)"
        case 0x21...0x7E: return "'\(Character(Unicode.Scalar(typeflag)))'"
        default: return "0x\(String(typeflag, radix: 16))"
        }
    }

    /// After the first zero block: the second must be zero too, and everything after it zero padding.
    private func finishAfterZeroBlock() throws(ArchiveError) {
        currentName = ""
        guard let secondIsZero = try withBlock({ (block: UnsafeRawBufferPointer) throws(ArchiveError) -> Bool in TarHeader.isZeroBlock(block) }) else {
            throw ArchiveError(.truncated, "the archive ends after a single zero block (the end marker is two)")
        }
        guard secondIsZero else { throw ArchiveError(.dataAfterEnd, "a zero block is followed by non-zero data") }
        ended = true
        while true {
            if start == end {
                start = 0; end = 0
                let n = try source.read(into: buffer)
                if n == 0 { return }
                end = n
            }
            guard UnsafeRawBufferPointer(rebasing: buffer[start..<end]).allSatisfy({ $0 == 0 }) else {
                throw ArchiveError(.dataAfterEnd, "non-zero data follows the end-of-archive marker")
            }
            start = end
        }
    }
}
