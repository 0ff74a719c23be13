import Foundation

/// A published release of the watched project, as a `ReleaseSource` reports it.
public struct Release: Sendable, Equatable {
    /// The Git tag, as published (`v1.2.0`).
    public var tag: String
    /// The tag's version (`1.2.0`); releases whose tag is not SemVer are never turned into a `Release`.
    public var version: SemanticVersion
    /// The release title, if any.
    public var name: String?
    /// The release notes (Markdown), if any.
    public var notes: String?
    /// When it was published.
    public var publishedAt: Date?
    /// GitHub's `prerelease` flag, or a SemVer pre-release part in the tag.
    public var isPrerelease: Bool
    /// A draft is never eligible.
    public var isDraft: Bool
    /// The release's web page.
    public var htmlURL: String?
    /// The source tarball (`tarball_url`): the artifact when no `asset_pattern` is set.
    public var tarballURL: String?
    /// The uploaded files.
    public var assets: [ReleaseAsset]
    /// Why the source does not offer it to this device (yanked, halted, outside its rollout, another
    /// channel); `nil` when it is offered.
    public var withheld: ReleaseWithholding?

    public init(tag: String, version: SemanticVersion, name: String? = nil, notes: String? = nil, publishedAt: Date? = nil,
                isPrerelease: Bool = false, isDraft: Bool = false, htmlURL: String? = nil, tarballURL: String? = nil,
                assets: [ReleaseAsset] = [], withheld: ReleaseWithholding? = nil) {
        self.tag = tag
        self.version = version
        self.name = name
        self.notes = notes
        self.publishedAt = publishedAt
        self.isPrerelease = isPrerelease
        self.isDraft = isDraft
        self.htmlURL = htmlURL
        self.tarballURL = tarballURL
        self.assets = assets
        self.withheld = withheld
    }

    /// The asset named `name`, if the release has one.
    public func asset(named name: String) -> ReleaseAsset? {
        assets.first { $0.name == name }
    }
}

/// One file attached to a release.
public struct ReleaseAsset: Sendable, Equatable {
    /// GitHub's asset id.
    public var id: Int
    /// The file name (`monitor-1.2.0-linux-aarch64.tar.gz`).
    public var name: String
    /// The size in bytes GitHub announces.
    public var size: Int
    /// GitHub's `digest` (`sha256:<64 hex>`), when it gives one.
    public var digest: String?
    /// The API URL of the asset (`…/releases/assets/ID`), fetched with `Accept: application/octet-stream`.
    public var apiURL: String
    /// The public download URL (`browser_download_url`).
    public var browserDownloadURL: String?
    /// The declared media type.
    public var contentType: String?

    public init(id: Int, name: String, size: Int, digest: String? = nil, apiURL: String,
                browserDownloadURL: String? = nil, contentType: String? = nil) {
        self.id = id
        self.name = name
        self.size = size
        self.digest = digest
        self.apiURL = apiURL
        self.browserDownloadURL = browserDownloadURL
        self.contentType = contentType
    }
}
