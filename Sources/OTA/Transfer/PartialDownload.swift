import Foundation

/// What is known about a `.part` file, kept beside it as `<name>.part.json`, so that a later attempt
/// (or a later run) can resume it with `Range` + `If-Range` — or knows it must start over.
struct PartialDownload: Codable, Sendable, Equatable {
    var url: String
    var etag: String?
    var lastModified: String?
    var expectedSize: Int?

    enum CodingKeys: String, CodingKey {
        case url, etag
        case lastModified = "last_modified"
        case expectedSize = "expected_size"
    }

    /// The validator for `If-Range`: the ETag if it is strong, else `Last-Modified`.
    var validator: String? {
        if let etag, !etag.hasPrefix("W/") { return etag }
        return lastModified
    }

    static func load(from path: String) -> PartialDownload? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(PartialDownload.self, from: data)
    }

    func save(to path: String) throws {
        try AtomicFile.write(Array(try JSONEncoder().encode(self)), to: path, mode: 0o600)
    }
}
