import Foundation

extension GitHubReleaseSource: DeltaLocating {
    /// The delta index of an asset `NAME` that has `NAME.index.gz` and `NAME.pack` beside it (made by
    /// `ota sign --index`): the index must be signed by `public_key` (`NAME.index.gz.minisig`, or a signed
    /// checksums file listing it), and its objects are byte ranges of the pack.
    ///
    /// `nil` without a key: an unsigned index is never used.
    public func deltaLocation(for artifact: Artifact) -> DeltaLocation? {
        guard case .asset(let archive) = artifact.kind else { return nil }
        let release = artifact.release
        guard let index = release.asset(named: archive.name + ".index.gz"), let pack = release.asset(named: archive.name + ".pack"),
              let packURL = URL(string: pack.apiURL) else { return nil }
        guard let key = try? assets.verifier().publicKey else {
            logger.debug("delta index not used: no public_key, and an unsigned index is never used", metadata: ["ota.file": "\(index.name)"])
            return nil
        }
        let indexArtifact = Artifact(release: release, kind: .asset(index), fileName: index.name, url: index.apiURL)
        let signature = release.asset(named: index.name + ".minisig")
        let companions = signature.map { [$0] } ?? VerificationMaterial.companionAssets(for: indexArtifact, includingSignatures: true)
        return DeltaLocation(indexURL: index.apiURL, indexName: index.name, indexLength: index.size, verifier: MinisignVerifier(publicKey: key),
                             companions: companions, objects: .pack(url: packURL, name: pack.name, size: pack.size),
                             indexPatches: Self.indexPatches(of: index.name, in: release, key: key))
    }

    /// The index patches of the index `indexName` among the release's assets (`<archive>.index.<base>.patch`),
    /// each to be signed by `key` like the index (its `.minisig`, or a signed checksums file listing it).
    static func indexPatches(of indexName: String, in release: Release, key: MinisignPublicKey) -> [DeltaIndexPatchOffer] {
        release.assets.compactMap { asset in
            guard let prefix = DeltaIndexPatch.basePrefix(ofPatchNamed: asset.name, index: indexName) else { return nil }
            let artifact = Artifact(release: release, kind: .asset(asset), fileName: asset.name, url: asset.apiURL)
            let companions = release.asset(named: asset.name + ".minisig").map { [$0] }
                ?? VerificationMaterial.companionAssets(for: artifact, includingSignatures: true)
            return DeltaIndexPatchOffer(basePrefix: prefix, url: asset.apiURL, name: asset.name, length: asset.size,
                                        verifier: MinisignVerifier(publicKey: key), companions: companions)
        }
    }
}
