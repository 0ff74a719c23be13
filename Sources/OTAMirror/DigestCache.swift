import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// SHA-256 digests of files, computed by streaming and cached by (path, size, modification time).
///
/// A file that is replaced (new size or mtime, or a new inode) is hashed again on its next use.
/// The cache is shared by all requests; hashing happens outside the lock so a large file does not
/// block answers about other files.
final class DigestCache: @unchecked Sendable {
    private struct Key: Hashable {
        var path: String
        var size: Int
        var modified: Int64
        var inode: UInt64
    }

    private let lock = NSLock()
    private var digests: [String: (key: Key, hex: String)] = [:]
    private let capacity: Int
    private let chunkSize: Int

    init(capacity: Int = 10_000, chunkSize: Int = 1 << 20) {
        self.capacity = capacity
        self.chunkSize = chunkSize
    }

    /// The lowercase hex SHA-256 of `file`, from the cache when its identity is unchanged.
    func sha256(of file: CatalogFile) throws(MirrorError) -> String {
        let key = Key(path: file.path, size: file.size, modified: file.modifiedNanoseconds, inode: file.inode)
        if let cached = lock.withLock({ digests[file.path] }), cached.key == key { return cached.hex }
        let hex = try Self.hash(path: file.path, chunkSize: chunkSize)
        lock.withLock {
            if digests.count >= capacity { digests.removeAll(keepingCapacity: true) }
            digests[file.path] = (key, hex)
        }
        return hex
    }

    /// Whether a digest for `path` is in the cache (for tests).
    func isCached(_ path: String) -> Bool {
        lock.withLock { digests[path] != nil }
    }

    /// Hashes with plain `read(2)` into one reused buffer: constant memory whatever the file size.
    private static func hash(path: String, chunkSize: Int) throws(MirrorError) -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw MirrorError(.unreadableFile, "Cannot open \(path) to compute its digest (errno \(errno)); check its permissions.")
        }
        defer { close(descriptor) }
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, chunkSize) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw MirrorError(.unreadableFile, "Reading \(path) failed while computing its digest (errno \(errno)).")
            }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
