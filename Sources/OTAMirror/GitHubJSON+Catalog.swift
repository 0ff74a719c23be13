import Foundation
import OTA

extension GitHubJSON.Release {
    /// The GitHub release object for a release folder, with URLs under `urls`.
    ///
    /// Mapping: `tag_name` is the folder name; `name` and `body` come from `release.json` (the name
    /// defaults to the tag, the body to `null`); `created_at` is the folder's mtime; `published_at`
    /// is `release.json`'s value, else `created_at`, and `null` for a draft, like GitHub.
    /// `tarball_url` is `null` without a `source.tar.gz`; `zipball_url` is always `null` (no zipballs);
    /// `discussion_url` is left out, as GitHub does for releases without a discussion.
    init(_ release: CatalogRelease, in repository: CatalogRepository, urls: MirrorURLs) {
        let owner = repository.owner, repo = repository.repo
        let author = GitHubJSON.User(login: owner, id: repository.ownerID, apiRoot: urls.api, webRoot: urls.web)
        let created = GitHubDate.string(release.created)
        let releaseURL = urls.release(owner, repo, id: release.id)
        self.init(
            url: releaseURL,
            htmlURL: urls.releasePage(owner, repo, tag: release.tag),
            assetsURL: releaseURL + "/assets",
            uploadURL: releaseURL + "/assets{?name,label}",
            tarballURL: release.tarball == nil ? nil : urls.tarball(owner, repo, tag: release.tag),
            zipballURL: nil,
            id: release.id,
            nodeID: GitHubDate.nodeID(type: "Release", id: release.id),
            tagName: release.tag,
            targetCommitish: "main",
            name: release.metadata.name ?? release.tag,
            body: release.metadata.body,
            draft: release.isDraft,
            prerelease: release.isPrerelease,
            immutable: false,
            createdAt: created,
            publishedAt: release.isDraft ? nil : (release.metadata.publishedAt ?? created),
            author: author,
            assets: release.assets.map { GitHubJSON.Asset($0, of: release, in: repository, urls: urls, uploader: author) }
        )
    }
}

extension GitHubJSON.Asset {
    /// The GitHub asset object for a file of a release: `size` and `digest` (`sha256:<hex>`) are the
    /// file's, `created_at`/`updated_at` its mtime, `label` `null`, `download_count` 0.
    init(_ asset: CatalogAsset, of release: CatalogRelease, in repository: CatalogRepository, urls: MirrorURLs,
         uploader: GitHubJSON.User) {
        let modified = GitHubDate.string(asset.file.modified)
        self.init(
            url: urls.asset(repository.owner, repository.repo, id: asset.id),
            browserDownloadURL: urls.download(repository.owner, repository.repo, tag: release.tag, name: asset.name),
            id: asset.id,
            nodeID: GitHubDate.nodeID(type: "ReleaseAsset", id: asset.id),
            name: asset.name,
            label: nil,
            contentType: asset.contentType,
            size: asset.file.size,
            digest: "sha256:" + asset.sha256,
            createdAt: modified,
            updatedAt: modified,
            uploader: uploader
        )
    }
}

/// GitHub's formats for dates (`2013-02-27T19:35:32Z`) and legacy node ids (`MDc6UmVsZWFzZTE=`).
enum GitHubDate {
    static func string(_ date: Date) -> String {
        UTCTime.iso8601(date)
    }

    /// Base64 of `0<length of type>:<type><id>`, e.g. `07:Release1`, as GitHub's legacy node ids.
    static func nodeID(type: String, id: Int) -> String {
        Data("0\(type.count):\(type)\(id)".utf8).base64EncodedString()
    }
}
