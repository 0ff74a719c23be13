#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Hummingbird
import OTA

/// A response body that streams a byte range of an open file in fixed-size chunks.
///
/// Each chunk is read with `pread(2)` into a fresh 64 KiB buffer; every `drainInterval` chunks the
/// task waits until the event loop has taken what was written (see `MirrorRequestContext`), and the writer applies the
/// connection's back-pressure, so only a few chunks are in memory per download whatever the file
/// size. Hummingbird's `FileIO` is not used: it lets chunks pile up in front of a fast connection.
enum FileStream {
    static let chunkLength = 64 * 1024
    /// Chunks written between two waits for the event loop (at most this many are queued).
    static let drainInterval = 4

    /// The body for `range` of the file at `path`; the file is opened when the body is written.
    static func body(path: String, range: ClosedRange<Int>, context: MirrorRequestContext) -> ResponseBody {
        let drain = context.drainEventLoop
        return ResponseBody(contentLength: range.count) { writer in
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw MirrorError(.unreadableFile, "Cannot open \(path) (errno \(errno)).") }
            defer { close(descriptor) }
            var offset = range.lowerBound, chunks = 0
            let end = range.upperBound + 1
            while offset < end {
                let wanted = min(chunkLength, end - offset)
                var buffer = ByteBuffer()
                buffer.reserveCapacity(wanted)
                let count = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: wanted) { pointer in
                    max(0, Syscall.retryingInterrupts { pread(descriptor, pointer.baseAddress, wanted, off_t(offset)) })
                }
                guard count > 0 else {
                    throw MirrorError(.unreadableFile, "\(path) ended at byte \(offset) while \(end) were announced; it changed while being served.")
                }
                offset += count
                try await writer.write(buffer)
                chunks += 1
                if chunks % drainInterval == 0 { try await drain() }
            }
            try await writer.finish(nil)
        }
    }
}
