import Foundation

/// The JSON shapes of GitHub's REST API for releases, field for field.
///
/// The `OTAMirror` encodes them, so a mirror answer has the same field names and types as GitHub's.
/// Nullable fields in GitHub's schema are optionals here. The client decodes the lenient
/// `ReleaseEntry` instead, which reads only the fields it uses.
/// Dates are ISO 8601 strings (`2013-02-27T19:35:32Z`), kept as strings so that encoding round-trips exactly.
package enum GitHubJSON {
    /// A release object (`GET /repos/{owner}/{repo}/releases/tags/{tag}`).
    public struct Release: Codable, Sendable, Equatable {
        public var url: String
        public var htmlURL: String
        public var assetsURL: String
        public var uploadURL: String
        public var tarballURL: String?
        public var zipballURL: String?
        public var discussionURL: String?
        public var id: Int
        public var nodeID: String
        public var tagName: String
        public var targetCommitish: String
        public var name: String?
        public var body: String?
        public var draft: Bool
        public var prerelease: Bool
        public var immutable: Bool?
        public var createdAt: String
        public var publishedAt: String?
        public var author: User
        public var assets: [Asset]

        enum CodingKeys: String, CodingKey {
            case url, id, name, body, draft, prerelease, immutable, author, assets
            case htmlURL = "html_url", assetsURL = "assets_url", uploadURL = "upload_url", tarballURL = "tarball_url"
            case zipballURL = "zipball_url", discussionURL = "discussion_url", nodeID = "node_id", tagName = "tag_name"
            case targetCommitish = "target_commitish", createdAt = "created_at", publishedAt = "published_at"
        }

        public init(url: String, htmlURL: String, assetsURL: String, uploadURL: String, tarballURL: String?, zipballURL: String?,
                    discussionURL: String? = nil, id: Int, nodeID: String, tagName: String, targetCommitish: String,
                    name: String?, body: String?, draft: Bool, prerelease: Bool, immutable: Bool? = false,
                    createdAt: String, publishedAt: String?, author: User, assets: [Asset]) {
            self.url = url
            self.htmlURL = htmlURL
            self.assetsURL = assetsURL
            self.uploadURL = uploadURL
            self.tarballURL = tarballURL
            self.zipballURL = zipballURL
            self.discussionURL = discussionURL
            self.id = id
            self.nodeID = nodeID
            self.tagName = tagName
            self.targetCommitish = targetCommitish
            self.name = name
            self.body = body
            self.draft = draft
            self.prerelease = prerelease
            self.immutable = immutable
            self.createdAt = createdAt
            self.publishedAt = publishedAt
            self.author = author
            self.assets = assets
        }

        // Optional fields are always written, as `null` when absent, like GitHub does.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(url, forKey: .url)
            try container.encode(htmlURL, forKey: .htmlURL)
            try container.encode(assetsURL, forKey: .assetsURL)
            try container.encode(uploadURL, forKey: .uploadURL)
            try container.encode(tarballURL, forKey: .tarballURL)
            try container.encode(zipballURL, forKey: .zipballURL)
            try container.encodeIfPresent(discussionURL, forKey: .discussionURL)
            try container.encode(id, forKey: .id)
            try container.encode(nodeID, forKey: .nodeID)
            try container.encode(tagName, forKey: .tagName)
            try container.encode(targetCommitish, forKey: .targetCommitish)
            try container.encode(name, forKey: .name)
            try container.encode(body, forKey: .body)
            try container.encode(draft, forKey: .draft)
            try container.encode(prerelease, forKey: .prerelease)
            try container.encodeIfPresent(immutable, forKey: .immutable)
            try container.encode(createdAt, forKey: .createdAt)
            try container.encode(publishedAt, forKey: .publishedAt)
            try container.encode(author, forKey: .author)
            try container.encode(assets, forKey: .assets)
        }
    }

    /// A release asset object.
    public struct Asset: Codable, Sendable, Equatable {
        public var url: String
        public var browserDownloadURL: String
        public var id: Int
        public var nodeID: String
        public var name: String
        public var label: String?
        public var state: String
        public var contentType: String
        public var size: Int
        /// `sha256:<hex>`; `null` for assets uploaded before GitHub computed digests.
        public var digest: String?
        public var downloadCount: Int
        public var createdAt: String
        public var updatedAt: String
        public var uploader: User?

        enum CodingKeys: String, CodingKey {
            case url, id, name, label, state, size, digest, uploader
            case browserDownloadURL = "browser_download_url", nodeID = "node_id", contentType = "content_type"
            case downloadCount = "download_count", createdAt = "created_at", updatedAt = "updated_at"
        }

        public init(url: String, browserDownloadURL: String, id: Int, nodeID: String, name: String, label: String?,
                    state: String = "uploaded", contentType: String, size: Int, digest: String?, downloadCount: Int = 0,
                    createdAt: String, updatedAt: String, uploader: User?) {
            self.url = url
            self.browserDownloadURL = browserDownloadURL
            self.id = id
            self.nodeID = nodeID
            self.name = name
            self.label = label
            self.state = state
            self.contentType = contentType
            self.size = size
            self.digest = digest
            self.downloadCount = downloadCount
            self.createdAt = createdAt
            self.updatedAt = updatedAt
            self.uploader = uploader
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(url, forKey: .url)
            try container.encode(browserDownloadURL, forKey: .browserDownloadURL)
            try container.encode(id, forKey: .id)
            try container.encode(nodeID, forKey: .nodeID)
            try container.encode(name, forKey: .name)
            try container.encode(label, forKey: .label)
            try container.encode(state, forKey: .state)
            try container.encode(contentType, forKey: .contentType)
            try container.encode(size, forKey: .size)
            try container.encode(digest, forKey: .digest)
            try container.encode(downloadCount, forKey: .downloadCount)
            try container.encode(createdAt, forKey: .createdAt)
            try container.encode(updatedAt, forKey: .updatedAt)
            try container.encode(uploader, forKey: .uploader)
        }
    }

    /// A user object (`author`, `uploader`).
    public struct User: Codable, Sendable, Equatable {
        public var login: String
        public var id: Int
        public var nodeID: String
        public var avatarURL: String
        public var gravatarID: String?
        public var url: String
        public var htmlURL: String
        public var followersURL: String
        public var followingURL: String
        public var gistsURL: String
        public var starredURL: String
        public var subscriptionsURL: String
        public var organizationsURL: String
        public var reposURL: String
        public var eventsURL: String
        public var receivedEventsURL: String
        public var type: String
        public var siteAdmin: Bool

        enum CodingKeys: String, CodingKey {
            case login, id, url, type
            case nodeID = "node_id", avatarURL = "avatar_url", gravatarID = "gravatar_id", htmlURL = "html_url"
            case followersURL = "followers_url", followingURL = "following_url", gistsURL = "gists_url"
            case starredURL = "starred_url", subscriptionsURL = "subscriptions_url", organizationsURL = "organizations_url"
            case reposURL = "repos_url", eventsURL = "events_url", receivedEventsURL = "received_events_url", siteAdmin = "site_admin"
        }

        /// A user object for `login` whose URLs live under `apiRoot` and `webRoot`.
        public init(login: String, id: Int, apiRoot: String, webRoot: String) {
            let api = apiRoot + "/users/" + login
            self.login = login
            self.id = id
            self.nodeID = Data("04:User\(id)".utf8).base64EncodedString()
            self.avatarURL = webRoot + "/images/error/\(login)_happy.gif"
            self.gravatarID = ""
            self.url = api
            self.htmlURL = webRoot + "/" + login
            self.followersURL = api + "/followers"
            self.followingURL = api + "/following{/other_user}"
            self.gistsURL = api + "/gists{/gist_id}"
            self.starredURL = api + "/starred{/owner}{/repo}"
            self.subscriptionsURL = api + "/subscriptions"
            self.organizationsURL = api + "/orgs"
            self.reposURL = api + "/repos"
            self.eventsURL = api + "/events{/privacy}"
            self.receivedEventsURL = api + "/received_events"
            self.type = "User"
            self.siteAdmin = false
        }
    }
}
