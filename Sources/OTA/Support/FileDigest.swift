#if canImport(Glibc)
import Glibc
#endif
import Crypto

/// The digest of file contents (SHA-256, or any other hash function), read in fixed-size chunks so
/// that memory does not grow with the file.
package enum FileDigest {
    /// The size of the read buffer a call allocates when the caller gives none.
    package static let chunkSize = 256 << 10

    /// The lowercase hex SHA-256 of the file at `path`, read through `buffer` when given (a caller
    /// hashing many files keeps one) or else through a buffer of ``chunkSize`` bytes.
    package static func sha256(ofFileAt path: String, reusing buffer: UnsafeMutableRawBufferPointer? = nil) throws(SystemError) -> String {
        try hex(ofFileAt: path, using: SHA256.self, reusing: buffer)
    }

    /// The lowercase hex digest of the file at `path` by `function` (`SHA384.self`, `SHA512.self`),
    /// read as ``sha256(ofFileAt:reusing:)`` reads it.
    package static func hex<Function: HashFunction>(ofFileAt path: String, using function: Function.Type,
                                                    reusing buffer: UnsafeMutableRawBufferPointer? = nil) throws(SystemError) -> String {
        var hasher = Function()
        try update(&hasher, withFileAt: path, reusing: buffer)
        return Hex.lowercase(hasher.finalize())
    }

    /// Feeds the first `limit` bytes of the file at `path` (all of it by default) into `hasher`;
    /// returns how many bytes that was, fewer than `limit` when the file is shorter.
    @discardableResult
    package static func update(_ hasher: inout some HashFunction, withFileAt path: String, limit: Int = .max,
                               reusing shared: UnsafeMutableRawBufferPointer? = nil) throws(SystemError) -> Int {
        let fd = try Syscall.retryingInterrupts("open \(path)") { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        return try update(&hasher, withDescriptor: fd, name: path, limit: limit, reusing: shared)
    }

    /// Feeds the first `limit` bytes read from the open file `fd` (named `name` in errors) into `hasher`;
    /// returns how many bytes that was, fewer than `limit` when the file ends first.
    @discardableResult
    package static func update(_ hasher: inout some HashFunction, withDescriptor fd: Int32, name: String, limit: Int = .max,
                               reusing shared: UnsafeMutableRawBufferPointer? = nil) throws(SystemError) -> Int {
        let buffer = shared ?? UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { if shared == nil { buffer.deallocate() } }
        return try Syscall.forEachChunk(of: fd, buffer: buffer, limit: limit, "read \(name)") { chunk in
            hasher.update(bufferPointer: chunk)
        }
    }
}
