import COTASystem

/// A gzip decoder fed chunk by chunk (from a network body), for one delta object.
///
/// Refuses corrupt data, output beyond `limit` bytes, anything after the single gzip member, and an input
/// that ends before the member does (``finish()``).
final class GzipStreamDecoder {
    private var stream = z_stream()
    private let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 128 << 10, alignment: 16)
    private let limit: Int64
    private var ended = false
    private(set) var totalOut: Int64 = 0

    init(limit: Int64) throws(ArchiveError) {
        self.limit = limit
        guard ota_inflate_init_gzip(&stream) == Z_OK else {
            output.deallocate()
            throw ArchiveError(.io, "zlib could not be initialised")
        }
    }

    deinit {
        inflateEnd(&stream)
        output.deallocate()
    }

    /// Inflates `input`, handing the output to `sink` chunk by chunk.
    func feed(_ input: UnsafeRawBufferPointer, _ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard input.count > 0 else { return }
        guard !ended else { throw ArchiveError(.trailingData, "bytes follow the end of the compressed object") }
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        while stream.avail_in > 0 && !ended {
            stream.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(output.count)
            let status = inflate(&stream, Z_NO_FLUSH)
            let produced = output.count - Int(stream.avail_out)
            switch status {
            case Z_STREAM_END: ended = true
            case Z_OK, Z_BUF_ERROR: break
            default: throw ArchiveError(.corruptCompression, "the compressed object is corrupt (zlib status \(status))")
            }
            totalOut += Int64(produced)
            guard totalOut <= limit else { throw ArchiveError(.expansionRatio, "the object inflates to more than its \(limit) bytes") }
            if produced > 0 { try sink(UnsafeRawBufferPointer(rebasing: output[..<produced])) }
            if produced == 0 && status == Z_BUF_ERROR { break }
        }
        guard stream.avail_in == 0 else { throw ArchiveError(.trailingData, "bytes follow the end of the compressed object") }
    }

    /// Checks that the member ended.
    func finish() throws(ArchiveError) {
        guard ended else { throw ArchiveError(.truncated, "the compressed object ends early (\(totalOut) bytes inflated)") }
    }
}
