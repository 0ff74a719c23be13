import Foundation
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A release staged from its delta index, ready for the installer.
struct DeltaStagedRelease: Sendable {
    var release: Release
    /// The folder to remove when done (the staged tree is the folder itself).
    var container: String
    var root: String { container }
    /// Bytes fetched: the index with the companions that prove it (its `.minisig`), the objects (compressed)
    /// and the patches.
    var indexBytes: Int
    var objectBytes: Int64
    var patchBytes: Int64 = 0
    /// Contents fetched as objects, and as patches.
    var objectsFetched: Int
    var patchesFetched = 0
    /// How the index came: by an index patch from the kept index, or why not (for the log); `nil` when
    /// the release offers no index patch.
    var indexNote: String? = nil
    /// Whether the index was made from an index patch rather than fetched.
    var indexByPatch = false
    /// HTTP requests the objects and patches took (coalesced ranges of a pack fetch several objects in one).
    var objectRequests: Int
    /// Files taken from local trees, how many of those are hard links, and how many were copied from
    /// backups on their manifests' SHA-256s without being read again to hash them.
    var reusedFiles: Int
    var linkedFiles: Int
    var vouchedFiles: Int
    /// Bytes of local files read to hash them.
    var hashedBytes: Int64
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
    /// `localRoots` (the installed tree first) and `recordedBackups`; the index from an index patch applied to
    /// `keptIndex` (the verified index file of the installed release) when the release offers one from it. `progress` is told the bytes of
    /// content fetched so far against the bytes to fetch (the index's sizes of the missing contents), in order.
    /// - Throws: ``DeltaError``: ``DeltaError/Code/refusedIndex`` for a hostile index (nothing may be
    ///   installed), any other code when the full archive should be used instead. `container` is removed on error.
    func stage(_ artifact: Artifact, location: DeltaLocation, container: String, localRoots: [String],
               recordedBackups: [RecordedBackup] = [], keptIndex: String? = nil,
               progress: (@Sendable (Downloader.Progress) -> Void)? = nil) async throws(DeltaError) -> DeltaStagedRelease {
        let (index, packTable, indexBytes, indexNote, indexByPatch) = try await fetchIndex(artifact.release, location: location, keptIndex: keptIndex)
        logger.debug("delta index verified", metadata: ["ota.entries": "\(index.count)", "ota.bytes": "\(index.totalFileBytes)"])
        let assembler = DeltaAssembler(index: index, root: container, localRoots: localRoots, recordedBackups: recordedBackups, hardLinks: hardLinks)
        do {
            try assembler.placeLocalContents()
            let requests = assembler.missing
            let fetches = try DeltaFetchPlan(objects: location.objects, table: packTable, patches: index.patches).fetches(for: requests)
            var fetcher = DeltaObjectFetcher(transport: downloader.transport, retry: downloader.retry)
            let tracker = FetchProgress(total: assembler.missingBytes, report: progress)
            fetcher.progress = { tracker.add($0) }
            let fetched = try await fetcher.fetch(fetches)
            try assembler.finish()
            return DeltaStagedRelease(release: artifact.release, container: container, indexBytes: indexBytes,
                                      objectBytes: fetched.bytes, patchBytes: fetched.patchBytes, objectsFetched: requests.count { $0.patch == nil },
                                      patchesFetched: requests.count { $0.patch != nil }, indexNote: indexNote, indexByPatch: indexByPatch, objectRequests: fetched.requests,
                                      reusedFiles: assembler.reusedFiles, linkedFiles: assembler.linkedFiles,
                                      vouchedFiles: assembler.vouchedFiles, hashedBytes: assembler.hashedBytes)
        } catch {
            try? FileSystem.removeTree(container)
            throw error
        }
    }

