import Foundation

extension TUFReleaseSource: DeltaLocating {
    /// The delta index of an offered artifact: the target its signed `custom.ota.index` names (verified by
    /// its own signed length and hashes), with the objects under `<targets URL>/objects/`, and the index
    /// patches published as targets beside it (`<archive>.index.<base>.patch`, each verified the same way).
    public func deltaLocation(for artifact: Artifact) -> DeltaLocation? {
        guard let found = deltaIndexes.withLock({ $0[artifact.url] }) else { return nil }
        let consistent = consistentSnapshots.withLock { $0 }
        let url = client.url(of: found.index, consistentSnapshot: consistent)
        let indexName = PathName.lastComponent(of: found.index.path)
        let patches = found.patches.compactMap { target, role -> DeltaIndexPatchOffer? in
            let name = PathName.lastComponent(of: target.path)
            guard let prefix = DeltaIndexPatch.basePrefix(ofPatchNamed: name, index: indexName) else { return nil }
            return DeltaIndexPatchOffer(basePrefix: prefix, url: client.url(of: target, consistentSnapshot: consistent).absoluteString, name: name,
                                        length: target.length, verifier: TUFTargetVerifier(target: target, role: role))
        }
        return DeltaLocation(indexURL: url.absoluteString, indexName: indexName, indexLength: found.index.length,
                             verifier: TUFTargetVerifier(target: found.index, role: found.role),
                             objects: .folder(client.targetsURL.appendingPathComponent("objects")), indexPatches: patches)
    }

    /// The delta index target of an offered artifact, with its delegating role, and its index patch targets.
    struct DeltaTargets: Sendable {
        var index: TUFTargetFile
        var role: String
        var patches: [(target: TUFTargetFile, role: String)]
    }

    /// The index target (and index patch targets) of each offer that names one, by the artifact's URL.
    static func deltaIndexTargets(of offers: [TUFReleaseCatalog.Offer],
                                  among targets: [(target: TUFTargetFile, role: String)]) -> [String: DeltaTargets] {
        let byPath = Dictionary(targets.map { ($0.target.path, ($0.target, $0.role)) }) { first, _ in first }
        var result: [String: DeltaTargets] = [:]
        for offer in offers {
            guard let path = offer.entry.info.index, let (index, role) = byPath[path] else { continue }
            let folder = PathName.deletingLastComponent(of: path), name = PathName.lastComponent(of: path)
            let patches = targets.filter {
                PathName.deletingLastComponent(of: $0.target.path) == folder
                    && DeltaIndexPatch.basePrefix(ofPatchNamed: PathName.lastComponent(of: $0.target.path), index: name) != nil
            }
            result[offer.release.assets[0].apiURL] = DeltaTargets(index: index, role: role, patches: patches)
        }
        return result
    }
}
