/// The file of a release that is to be installed: an asset, or the source tarball.
public struct Artifact: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// An uploaded release asset.
        case asset(ReleaseAsset)
        /// GitHub's generated source tarball (no announced size or digest).
        case sourceTarball
    }

    /// The release it belongs to.
    public var release: Release
    /// What it is.
    public var kind: Kind
    /// The file name it is saved under (the asset's name, or `<repo>-<tag>.tar.gz`).
    public var fileName: String
    /// Where it is downloaded from.
    public var url: String

    public init(release: Release, kind: Kind, fileName: String, url: String) {
        self.release = release
        self.kind = kind
        self.fileName = fileName
        self.url = url
    }

    /// The size the release announces, if any (a negative size announces nothing).
    public var expectedSize: Int? {
        if case .asset(let asset) = kind, asset.size >= 0 { return asset.size }
        return nil
    }
}

/// An artifact saved completely on disk, with the SHA-256 computed while it was written.
public struct DownloadedArtifact: Sendable, Equatable {
    public var artifact: Artifact
    /// Absolute path of the complete file.
    public var path: String
    /// Its size in bytes.
    public var size: Int
    /// Its SHA-256, lowercase hex.
    public var sha256: String

    public init(artifact: Artifact, path: String, size: Int, sha256: String) {
        self.artifact = artifact
        self.path = path
        self.size = size
        self.sha256 = sha256
    }
}

/// A downloaded artifact that passed every check the configuration asks for; only these are extracted.
public struct VerifiedArtifact: Sendable, Equatable {
    public var downloaded: DownloadedArtifact
    /// What was checked, for logs and status (`size`, `sha256 (GitHub digest)`, `minisign (key 1A2B…)`).
    public var checks: [String]

    public init(downloaded: DownloadedArtifact, checks: [String]) {
        self.downloaded = downloaded
        self.checks = checks
    }
}
