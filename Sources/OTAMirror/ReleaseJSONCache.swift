import Foundation
import OTA

/// Encoded release objects, reused while the release folder and the base URL are unchanged.
///
/// Encoding is what a large list costs (300 assets: ~30 ms with `JSONEncoder`, against ~3 ms to
/// re-read the folder), so each release is encoded once and the list answer is the cached pieces
/// joined. An entry is reused only if the freshly read `CatalogRelease` equals the one it was
/// encoded from (same files, sizes, mtimes, digests, metadata) and the URLs are the same.
final class ReleaseJSONCache: @unchecked Sendable {
    private struct Entry {
        var release: CatalogRelease
        var owner: String
        var repo: String
        var data: Data
    }

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    private let capacity: Int

    init(capacity: Int = 4096) { self.capacity = capacity }

    /// The JSON of `release` (sorted keys, unescaped slashes), from the cache when still valid.
    func data(for release: CatalogRelease, in repository: CatalogRepository, urls: MirrorURLs) throws -> Data {
        let key = "\(urls.api)\n\(urls.web)\n\(release.id)"
        if let entry = lock.withLock({ entries[key] }), entry.release == release, entry.owner == repository.owner,
           entry.repo == repository.repo {
            return entry.data
        }
        let data = try MirrorResponse.encoder.encode(GitHubJSON.Release(release, in: repository, urls: urls))
        lock.withLock {
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(release: release, owner: repository.owner, repo: repository.repo, data: data)
        }
        return data
    }

    /// A JSON array of already-encoded elements.
    static func array(_ elements: [Data]) -> Data {
        var result = Data("[".utf8)
        for (index, element) in elements.enumerated() {
            if index > 0 { result.append(UInt8(ascii: ",")) }
            result.append(element)
        }
        result.append(UInt8(ascii: "]"))
        return result
    }
}
