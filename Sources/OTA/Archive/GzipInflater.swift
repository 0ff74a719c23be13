import COTASystem

/// Streaming gzip decoder over another ``ByteSource``, with zlib called directly.
///
/// - Detects truncation (input ends before `Z_STREAM_END`), corrupt data (`Z_DATA_ERROR`, bad CRC
///   or length in the trailer) and stops with ``ArchiveError/Code/expansionRatio`` as soon as the
///   inflated output passes `outputLimit`, so a bomb never inflates further than that.
/// - Concatenated gzip members are accepted (RFC 1952 §2.2, as `gzip -d` and GNU tar do); any other
///   byte after the last member is rejected as ``ArchiveError/Code/trailingData``.
/// - Every loop makes progress or fails: zlib returning without consuming or producing is an error.
final class GzipInflater: ByteSource {
    static let inputChunk = 64 * 1024

    private let input: ByteSource
    private let outputLimit: Int64
    private let limitDescription: String
    private var stream = z_stream()
    private var inputBuffer: UnsafeMutableRawBufferPointer
    private var inputEOF = false
    private var memberEnded = false
    private var finished = false
    private(set) var totalOut: Int64 = 0

    /// - Parameters:
    ///   - outputLimit: the most bytes this stream may inflate to.
    ///   - limitDescription: says how the limit was derived, for the error message.
    init(_ input: ByteSource, outputLimit: Int64, limitDescription: String) throws(ArchiveError) {
        self.input = input
        self.outputLimit = outputLimit
        self.limitDescription = limitDescription
        inputBuffer = .allocate(byteCount: Self.inputChunk, alignment: 16)
        guard ota_inflate_init_gzip(&stream) == Z_OK else {
            inputBuffer.deallocate()
            throw ArchiveError(.io, "zlib could not be initialised")
        }
    }

    deinit {
        inflateEnd(&stream)
        inputBuffer.deallocate()
    }

    /// Refills the input buffer when zlib has consumed it; returns false at the end of the input.
    private func refill() throws(ArchiveError) -> Bool {
        if stream.avail_in > 0 { return true }
        if inputEOF { return false }
        let n = try input.read(into: inputBuffer)
        if n == 0 { inputEOF = true; return false }
        stream.next_in = inputBuffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.avail_in = uInt(n)
        return true
    }

    /// After a member ended: accept another gzip member, the end of input, or reject the rest.
    private func startNextMemberOrFinish() throws(ArchiveError) {
        guard try refill() else { finished = true; return }
        let next = stream.next_in![0]
        guard next == 0x1F else {
            throw ArchiveError(.trailingData, "\(stream.avail_in) or more bytes that are not gzip data follow the compressed stream")
        }
        guard inflateReset(&stream) == Z_OK else { throw ArchiveError(.corruptCompression, "zlib could not start the next gzip member") }
        memberEnded = false
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ArchiveError) -> Int {
        guard buffer.count > 0 else { return 0 }
        while !finished {
            if memberEnded { try startNextMemberOrFinish(); continue }
            let hasInput = try refill()
            stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(min(buffer.count, Int(UInt32.max)))
            let availIn = stream.avail_in
            let status = inflate(&stream, Z_NO_FLUSH)
            let produced = buffer.count - Int(stream.avail_out)
            let consumed = Int(availIn) - Int(stream.avail_in)
            switch status {
            case Z_STREAM_END:
                memberEnded = true
            case Z_OK:
                break
            case Z_BUF_ERROR:
                if !hasInput { throw ArchiveError(.truncated, "the gzip stream ends before its end marker (\(totalOut + Int64(produced)) bytes inflated)") }
            case Z_DATA_ERROR, Z_NEED_DICT:
                let reason = stream.msg.map { String(cString: $0) } ?? "invalid deflate data"
                throw ArchiveError(.corruptCompression, "the gzip data is corrupt (\(reason))")
            case Z_MEM_ERROR:
                throw ArchiveError(.io, "zlib ran out of memory")
            default:
                throw ArchiveError(.corruptCompression, "zlib failed with status \(status)")
            }
            if produced == 0 && consumed == 0 && status != Z_STREAM_END {
                if !hasInput { throw ArchiveError(.truncated, "the gzip stream ends before its end marker (\(totalOut) bytes inflated)") }
                throw ArchiveError(.corruptCompression, "zlib made no progress")
            }
            if produced > 0 {
                totalOut += Int64(produced)
                if totalOut > outputLimit {
                    throw ArchiveError(.expansionRatio, "the compressed data inflates to more than \(outputLimit) bytes (\(limitDescription)); stopped early")
                }
                return produced
            }
        }
        return 0
    }
}
