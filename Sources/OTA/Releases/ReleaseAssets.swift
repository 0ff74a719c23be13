import Foundation

/// How a release that publishes its files as assets (GitHub, Gitea, Forgejo, an `ota serve` mirror)
/// yields the artifact this device installs, and what proves it.
///
/// The artifact is the asset matching `asset_pattern` (else the source tarball, see ``AssetPattern``).
/// Its proof is the standard chain of ``ArtifactVerifier`` with the release's checksums file and, with a
/// public key, the artifact's and the checksums file's `.minisig`, fetched by asset name. Without a key,
/// nothing is proven unless `allow_unsigned` is set.
public struct ReleaseAssets: Sendable {
    /// Chooses the asset.
    public var pattern: AssetPattern
    /// `owner/name`, naming the source tarball and the errors.
    public var repository: String
    /// The minisign key, base64 (`public_key`), if set.
    public var publicKey: String?
    /// A file holding the key (`public_key_file`), if set; read at each ``proof(for:)`` so a replaced key takes effect.
    public var publicKeyFile: String?
    /// Install releases nothing proves comes from the publisher (`allow_unsigned`).
    public var allowUnsigned: Bool
    /// Fetches a companion file (a checksums file, a signature) by asset.
    let fetch: @Sendable (ReleaseAsset) async throws -> Data

    /// The policy of `source` (`asset_pattern`, `github_repo`, the key, `allow_unsigned`), with a relative
    /// `public_key_file` in `installDirectory`, fetching companion files with `fetch`.
    public init(source: OTAConfiguration.Source, installDirectory: String, fetch: @escaping @Sendable (ReleaseAsset) async throws -> Data) {
        pattern = AssetPattern(pattern: source.assetPattern)
        repository = source.githubRepo
        publicKey = source.publicKey
        publicKeyFile = source.publicKeyFilePath(in: installDirectory)
        allowUnsigned = source.allowUnsigned
        self.fetch = fetch
    }

    /// The asset of `release` for this machine, or its source tarball.
    public func artifact(for release: Release) throws(SelectionError) -> Artifact {
        try pattern.artifact(for: release, repository: repository)
    }

    /// The verifier for the configured key; without a key, an error unless `allow_unsigned` is set.
    public func verifier() throws(VerificationError) -> ArtifactVerifier {
        let verifier = try ArtifactVerifier(publicKey: publicKey, publicKeyFile: publicKeyFile)
        guard verifier.publicKey != nil || allowUnsigned else {
            throw VerificationError(.unsignedNotAllowed, "No public_key is configured, so nothing proves that a release of \(repository) comes from its publisher and nothing was installed; set public_key (or public_key_file) to the publisher's minisign key, or set allow_unsigned: true to install unsigned releases.")
        }
        return verifier
    }

    /// The checks for `artifact` with its companion files, fetched now.
    public func proof(for artifact: Artifact) async throws -> ArtifactProof {
        let verifier = try verifier()
        var companions: [String: Data] = [:]
        for asset in verifier.companionAssets(for: artifact) {
            companions[asset.name] = try await fetch(asset)
        }
        return ArtifactProof(verifier: verifier, material: VerificationMaterial(artifact: artifact, fetched: companions))
    }
}
