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
        guard buffer.count > 0 else { return 0 }
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { bytesRead += Int64(n); return n }
            if errno == EINTR { continue }
            throw ArchiveError(.io, "cannot read the archive", underlying: .last("read"))
        }
    }
}