    /// The index, from an index patch applied to `keptIndex` when the release offers one from it, else
    /// downloaded; checked against its proof, and parsed (with a pack's table) under the archive safety policy.
    /// Also gives the bytes fetched (the index or patch with its companions, and a patch that was not used)
    /// and what became of the index patch.
    private func fetchIndex(_ release: Release, location: DeltaLocation,
                            keptIndex: String?) async throws(DeltaError) -> (DeltaIndex, DeltaPackTable?, Int, String?, Bool) {
        let patched = await indexByPatch(release, location: location, keptIndex: keptIndex)
        if case .used(let path, let bytes, let note) = patched {
            let (index, table) = try parseIndex(at: path, release: release, name: location.indexName, objects: location.objects)
            return (index, table, bytes, note, true)
        }
        let (path, bytes) = try await downloadIndex(release, location: location)
        let (index, table) = try parseIndex(at: path, release: release, name: location.indexName, objects: location.objects)
        return (index, table, bytes + patched.spentBytes, patched.note, false)
    }

    /// Downloads the index and checks it against its proof; gives its path and the bytes fetched (the
    /// index's and its companions').
    private func downloadIndex(_ release: Release, location: DeltaLocation) async throws(DeltaError) -> (String, Int) {
        let asset = ReleaseAsset(id: 0, name: location.indexName, size: location.indexLength, apiURL: location.indexURL,
                                 browserDownloadURL: location.indexURL)
        let artifact = Artifact(release: release, kind: .asset(asset), fileName: location.indexName, url: location.indexURL)
        do {
            let (downloaded, fetched) = try await downloadVerified(artifact, verifier: location.verifier, companions: location.companions)
            return (downloaded.path, fetched)
        } catch let error as DeltaError {
            throw error
        } catch {
            throw DeltaError(.indexUnavailable, "the delta index \(location.indexName) could not be fetched or verified: \(error.localizedMessage)")
        }
    }

    /// Downloads `artifact` and its `companions`, and checks it with `verifier`; gives the file and the bytes
    /// fetched. The file is removed when it fails.
    func downloadVerified(_ artifact: Artifact, verifier: any Verifier, companions assets: [ReleaseAsset]) async throws -> (DownloadedArtifact, Int) {
        let downloaded = try await downloader.download(artifact)
        var fetched = downloaded.size
        do {
            var companions: [String: Data] = [:]
            for asset in assets {
                let companion = try await downloader.fetchCompanion(asset)
                companions[asset.name] = companion
                fetched += companion.count
            }
            _ = try verifier.verify(downloaded, material: VerificationMaterial(artifact: artifact, fetched: companions))
        } catch {
            unlink(downloaded.path)
            throw error
        }
        return (downloaded, fetched)
    }

    /// Parses the verified, gzip-compressed index at `path` (which is removed) under the archive safety policy.
    /// - Throws: ``DeltaError/Code/refusedIndex`` for an index that breaks it.
    private func parseIndex(at path: String, release: Release, name: String,
                            objects: DeltaObjectSource) throws(DeltaError) -> (DeltaIndex, DeltaPackTable?) {
        // Parsed through a descriptor opened before the file is removed (state_dir is the agent's alone).
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        let failure = fd < 0 ? SystemError.last("open \(path)") : nil
        unlink(path)
        if let failure { throw DeltaError(.indexUnavailable, "the verified delta index cannot be read: \(failure.message)") }
        defer { close(fd) }
        do {
            // Inflated and parsed from the file a chunk at a time: neither its bytes nor its text are held.
            return try objects.index(reading: FileByteSource(fd: fd), policy: policy)
        } catch {
            throw DeltaError(.refusedIndex, "the signed delta index \(name) of release \(release.version) is refused: \(error.message)")
        }
    }
}

/// The progress of a delta's fetch: the content bytes the fetcher reports, summed and handed on in order.
final class FetchProgress: Sendable {
    private let received = Mutex<Int64>(0)
    let total: Int64
    let report: (@Sendable (Downloader.Progress) -> Void)?

    init(total: Int64, report: (@Sendable (Downloader.Progress) -> Void)?) {
        self.total = total
        self.report = report
    }

    /// Adds `bytes` (negative when an attempt failed) and reports the sum, under the lock so that reports
    /// from concurrent fetches arrive in the order of their sums.
    func add(_ bytes: Int64) {
        received.withLock { received in
            received += bytes
            report?(Downloader.Progress(received: received, total: total))
        }
    }
}
