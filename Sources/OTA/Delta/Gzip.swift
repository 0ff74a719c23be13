import COTASystem
#if canImport(Glibc)
import Glibc
#endif

/// gzip (zlib, already linked for `.tar.gz`) for delta indexes and objects, and for the release archives
/// `OTAArchiveWriter` makes.
package enum Gzip {
    /// The compression level of indexes and objects: the best ratio (objects are compressed once, fetched many times).
    static let level: Int32 = 9

    /// `bytes` compressed as one gzip member at `level` (1 fastest … 9 smallest).
    package static func compress(_ bytes: [UInt8], level: Int32 = Gzip.level) -> [UInt8] {
        var output: [UInt8] = []
        let compressor = Compressor(level: level)
        bytes.withUnsafeBytes { compressor.feed($0, finish: true) { output.append(contentsOf: $0) } }
        return output
    }

    /// Compresses the file at `source` into a new file at `destination` (created with mode 0644, must not exist).
    static func compressFile(_ source: String, to destination: String) throws(SystemError) {
        let output = try Syscall.retryingInterrupts("create \(destination)") {
            open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        }
        defer { close(output) }
        _ = try compressFile(source, appendingTo: output, name: destination)
    }

    /// Compresses the file at `source` as one gzip member written to the open file `output` (called `name`
    /// in errors) at its current position; returns the compressed bytes written.
    static func compressFile(_ source: String, appendingTo output: Int32, name: String) throws(SystemError) -> Int64 {
        let input = try Syscall.retryingInterrupts("open \(source)") { open(source, O_RDONLY | O_CLOEXEC) }
        defer { close(input) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 << 10, alignment: 16)
        defer { buffer.deallocate() }
        let compressor = Compressor()
        var failure: SystemError?
        var written: Int64 = 0
        let sink: (UnsafeRawBufferPointer) -> Void = { chunk in
            guard failure == nil else { return }
            do throws(SystemError) {
                try Syscall.writeAll(output, chunk, "write \(name)")
                written += Int64(chunk.count)
            } catch { failure = error }
        }
        try Syscall.forEachChunk(of: input, buffer: buffer, "read \(source)") { chunk in compressor.feed(chunk, finish: false, sink) }
        compressor.feed(UnsafeRawBufferPointer(start: nil, count: 0), finish: true, sink)
        if let failure { throw failure }
        return written
    }

    /// The content of a gzip stream held in memory, refused beyond `limit` inflated bytes.
    static func decompress(_ bytes: [UInt8], limit: Int64) throws(ArchiveError) -> [UInt8] {
        let inflater = try GzipInflater(MemoryByteSource(bytes), outputLimit: limit, limitDescription: "at most \(limit) bytes")
        var output: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try inflater.read(into: buffer)
            if count == 0 { return output }
            output.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// A deflate stream writing one gzip member.
    final class Compressor {
        private var stream = z_stream()
        private let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)

        init(level: Int32 = Gzip.level) {
            // Fails only without memory, where nothing else would work either.
            precondition(ota_deflate_init_gzip(&stream, level) == Z_OK, "zlib could not be initialised")
        }

        deinit {
            deflateEnd(&stream)
            chunk.deallocate()
        }

        /// Compresses `input`; with `finish`, ends the member. Output goes to `sink` chunk by chunk.
        func feed(_ input: UnsafeRawBufferPointer, finish: Bool, _ sink: (UnsafeRawBufferPointer) -> Void) {
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(input.count)
            while true {
                stream.next_out = chunk.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(chunk.count)
                let status = deflate(&stream, finish ? Z_FINISH : Z_NO_FLUSH)
                let produced = chunk.count - Int(stream.avail_out)
                if produced > 0 { sink(UnsafeRawBufferPointer(rebasing: chunk[..<produced])) }
                if finish ? status == Z_STREAM_END : (stream.avail_in == 0 && stream.avail_out > 0) { return }
                precondition(status == Z_OK || status == Z_BUF_ERROR, "deflate failed with status \(status)")
            }
        }
    }
}

/// Bytes in memory as a ``ByteSource``.
final class MemoryByteSource: ByteSource {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ArchiveError) -> Int {
        let count = min(buffer.count, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<(offset + count)]))
        }
        offset += count
        return count
    }
}
