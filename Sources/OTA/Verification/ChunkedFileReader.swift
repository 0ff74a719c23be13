#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads files for verification in fixed-size chunks, so memory does not grow with the file.
package enum ChunkedFileReader {
    /// The chunk size: large enough for full hashing speed, small enough to stay out of the way.
    static let chunkByteCount = 1 << 20

    /// Calls `body` with each successive chunk of the file at `path` (never with an empty chunk).
    package static func forEachChunk(ofFileAt path: String, _ body: (UnsafeRawBufferPointer) -> Void) throws(VerificationError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkByteCount, alignment: 16)
        defer { buffer.deallocate() }
        do throws(SystemError) {
            let fd = try Syscall.retryingInterrupts("open \(path)") { Glibc.open(path, O_RDONLY | O_CLOEXEC) }
            defer { close(fd) }
            try Syscall.forEachChunk(of: fd, buffer: buffer, "read \(path)") { chunk in body(chunk) }
        } catch {
            throw unreadable(path, error)
        }
    }

    /// The size in bytes of the file at `path`.
    static func size(ofFileAt path: String) throws(VerificationError) -> Int {
        var info = stat()
        guard stat(path, &info) == 0 else { throw unreadable(path, SystemError.last("stat \(path)")) }
        return Int(info.st_size)
    }

    /// The whole file at `path`; refuses (with `tooLarge`) files over `limit` bytes.
    package static func contents(ofFileAt path: String, limit: Int, tooLarge: (Int) -> VerificationError) throws(VerificationError) -> [UInt8] {
        let size = try size(ofFileAt: path)
        guard size <= limit else { throw tooLarge(size) }
        var bytes = [UInt8]()
        bytes.reserveCapacity(size)
        try forEachChunk(ofFileAt: path) { chunk in bytes.append(contentsOf: chunk) }
        // The file may have grown after stat.
        guard bytes.count <= limit else { throw tooLarge(bytes.count) }
        return bytes
    }

    private static func unreadable(_ path: String, _ error: SystemError) -> VerificationError {
        VerificationError(.unreadableFile, "Cannot read \(path): \(error.message).", underlying: error)
    }
}
