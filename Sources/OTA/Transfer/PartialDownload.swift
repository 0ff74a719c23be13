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

    /// The most bytes of a record read (its URL is the only long part).
    static let maxBytes = 64 << 10

    /// The record `name` in `folder`'s `subfolder`: `nil` when there is none or it is not a record; throws when
    /// it cannot be opened safely (a symlink, a FIFO), so the caller can say so.
    static func load(_ name: String, from folder: StateDirectory, in subfolder: String?) throws(SystemError) -> PartialDownload? {
        guard let bytes = try folder.read(name, in: subfolder, limit: maxBytes) else { return nil }
        return try? JSONDecoder().decode(PartialDownload.self, from: Data(bytes))
    }

    /// Writes the record `name` into `folder`'s `subfolder` atomically (mode 0600).
    func save(_ name: String, to folder: StateDirectory, in subfolder: String?) throws(SystemError) {
        let data: Data
        do { data = try JSONEncoder().encode(self) } catch { throw SystemError("encode \(name)", errno: EINVAL) }
        try folder.write(Array(data), to: name, in: subfolder)
    }
}
