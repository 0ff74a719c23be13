import Foundation

/// The last release list a source received, with its `ETag`, and the time before which no request
/// may be sent after a rate limit. Kept in `state_dir/cache/releases.json` (mode 0600).
///
/// The ETag and the body it belongs to are stored together so they can never disagree.
struct ReleaseListCache: Codable, Sendable {
    var url: String
    var etag: String?
    var releases: [ReleaseEntry]
    var rateLimitedUntil: Date?

    enum CodingKeys: String, CodingKey {
        case url, etag, releases
        case rateLimitedUntil = "rate_limited_until"
    }

    /// Reads the cache; a missing or unreadable file is an empty cache (it is only an optimisation).
    static func load(from path: String, url: String) -> ReleaseListCache {
        guard let data = FileManager.default.contents(atPath: path),
              let cache = try? Self.decoder.decode(ReleaseListCache.self, from: data), cache.url == url else {
            return ReleaseListCache(url: url, etag: nil, releases: [], rateLimitedUntil: nil)
        }
        return cache
    }

    /// Writes the cache atomically, creating its folder (mode 0700).
    func save(to path: String) throws {
        let directory = PathName.deletingLastComponent(of: path)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try AtomicFile.write(Array(try Self.encoder.encode(self)), to: path, mode: 0o600)
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .utcISO8601
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .utcISO8601
        return decoder
    }()
}
