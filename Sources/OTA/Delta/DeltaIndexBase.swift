import Crypto
#if canImport(Glibc)
import Glibc
#endif

/// The text of a delta index the device keeps, as the base of an index patch and as a release folder's record:
/// either a gzip file (the verified index of an earlier release, or the text made from an index patch) or a
/// record kept as the index patch it was made from (``KeptIndexes/keep(patch:base:version:form:stagedFolder:)``),
/// which names the kept index it applies to. Its SHA-256 and length are learnt without holding the text (a gzip
/// file is inflated once; a patch's signed header gives them); the text itself is made only when it is used.
package struct DeltaIndexBase: Sendable {
    /// Where the text comes from.
    indirect enum Origin: Sendable {
        /// A gzip file: the text inflated.
        case gzip
        /// An index patch (`frame` is where its zstd frame starts) applied to the text of `base`.
        case patch(bytes: [UInt8], frame: Int, base: DeltaIndexBase)
    }

    /// The kept file.
    let path: String
    /// The SHA-256 (64 lowercase hex digits) and length of its text.
    package let sha256: String
    package let length: Int64
    let origin: Origin

    /// How many index patches make the text from a gzip file (0 for a gzip file).
    var depth: Int {
        if case .patch(_, _, let base) = origin { return base.depth + 1 }
        return 0
    }

    /// Reads the kept index at `path`, refusing a text of more than `limit` bytes: a gzip file, or a record kept
    /// as an index patch (named `….patch`), whose base is read too, at most ``KeptIndexes/maxPatchChain`` deep.
    /// - Throws: ``ArchiveError`` for a file that cannot be read or inflated within `limit`, a patch record
    ///   that is malformed or whose base is missing, of another text, or too deep.
    package init(keptIndexAt path: String, limit: Int64) throws(ArchiveError) {
        try self.init(keptIndexAt: path, limit: limit, deeper: KeptIndexes.maxPatchChain)
    }

    private init(keptIndexAt path: String, limit: Int64, deeper allowed: Int) throws(ArchiveError) {
        guard path.hasSuffix(KeptIndex.patchSuffix) else {
            var hasher = SHA256()
            var length: Int64 = 0
            try Self.inflate(path, limit: limit) { chunk in
                hasher.update(bufferPointer: chunk)
                length += Int64(chunk.count)
            }
            (self.path, sha256, self.length, origin) = (path, Hex.lowercase(hasher.finalize()), length, .gzip)
            return
        }
        guard allowed > 0 else { throw ArchiveError(.tooManyBytes, "the kept index \(path) is more than \(KeptIndexes.maxPatchChain) index patches away from a kept text") }
        let record = try Self.read(path, limit: limit + Int64(KeptIndexes.patchRecordHeaderBytes))
        guard case let (baseName, patchStart)? = KeptIndexes.patchRecordBase(record) else {
            throw ArchiveError(.malformedHeader, "the kept index \(path) does not start with a line naming its base")
        }
        let patch = Array(record[patchStart...])
        let header: DeltaIndexPatch.Header, frame: Int
        (header, frame) = try DeltaIndexPatch.Header.read(patch)
        let base = try DeltaIndexBase(keptIndexAt: FileSystem.parent(path) + "/" + baseName, limit: limit, deeper: allowed - 1)
        guard base.sha256 == header.base, base.length == header.baseLength, header.textLength <= limit else {
            throw ArchiveError(.sizeMismatch, "the kept index \(path) applies to another text than its base \(baseName)")
        }
        (self.path, sha256, length, origin) = (path, header.text, header.textLength, .patch(bytes: patch, frame: frame, base: base))
    }

    /// The text in a new buffer of exactly ``length`` bytes (the caller deallocates it).
    /// - Throws: ``ArchiveError`` when the file no longer inflates to ``length`` bytes, or the index patches
    ///   do not make the text of the SHA-256 their header gives.
    func text() throws(ArchiveError) -> UnsafeMutableRawBufferPointer {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, Int(length)), alignment: 16)
        var filled = 0
        var hasher: SHA256? = nil
        let append: (UnsafeRawBufferPointer) throws(ArchiveError) -> Void = { (chunk) throws(ArchiveError) in
            guard chunk.count <= Int(self.length) - filled else {
                throw ArchiveError(.sizeMismatch, "the kept index \(self.path) makes more than \(self.length) bytes")
            }
            UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<(filled + chunk.count)]).copyMemory(from: chunk)
            filled += chunk.count
            hasher?.update(bufferPointer: chunk)
        }
        do {
            switch origin {
            case .gzip:
                try Self.inflate(path, limit: length, append)
            case .patch(let bytes, let frame, let base):
                hasher = SHA256()
                try DeltaIndexPatch.decode(bytes[frame...], against: base, limit: length, append)
            }
        } catch {
            buffer.deallocate()
            throw error
        }
        guard filled == Int(length), hasher.map({ Hex.lowercase($0.finalize()) == sha256 }) ?? true else {
            buffer.deallocate()
            throw ArchiveError(.sizeMismatch, "the kept index \(path) does not make its \(length) bytes of SHA-256 \(sha256.prefix(16))… (it changed while it was read)")
        }
        return UnsafeMutableRawBufferPointer(rebasing: buffer[..<filled])
    }

    /// The text as an array.
    func textBytes() throws(ArchiveError) -> [UInt8] {
        let buffer = try text()
        defer { buffer.deallocate() }
        return Array(buffer)
    }

    /// Inflates the gzip file at `path` (at most `limit` bytes), handing the text to `body` chunk by chunk.
    private static func inflate(_ path: String, limit: Int64, _ body: (UnsafeRawBufferPointer) throws(ArchiveError) -> Void) throws(ArchiveError) {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw ArchiveError(.io, "cannot open the kept index \(path): \(SystemError.last("open").message)") }
        defer { close(fd) }
        let inflater = try GzipInflater(FileByteSource(fd: fd), outputLimit: limit, limitDescription: "at most \(limit) bytes")
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
        defer { buffer.deallocate() }
        while case let count = try inflater.read(into: buffer), count > 0 {
            try body(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// The whole file at `path` (not through a symbolic link), at most `limit` bytes.
    private static func read(_ path: String, limit: Int64) throws(ArchiveError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw ArchiveError(.io, "cannot open the kept index \(path): \(SystemError.last("open").message)") }
        defer { close(fd) }
        let bytes: [UInt8]
        do { bytes = try Syscall.readAll(fd, limit: Int(clamping: limit) + 1, "read \(path)") } catch { throw ArchiveError(.io, error.message) }
        guard bytes.count <= limit else { throw ArchiveError(.tooManyBytes, "the kept index \(path) is larger than \(limit) bytes") }
        return bytes
    }
}
