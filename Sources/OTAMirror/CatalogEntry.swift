import Foundation
import OTA

/// A regular file inside the mirror root, identified well enough to detect that it changed.
struct CatalogFile: Sendable, Equatable {
    /// The resolved (symlink-free) absolute path; always inside the resolved root.
    var path: String
    var size: Int
    var modified: Date
    var modifiedNanoseconds: Int64
    var inode: UInt64
}

/// One asset of a release: a file in the release folder other than `release.json` and `source.tar.gz`.
struct CatalogAsset: Sendable, Equatable {
    var id: Int
    var name: String
    var file: CatalogFile
    /// Lowercase hex SHA-256 of the file.
    var sha256: String
    var contentType: String
}

/// One release: a folder `ROOT/OWNER/REPO/TAG/`.
struct CatalogRelease: Sendable, Equatable {
    var id: Int
    var tag: String
    /// The tag parsed as SemVer (`v` prefix allowed); `nil` for tags such as `nightly`.
    var version: SemanticVersion?
    var metadata: ReleaseMetadata
    /// The folder's modification time, used as `created_at`.
    var created: Date
    var assets: [CatalogAsset]
    /// `source.tar.gz`, served as the release's tarball, with its SHA-256.
    var tarball: (file: CatalogFile, sha256: String)?

    var isDraft: Bool { metadata.draft ?? false }
    var isPrerelease: Bool { metadata.prerelease ?? (version?.isPrerelease ?? false) }

    static func == (lhs: CatalogRelease, rhs: CatalogRelease) -> Bool {
        lhs.id == rhs.id && lhs.tag == rhs.tag && lhs.metadata == rhs.metadata && lhs.created == rhs.created
            && lhs.assets == rhs.assets && lhs.tarball?.file == rhs.tarball?.file && lhs.tarball?.sha256 == rhs.tarball?.sha256
    }

    /// GitHub's order for the mirror: newest SemVer first, then non-SemVer tags by name.
    static func newestFirst(_ lhs: CatalogRelease, _ rhs: CatalogRelease) -> Bool {
        switch (lhs.version, rhs.version) {
        case let (left?, right?):
            if left != right { return left > right }
            return lhs.tag < rhs.tag
        case (.some, nil): return true
        case (nil, .some): return false
        case (nil, nil): return lhs.tag < rhs.tag
        }
    }
}

/// The releases of one repository folder `ROOT/OWNER/REPO/`, newest first.
struct CatalogRepository: Sendable, Equatable {
    var owner: String
    var repo: String
    var ownerID: Int
    /// The repository folder's modification time.
    var modified: Date
    var releases: [CatalogRelease]

    /// The release `/releases/latest` answers: the newest non-draft, non-prerelease SemVer release.
    var latest: CatalogRelease? {
        releases.first { !$0.isDraft && !$0.isPrerelease && $0.version != nil }
    }

    func release(tag: String) -> CatalogRelease? { releases.first { $0.tag == tag } }
    func release(id: Int) -> CatalogRelease? { releases.first { $0.id == id } }

    func asset(id: Int) -> (CatalogRelease, CatalogAsset)? {
        for release in releases {
            if let asset = release.assets.first(where: { $0.id == id }) { return (release, asset) }
        }
        return nil
    }
}
