import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension DeltaUpdate {
    /// A verified and parsed index: its file (in the downloads folder, fetched or made from an index patch) and
    /// the descriptor it was read through, or the index patch it was made from in memory; with the bytes
    /// fetched for it and what became of the index patch.
    struct FetchedIndex {
        var index: DeltaIndex
        var table: DeltaPackTable?
        /// The index's and its companions' bytes, or the index patch's and its companions' (with those of an
        /// index patch fetched but not used).
        var bytes: Int
        /// The file and its descriptor; `nil` and -1 for an index made in memory from `patchRecord`.
        var path: String?
        var fd: Int32
        /// The verified index patch the index was made from in memory, and the record it applied to: kept as
        /// the new record (``KeptIndexes/keep(patch:base:version:form:stagedFolder:)``).
        var patchRecord: (patch: [UInt8], base: KeptIndex)? = nil
        /// For the log: how the index came, or why not by its index patch; `nil` when none is offered.
        var note: String? = nil
        var byPatch = false
    }

    /// The index, made from the index patch of `location` whose base is the text of `keptIndex` when there
    /// is one (``indexByPatch(_:location:keptIndex:)``), else downloaded and checked against its proof; parsed
    /// (with a pack's table) under the archive safety policy. The caller closes the descriptor and keeps or
    /// removes the file.
    func fetchIndex(_ release: Release, location: DeltaLocation, keptIndex: String?) async throws(DeltaError) -> FetchedIndex {
        let patched = await indexByPatch(release, location: location, keptIndex: keptIndex)
        if case .used(.text(let text, let patch, let base), let bytes, let note) = patched {
            do {
                let (index, table) = try location.objects.index(text: text, policy: policy)
                return FetchedIndex(index: index, table: table, bytes: bytes, path: nil, fd: -1, patchRecord: (patch, base), note: note, byPatch: true)
            } catch {
                throw DeltaError(.refusedIndex, "the signed delta index \(location.indexName) of release \(release.version) is refused: \(error.message)")
            }
        }
        if case .used(.file(let path), let bytes, let note) = patched {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                let failure = SystemError.last("open \(path)")
                unlink(path)
                throw DeltaError(.indexUnavailable, "the delta index made from its index patch cannot be read: \(failure.message)")
            }
            var fetched = try parse(path: path, fd: fd, bytes: bytes, release: release, location: location)
            fetched.note = note
            fetched.byPatch = true
            return fetched
        }
        let asset = ReleaseAsset(id: 0, name: location.indexName, size: location.indexLength, apiURL: location.indexURL,
                                 browserDownloadURL: location.indexURL)
        let artifact = Artifact(release: release, kind: .asset(asset), fileName: location.indexName, url: location.indexURL)
        let downloaded: (path: String, fd: Int32, bytes: Int)
        do {
            downloaded = try await downloadVerified(artifact, verifier: location.verifier, companions: location.companions)
        } catch let error as DeltaError {
            throw error
        } catch {
            throw DeltaError(.indexUnavailable, "the delta index \(location.indexName) could not be fetched or verified: \(error.localizedMessage)")
        }
        var fetched = try parse(path: downloaded.path, fd: downloaded.fd, bytes: downloaded.bytes + patched.spentBytes, release: release, location: location)
        fetched.note = patched.note
        return fetched
    }

    /// Downloads `artifact` and its `companions`, and checks it with `verifier`; gives the file, a descriptor
    /// opened before it was checked (state_dir is the agent's alone), and the bytes fetched. The file is
    /// removed and the descriptor closed when it fails.
    func downloadVerified(_ artifact: Artifact, verifier: any Verifier, companions assets: [ReleaseAsset]) async throws -> (path: String, fd: Int32, bytes: Int) {
        let downloaded = try await downloader.download(artifact)
        var fetched = downloaded.size
        let fd = open(downloaded.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let failure = SystemError.last("open \(downloaded.path)")
            unlink(downloaded.path)
            throw DeltaError(.indexUnavailable, "the downloaded \(artifact.fileName) cannot be read: \(failure.message)")
        }
        do {
            var companions: [String: Data] = [:]
            for asset in assets {
                let companion = try await downloader.fetchCompanion(asset)
                companions[asset.name] = companion
                fetched += companion.count
            }
            _ = try verifier.verify(downloaded, material: VerificationMaterial(artifact: artifact, fetched: companions))
        } catch {
            close(fd)
            unlink(downloaded.path)
            throw error
        }
        return (downloaded.path, fd, fetched)
    }

    /// Parses the verified index read through `fd` under the archive safety policy.
    /// - Throws: ``DeltaError/Code/refusedIndex`` for an index that breaks it (the descriptor is closed and the file removed).
    private func parse(path: String, fd: Int32, bytes: Int, release: Release, location: DeltaLocation) throws(DeltaError) -> FetchedIndex {
        do {
            // Inflated and parsed from the file a chunk at a time: neither its bytes nor its text are held.
            let (index, table) = try location.objects.index(reading: FileByteSource(fd: fd), policy: policy)
            return FetchedIndex(index: index, table: table, bytes: bytes, path: path, fd: fd)
        } catch {
            close(fd)
            unlink(path)
            throw DeltaError(.refusedIndex, "the signed delta index \(location.indexName) of release \(release.version) is refused: \(error.message)")
        }
    }
}
