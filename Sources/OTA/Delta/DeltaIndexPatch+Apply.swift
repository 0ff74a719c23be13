import Crypto
#if canImport(Glibc)
import Glibc
#endif

extension DeltaIndexPatch {
    /// Applies the index patch `patch` (already checked against its signature) to the kept text `base` and
    /// checks the text it makes against the header's SHA-256 and length: a text that passes is the one the
    /// publisher signed.
    ///
    /// Holds the base text, the decoder's window and the text made, each at most `limit` bytes.
    /// - Throws: ``DeltaError/Code/indexUnavailable`` for a patch of another base, a corrupt patch, or a text
    ///   that is not the header's.
    package static func text(applying patch: [UInt8], to base: DeltaIndexBase, limit: Int64) throws(DeltaError) -> (header: Header, text: [UInt8]) {
        let header: Header, frame: Int
        do { (header, frame) = try Header.read(patch) } catch { throw DeltaError(.indexUnavailable, error.message) }
        guard header.base == base.sha256, header.baseLength == base.length else {
            throw DeltaError(.indexUnavailable, "the index patch applies to the index text \(header.base.prefix(16))…, not to the kept one (\(base.sha256.prefix(16))…)")
        }
        guard header.textLength <= limit else {
            throw DeltaError(.indexUnavailable, "the index patch makes \(header.textLength) bytes of index text, more than the \(limit) an index patch may make")
        }
        var text: [UInt8] = []
        text.reserveCapacity(Int(header.textLength))
        var hasher = SHA256()
        do {
            try decode(patch[frame...], against: base, limit: header.textLength) { chunk in
                hasher.update(bufferPointer: chunk)
                text.append(contentsOf: chunk)
            }
        } catch {
            throw DeltaError(.indexUnavailable, "the index patch cannot be applied to the kept index: \(error.message)")
        }
        let digest = Hex.lowercase(hasher.finalize())
        guard text.count == header.textLength, digest == header.text else {
            throw DeltaError(.indexUnavailable, "the index patch made \(text.count) bytes of SHA-256 \(digest.prefix(16))…, not the signed \(header.textLength) bytes of \(header.text.prefix(16))…")
        }
        return (header, text)
    }

    /// Applies `patch` to `base` as ``text(applying:to:limit:)`` does and writes the text gzip-compressed to a
    /// new file at `destination` (removed when anything fails).
    package static func apply(_ patch: [UInt8], to base: DeltaIndexBase, writingTo destination: String, limit: Int64) throws(DeltaError) -> Header {
        let (header, text) = try text(applying: patch, to: base, limit: limit)
        let fd = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DeltaError(.indexUnavailable, SystemError.last("create \(destination)").message) }
        defer { close(fd) }
        do throws(SystemError) {
            try Syscall.writeAll(fd, Gzip.compress(text, level: 1), "write \(destination)")
            guard fsync(fd) == 0 else { throw SystemError.last("fsync \(destination)") }
        } catch {
            unlink(destination)
            throw DeltaError(.indexUnavailable, error.message)
        }
        return header
    }

    /// Decodes the zstd frame `frame` against the text of `base` (made in memory and referenced as the frame's
    /// prefix), handing what it makes, at most `limit` bytes, to `sink` chunk by chunk.
    static func decode(_ frame: ArraySlice<UInt8>, against base: DeltaIndexBase, limit: Int64,
                       _ sink: (UnsafeRawBufferPointer) throws(ArchiveError) -> Void) throws(ArchiveError) {
        do {
            let decoder = try ZstdPatchDecoder(prefix: try base.text(), windowLogMax: maxWindowLog, limit: limit)
            try frame.withUnsafeBytes { input in
                try decoder.feed(input) { chunk in try sink(chunk) }
            }
            try decoder.finish()
        } catch let error as ArchiveError {
            throw error
        } catch {
            throw ArchiveError(.corruptCompression, error.localizedMessage)
        }
    }
}
