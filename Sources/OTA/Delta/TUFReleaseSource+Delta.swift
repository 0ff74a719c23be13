import Foundation

extension TUFReleaseSource: DeltaLocating {
    /// The delta index of an offered artifact: the target its signed `custom.ota.index` names (verified by
    /// its own signed length and hashes), with the objects under `<targets URL>/objects/`.
    public func deltaLocation(for artifact: Artifact) -> DeltaLocation? {
        guard let (target, role) = deltaIndexes.withLock({ $0[artifact.url] }) else { return nil }
        let url = client.url(of: target, consistentSnapshot: consistentSnapshots.withLock { $0 })
        return DeltaLocation(indexURL: url.absoluteString, indexName: PathName.lastComponent(of: target.path), indexLength: target.length,
                             verifier: TUFTargetVerifier(target: target, role: role),
                             objects: .folder(client.targetsURL.appendingPathComponent("objects")))
    }

    /// The index target of each offer that names one, by the artifact's URL.
    static func deltaIndexTargets(of offers: [TUFReleaseCatalog.Offer],
                             among targets: [(target: TUFTargetFile, role: String)]) -> [String: (TUFTargetFile, String)] {
        let byPath = Dictionary(targets.map { ($0.target.path, ($0.target, $0.role)) }) { first, _ in first }
        var result: [String: (TUFTargetFile, String)] = [:]
        for offer in offers {
            guard let path = offer.entry.info.index, let found = byPath[path] else { continue }
            result[offer.release.assets[0].apiURL] = found
        }
        return result
    }
}
