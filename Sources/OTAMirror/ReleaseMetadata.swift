import Foundation
import OTA

/// The optional `release.json` of a release folder: `{"name","body","prerelease","draft","published_at"}`.
///
/// Every field is optional; unknown fields are an error so that a typo (`"pre-release"`) does not
/// silently publish a release. `published_at` must be an ISO 8601 date (`2024-05-01T12:00:00Z`).
struct ReleaseMetadata: Decodable, Equatable, Sendable {
    var name: String?
    var body: String?
    var prerelease: Bool?
    var draft: Bool?
    var publishedAt: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, body, prerelease, draft
        case publishedAt = "published_at"
    }

    init(name: String? = nil, body: String? = nil, prerelease: Bool? = nil, draft: Bool? = nil, publishedAt: String? = nil) {
        self.name = name
        self.body = body
        self.prerelease = prerelease
        self.draft = draft
        self.publishedAt = publishedAt
    }

    /// Reads and validates `release.json` at `url`; the error names the file and the problem.
    static func load(from url: URL) throws(MirrorError) -> ReleaseMetadata {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw MirrorError(.invalidReleaseMetadata, "Cannot read \(url.path): \(error.localizedDescription); fix its permissions.")
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw MirrorError(.invalidReleaseMetadata, "\(url.path) is not valid JSON; write an object like {\"name\": \"…\", \"prerelease\": false}.")
        }
        guard let dictionary = object as? [String: Any] else {
            throw MirrorError(.invalidReleaseMetadata, "\(url.path) must contain a JSON object, not \(type(of: object)).")
        }
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        if let unknown = dictionary.keys.sorted().first(where: { !known.contains($0) }) {
            throw MirrorError(.invalidReleaseMetadata,
                              "\(url.path) has an unknown key \"\(unknown)\"; allowed keys are \(known.sorted().joined(separator: ", ")).")
        }
        let metadata: ReleaseMetadata
        do {
            metadata = try JSONDecoder().decode(ReleaseMetadata.self, from: data)
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let key = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw MirrorError(.invalidReleaseMetadata, "\(url.path): \"\(key)\" has the wrong type; name and body are strings, draft and prerelease booleans.")
        } catch {
            throw MirrorError(.invalidReleaseMetadata, "\(url.path) cannot be decoded: \(error).")
        }
        if let published = metadata.publishedAt, UTCTime.date(iso8601: published) == nil {
            throw MirrorError(.invalidReleaseMetadata, "\(url.path): published_at \"\(published)\" is not an ISO 8601 date like 2024-05-01T12:00:00Z.")
        }
        return metadata
    }
}
