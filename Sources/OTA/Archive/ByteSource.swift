#if canImport(Glibc)
import Glibc
#endif

/// A forward-only stream of bytes that the tar reader consumes in chunks.
protocol ByteSource: AnyObject {
    /// Fills up to `buffer.count` bytes and returns how many; 0 only at the end of the stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ArchiveError) -> Int
}

/// Reads a file descriptor it does not own, in the caller's chunk size.
final class FileByteSource: ByteSource {
    let fd: Int32
    private(set) var bytesRead: Int64 = 0

    init(fd: Int32) { self.fd = fd }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ArchiveError) -> Int {
        let n: Int
        do { n = try Syscall.read(fd, into: buffer, "read") } catch {
            throw ArchiveError(.io, "cannot read the archive", underlying: error)
        }
        bytesRead += Int64(n)
        return n
    }
}
