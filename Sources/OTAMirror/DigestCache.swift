import Foundation
import OTA

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

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// The lowercase hex SHA-256 of `file`, from the cache when its identity is unchanged.
    func sha256(of file: CatalogFile) throws(MirrorError) -> String {
        let key = Key(path: file.path, size: file.size, modified: file.modifiedNanoseconds, inode: file.inode)
        if let cached = lock.withLock({ digests[file.path] }), cached.key == key { return cached.hex }
        let hex: String
        do { hex = try FileDigest.sha256(ofFileAt: file.path) } catch {
            throw MirrorError(.unreadableFile, "Cannot compute the digest of \(file.path): \(error.message).")
        }
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
}
