import Crypto
#if canImport(Glibc)
import Glibc
#endif

/// The text of a delta index the device keeps (the verified gzip file of an earlier release's index), as the
/// base of an index patch: its SHA-256 and length are learnt by inflating it once without holding it; the text
/// itself is inflated again only when a patch from it is used.
package struct DeltaIndexBase: Sendable {
    /// The kept gzip file.
    let path: String
    /// The SHA-256 (64 lowercase hex digits) and length of its inflated text.
    package let sha256: String
    package let length: Int64

    /// Reads the kept index at `path`, refusing a text of more than `limit` bytes.
    /// - Throws: ``ArchiveError`` for a file that cannot be read or inflated within `limit`.
    package init(keptIndexAt path: String, limit: Int64) throws(ArchiveError) {
        var hasher = SHA256()
        var length: Int64 = 0
        try Self.inflate(path, limit: limit) { chunk in
            hasher.update(bufferPointer: chunk)
            length += Int64(chunk.count)
        }
        self.path = path
        self.sha256 = Hex.lowercase(hasher.finalize())
        self.length = length
    }

    /// The text in a new buffer of exactly ``length`` bytes (the caller deallocates it).
    /// - Throws: ``ArchiveError`` when the file no longer inflates to ``length`` bytes.
    func text() throws(ArchiveError) -> UnsafeMutableRawBufferPointer {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, Int(length)), alignment: 16)
        var filled = 0
        do {
            try Self.inflate(path, limit: length) { chunk in
                UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<(filled + chunk.count)]).copyMemory(from: chunk)
                filled += chunk.count
            }
        } catch {
            buffer.deallocate()
            throw error
        }
        guard filled == Int(length) else {
            buffer.deallocate()
            throw ArchiveError(.sizeMismatch, "the kept index \(path) changed while it was read")
        }
        return UnsafeMutableRawBufferPointer(rebasing: buffer[..<filled])
    }

    /// Inflates the gzip file at `path` (at most `limit` bytes), handing the text to `body` chunk by chunk.
    private static func inflate(_ path: String, limit: Int64, _ body: (UnsafeRawBufferPointer) -> Void) throws(ArchiveError) {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw ArchiveError(.io, "cannot open the kept index \(path): \(SystemError.last("open").message)") }
        defer { close(fd) }
        let inflater = try GzipInflater(FileByteSource(fd: fd), outputLimit: limit, limitDescription: "at most \(limit) bytes")
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
        defer { buffer.deallocate() }
        while case let count = try inflater.read(into: buffer), count > 0 {
            body(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }
}
