import Foundation
import Logging

/// A release staged from its delta index, ready for the installer.
struct DeltaStagedRelease: Sendable {
    var release: Release
    /// The folder to remove when done (the staged tree is the folder itself).
    var container: String
    var root: String { container }
    /// Bytes fetched: the index, and the objects (compressed).
    var indexBytes: Int
    var objectBytes: Int64
    var objectsFetched: Int
    /// HTTP requests the objects took (coalesced ranges of a pack fetch several objects in one).
    var objectRequests: Int
    /// Files taken from local trees, and how many of those are hard links.
    var reusedFiles: Int
    var linkedFiles: Int
}

/// Stages a release from its delta index: fetches and verifies the index, reuses the contents the device
/// has, fetches the missing objects, and checks the staged tree against the index.
struct DeltaUpdate: Sendable {
    /// Whether contents taken from local trees are hard links (the `releases` layout) rather than copies.
    let hardLinks: Bool
    /// The archive safety policy the index is parsed under.
    let policy: ExtractionPolicy
    let downloader: Downloader
    let logger: Logger

    /// Stages `release` into `container` (which must not exist) from `location`, taking contents from
    /// `localRoots` (the installed tree first).
    /// - Throws: ``DeltaError``: ``DeltaError/Code/refusedIndex`` for a hostile index (nothing may be
    ///   installed), any other code when the full archive should be used instead. `container` is removed on error.
    func stage(_ artifact: Artifact, location: DeltaLocation, container: String, localRoots: [String]) async throws(DeltaError) -> DeltaStagedRelease {
        let (index, packTable) = try await fetchIndex(artifact.release, location: location)
        logger.debug("delta index verified", metadata: ["ota.entries": "\(index.entries.count)", "ota.bytes": "\(index.totalFileBytes)"])
        let assembler = DeltaAssembler(index: index, root: container, localRoots: localRoots, hardLinks: hardLinks)
        do {
            try assembler.placeLocalContents()
            let requests = assembler.missing.values.sorted { $0.sha256 < $1.sha256 }
            let fetches = try DeltaFetchPlan(objects: location.objects, table: packTable).fetches(for: requests)
            let fetched = try await DeltaObjectFetcher(transport: downloader.transport, retry: downloader.retry).fetch(fetches)
            try assembler.finish()
            return DeltaStagedRelease(release: artifact.release, container: container, indexBytes: location.indexLength,
                                      objectBytes: fetched.bytes, objectsFetched: requests.count, objectRequests: fetched.requests,
                                      reusedFiles: assembler.reusedFiles, linkedFiles: assembler.linkedFiles)
        } catch {
            try? FileSystem.removeTree(container)
            throw error
        }
    }

    /// Downloads the index, checks it against its proof, and parses it (with a pack's table) under the archive safety policy.
    private func fetchIndex(_ release: Release, location: DeltaLocation) async throws(DeltaError) -> (DeltaIndex, DeltaPackTable?) {
        let asset = ReleaseAsset(id: 0, name: location.indexName, size: location.indexLength, apiURL: location.indexURL,
                                 browserDownloadURL: location.indexURL)
        let artifact = Artifact(release: release, kind: .asset(asset), fileName: location.indexName, url: location.indexURL)
        let bytes: [UInt8]
        do {
            let downloaded = try await downloader.download(artifact)
            defer { unlink(downloaded.path) }
            var companions: [String: Data] = [:]
            for asset in location.companions { companions[asset.name] = try await downloader.fetchCompanion(asset) }
            _ = try location.verifier.verify(downloaded, material: VerificationMaterial(artifact: artifact, fetched: companions))
            guard let data = FileManager.default.contents(atPath: downloaded.path) else {
                throw DeltaError(.indexUnavailable, "the downloaded delta index \(downloaded.path) cannot be read")
            }
            bytes = Array(data)
        } catch let error as DeltaError {
            throw error
        } catch {
            throw DeltaError(.indexUnavailable, "the delta index \(location.indexName) could not be fetched or verified: \(error.localizedMessage)")
        }
        do {
            return try location.objects.index(in: bytes, policy: policy)
        } catch {
            throw DeltaError(.refusedIndex, "the signed delta index \(location.indexName) of release \(release.version) is refused: \(error.message)")
        }
    }
}
