import Foundation

/// The fields of a release object in a "list releases" answer that the client reads, and no others.
///
/// Everything else (`node_id`, `author`, the user objects' URLs, `upload_url`, …) is ignored, so the
/// lists of GitHub, GitHub Enterprise, Gitea and Forgejo (`https://host/api/v1`), `ota serve` and
/// proxies that trim objects all decode. Only `tag_name` is required; `draft` and `prerelease` default
/// to `false`, `assets` to none.
package struct ReleaseEntry: Codable, Sendable, Equatable {
    package var tagName: String
    package var name: String?
    package var body: String?
    package var draft: Bool
    package var prerelease: Bool
    package var publishedAt: String?
    package var htmlURL: String?
    package var tarballURL: String?
    package var assets: [AssetEntry]

    enum CodingKeys: String, CodingKey {
        case name, body, draft, prerelease, assets
        case tagName = "tag_name", publishedAt = "published_at", htmlURL = "html_url", tarballURL = "tarball_url"
    }

    package init(tagName: String, name: String? = nil, body: String? = nil, draft: Bool = false, prerelease: Bool = false,
                 publishedAt: String? = nil, htmlURL: String? = nil, tarballURL: String? = nil, assets: [AssetEntry] = []) {
        self.tagName = tagName
        self.name = name
        self.body = body
        self.draft = draft
        self.prerelease = prerelease
        self.publishedAt = publishedAt
        self.htmlURL = htmlURL
        self.tarballURL = tarballURL
        self.assets = assets
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        tagName = try container.decode(String.self, forKey: .tagName)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        body = try container.decodeIfPresent(String.self, forKey: .body)
        draft = try container.decodeIfPresent(Bool.self, forKey: .draft) ?? false
        prerelease = try container.decodeIfPresent(Bool.self, forKey: .prerelease) ?? false
        publishedAt = try container.decodeIfPresent(String.self, forKey: .publishedAt)
        htmlURL = try container.decodeIfPresent(String.self, forKey: .htmlURL)
        tarballURL = try container.decodeIfPresent(String.self, forKey: .tarballURL)
        assets = try container.decodeIfPresent([AssetEntry].self, forKey: .assets) ?? []
    }

    /// The fields of an asset object that the client reads.
    ///
    /// `url` is the API URL that serves the bytes with `Accept: application/octet-stream` (GitHub, the
    /// mirror); Gitea and Forgejo have none and serve the bytes at `browser_download_url`, which is used
    /// instead. An asset with neither cannot be downloaded and fails to decode.
    package struct AssetEntry: Codable, Sendable, Equatable {
        package var id: Int
        package var name: String
        package var size: Int
        package var digest: String?
        package var url: String?
        package var browserDownloadURL: String?
        package var contentType: String?

        enum CodingKeys: String, CodingKey {
            case id, name, size, digest, url
            case browserDownloadURL = "browser_download_url", contentType = "content_type"
        }

        package init(id: Int = 0, name: String, size: Int, digest: String? = nil, url: String? = nil,
                     browserDownloadURL: String? = nil, contentType: String? = nil) {
            self.id = id
            self.name = name
            self.size = size
            self.digest = digest
            self.url = url
            self.browserDownloadURL = browserDownloadURL
            self.contentType = contentType
        }

        package init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decodeIfPresent(Int.self, forKey: .id) ?? 0
            name = try container.decode(String.self, forKey: .name)
            size = try container.decode(Int.self, forKey: .size)
            digest = try container.decodeIfPresent(String.self, forKey: .digest)
            url = try container.decodeIfPresent(String.self, forKey: .url)
            browserDownloadURL = try container.decodeIfPresent(String.self, forKey: .browserDownloadURL)
            contentType = try container.decodeIfPresent(String.self, forKey: .contentType)
            guard url != nil || browserDownloadURL != nil else {
                throw DecodingError.keyNotFound(CodingKeys.url, .init(codingPath: container.codingPath,
                                                                      debugDescription: "an asset needs url or browser_download_url"))
            }
        }

        /// Where the asset's bytes are fetched: the API URL, else the download URL.
        package var downloadURL: String { url ?? browserDownloadURL ?? "" }
    }
}
