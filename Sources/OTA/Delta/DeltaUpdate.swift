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
    /// The verified index, and the record it was kept as (``KeptIndexes``), `nil` when it was not kept.
    var index = DeltaIndex()
    var kept: KeptIndex?
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
    /// Where the verified index of each staged release is kept as the record of its folder, and the records
    /// of the local trees read (the `releases` layout); `nil` keeps none.
    var keptIndexes: KeptIndexes? = nil

    /// Stages `release` into `container` (which must not exist) from `location`, taking contents from
    /// `localRoots` (the installed tree first) and `recordedBackups`; the index from an index patch applied to
    /// `keptIndex` (the kept index of the installed release) when the release offers one from it. `progress` is told the bytes of
    /// content fetched so far against the bytes to fetch (the index's sizes of the missing contents), in order.
    /// - Throws: ``DeltaError``: ``DeltaError/Code/refusedIndex`` for a hostile index (nothing may be
    ///   installed), any other code when the full archive should be used instead. `container` is removed on error.
    func stage(_ artifact: Artifact, location: DeltaLocation, container: String, localRoots: [String],
               recordedBackups: [RecordedBackup] = [], keptIndex: String? = nil,
               progress: (@Sendable (Downloader.Progress) -> Void)? = nil) async throws(DeltaError) -> DeltaStagedRelease {
        // The local trees' records are read (inflated and parsed) while the index is fetched and parsed.
        let records = Task { recordedTrees(localRoots) }
        let signedIndex = try await fetchIndex(artifact.release, location: location, keptIndex: keptIndex)
        var kept = false
        defer {
            if !kept, let path = signedIndex.path { unlink(path) }
            if signedIndex.fd >= 0 { close(signedIndex.fd) }
        }
        let (index, packTable, indexBytes) = (signedIndex.index, signedIndex.table, signedIndex.bytes)
        logger.debug("delta index verified", metadata: ["ota.entries": "\(index.count)", "ota.bytes": "\(index.totalFileBytes)"])
        let assembler = DeltaAssembler(index: index, root: container, localRoots: localRoots, recordedBackups: recordedBackups,
                                       recordedTrees: await records.value, hardLinks: hardLinks)
        do {
            try assembler.placeLocalContents()
            let requests = assembler.missing
            let fetches = try DeltaFetchPlan(objects: location.objects, table: packTable, patches: index.patches).fetches(for: requests)
            var fetcher = DeltaObjectFetcher(transport: downloader.transport, retry: downloader.retry)
            let tracker = FetchProgress(total: assembler.missingBytes, report: progress)
            fetcher.progress = { tracker.add($0) }
            let fetched = try await fetcher.fetch(fetches)
            try assembler.finish()
            let record = keep(signedIndex, release: artifact.release, packed: packTable != nil, container: container)
            kept = record != nil
            return DeltaStagedRelease(release: artifact.release, container: container, indexBytes: indexBytes,
                                      objectBytes: fetched.bytes, patchBytes: fetched.patchBytes, objectsFetched: requests.count { $0.patch == nil },
                                      patchesFetched: requests.count { $0.patch != nil }, indexNote: signedIndex.note,
                                      indexByPatch: signedIndex.byPatch, index: index, kept: record, objectRequests: fetched.requests,
                                      reusedFiles: assembler.reusedFiles, linkedFiles: assembler.linkedFiles,
                                      vouchedFiles: assembler.vouchedFiles, hashedBytes: assembler.hashedBytes)
        } catch {
            try? FileSystem.removeTree(container)
            throw error
        }
    }

    /// The records of the local trees that have one (the `releases` layout), by root.
    private func recordedTrees(_ roots: [String]) -> [String: RecordedTree] {
        guard hardLinks, let keptIndexes else { return [:] }
        var trees: [String: RecordedTree] = [:]
        for root in roots where trees[root] == nil {
            trees[root] = keptIndexes.tree(of: root, policy: policy)
        }
        return trees
    }

    /// Keeps the verified index as the record of the staged folder; `nil` (logged) when it cannot be kept.
    private func keep(_ fetched: FetchedIndex, release: Release, packed: Bool, container: String) -> KeptIndex? {
        guard let keptIndexes else { return nil }
        let version = release.version.description, form: KeptIndex.Form = packed ? .pack : .folder
        do {
            if let made = fetched.patchRecord {
                return try keptIndexes.keep(patch: made.patch, base: made.base, version: version, form: form, stagedFolder: container)
            }
            guard let path = fetched.path else { return nil }
            return try keptIndexes.keep(path, fd: fetched.fd, version: version, form: form, stagedFolder: container)
        } catch {
            logger.warning("the delta index is not kept; the next delta update hashes this release's files", metadata: ["ota.error": "\(error.message)"])
            return nil
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
