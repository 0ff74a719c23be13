import Crypto
#if canImport(Glibc)
import Glibc
#endif

extension DeltaIndexPatch {
    /// Applies the index patch `patch` (already checked against its signature) to the kept text `base`,
    /// writing the text it makes gzip-compressed to a new file at `destination`, and checks that text
    /// against the header's SHA-256 and length: a text that passes is the one the publisher signed.
    ///
    /// The decoder holds the base text and its window (at most the new text), both at most `limit` bytes.
    /// - Throws: ``DeltaError/Code/indexUnavailable`` for a patch of another base, a corrupt patch, or a text
    ///   that is not the header's (`destination` is removed then).
    package static func apply(_ patch: [UInt8], to base: DeltaIndexBase, writingTo destination: String, limit: Int64) throws(DeltaError) -> Header {
        let header: Header, frame: Int
        do { (header, frame) = try Header.read(patch) } catch { throw DeltaError(.indexUnavailable, error.message) }
        guard header.base == base.sha256, header.baseLength == base.length else {
            throw DeltaError(.indexUnavailable, "the index patch applies to the index text \(header.base.prefix(16))…, not to the kept one (\(base.sha256.prefix(16))…)")
        }
        guard header.textLength <= limit else {
            throw DeltaError(.indexUnavailable, "the index patch makes \(header.textLength) bytes of index text, more than the \(limit) an index patch may make")
        }
        let fd = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DeltaError(.indexUnavailable, SystemError.last("create \(destination)").message) }
        defer { close(fd) }
        do throws(DeltaError) {
            let digest = try decode(patch[frame...], base: base, limit: header.textLength, into: fd, name: destination)
            guard digest.count == header.textLength, digest.sha256 == header.text else {
                throw DeltaError(.indexUnavailable, "the index patch made \(digest.count) bytes of SHA-256 \(digest.sha256.prefix(16))…, not the signed \(header.textLength) bytes of \(header.text.prefix(16))…")
            }
            guard fsync(fd) == 0 else { throw DeltaError(.indexUnavailable, SystemError.last("fsync \(destination)").message) }
            return header
        } catch {
            unlink(destination)
            throw error
        }
    }

    /// Decodes the zstd frame `frame` against the base text (read into memory for the decoder), gzip-compresses
    /// what it makes into `fd`; returns the SHA-256 and length of the text made.
    private static func decode(_ frame: ArraySlice<UInt8>, base: DeltaIndexBase, limit: Int64, into fd: Int32,
                               name: String) throws(DeltaError) -> (sha256: String, count: Int64) {
        var hasher = SHA256()
        var failure: SystemError?
        let compressor = Gzip.Compressor(level: 1)
        let write: (UnsafeRawBufferPointer) -> Void = { chunk in
            guard failure == nil else { return }
            do throws(SystemError) { try Syscall.writeAll(fd, chunk, "write \(name)") } catch { failure = error }
        }
        let made: Int64
        do {
            let decoder = try ZstdPatchDecoder(prefix: try base.text(), windowLogMax: maxWindowLog, limit: limit)
            try frame.withUnsafeBytes { input in
                try decoder.feed(input) { chunk in
                    hasher.update(bufferPointer: chunk)
                    compressor.feed(chunk, finish: false, write)
                }
            }
            try decoder.finish()
            made = decoder.totalOut
        } catch let error as ArchiveError {
            throw DeltaError(.indexUnavailable, "the index patch cannot be applied to the kept index: \(error.message)")
        } catch {
            throw DeltaError(.indexUnavailable, "the index patch cannot be applied to the kept index: \(error.localizedMessage)")
        }
        compressor.feed(UnsafeRawBufferPointer(start: nil, count: 0), finish: true, write)
        if let failure { throw DeltaError(.indexUnavailable, failure.message) }
        return (Hex.lowercase(hasher.finalize()), made)
    }
}
