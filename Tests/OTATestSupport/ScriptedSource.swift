import Foundation
@testable import OTA

/// A release source that answers from a script, one entry per call (the last one repeats); its releases'
/// files are chosen and proven by `assets`, as a GitHub source's are.
final class ScriptedSource: ReleaseSource, @unchecked Sendable {
    private let lock = NSLock()
    private var script: [Result<[Release], TransferError>]
    private let assets: ReleaseAssets?
    private(set) var calls = 0

    init(_ script: [Result<[Release], TransferError>], assets: ReleaseAssets? = nil) {
        self.script = script
        self.assets = assets
    }

    func releases() async throws -> [Release] {
        let next: Result<[Release], TransferError> = lock.withLock {
            calls += 1
            return script.count > 1 ? script.removeFirst() : script[0]
        }
        return try next.get()
    }

    func artifact(for release: Release) throws(SelectionError) -> Artifact {
        guard let assets else { throw SelectionError(.noMatchingAsset, "this scripted source has no files") }
        return try assets.artifact(for: release)
    }

    func proof(for artifact: Artifact) async throws -> ArtifactProof {
        guard let assets else { throw SelectionError(.noMatchingAsset, "this scripted source has no files") }
        return try await assets.proof(for: artifact)
    }
}
