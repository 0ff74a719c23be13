import Foundation
import Logging

/// The last release list a source received, with its `ETag`. Kept in `state_dir/cache/releases.json`
/// (mode 0600), opened through ``StateDirectory`` (a symlink planted there is ignored, not followed).
///
/// The ETag and the body it belongs to are stored together so they can never disagree.
struct ReleaseListCache: Codable, Sendable {
    var url: String
    var etag: String?
    var releases: [ReleaseEntry]

    /// The most bytes of cache read: the list is at most ``GitHubReleaseSource/maxListBytes`` of JSON as
    /// received, and its cached form keeps fewer fields.
    static let maxBytes = 2 * GitHubReleaseSource.maxListBytes

    /// An empty cache for the list at `url`.
    init(url: String, etag: String? = nil, releases: [ReleaseEntry] = []) {
        self.url = url
        self.etag = etag
        self.releases = releases
    }

    /// Reads `directory`'s cache; a missing, unreadable or foreign file is an empty cache (it is only an
    /// optimisation). One that cannot be opened safely (a symlink, a FIFO) is ignored with a warning.
    static func load(from directory: StateDirectory, url: String, logger: Logger) -> ReleaseListCache {
        let bytes: [UInt8]
        do {
            guard let read = try directory.read(StateDirectory.Entry.releaseList, in: StateDirectory.Entry.cache, limit: maxBytes) else {
                return ReleaseListCache(url: url)
            }
            bytes = read
        } catch {
            logger.warning("ignoring the release cache", metadata: ["ota.path": "\(directory.releaseListPath)", "ota.error": "\(error.message)"])
            return ReleaseListCache(url: url)
        }
        guard let cache = try? JSONDecoder().decode(ReleaseListCache.self, from: Data(bytes)), cache.url == url else {
            return ReleaseListCache(url: url)
        }
        return cache
    }

    /// Writes the cache into `directory` atomically, creating `state_dir` and its `cache` folder (mode 0700).
    func save(to directory: StateDirectory) throws(SystemError) {
        let data: Data
        do { data = try JSONEncoder().encode(self) } catch { throw SystemError("encode \(directory.releaseListPath)", errno: EINVAL) }
        try FileSystem.makeDirectories(directory.path, mode: 0o700)
        try directory.write(Array(data), to: StateDirectory.Entry.releaseList, in: StateDirectory.Entry.cache)
    }
}
