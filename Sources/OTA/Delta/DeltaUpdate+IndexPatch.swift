import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension DeltaUpdate {
    /// An index text made from an index patch, in the form its record will be kept in.
    enum MadeIndex {
        /// Written gzip-compressed to `path`, to be kept as text: the kept index the patch applied to is itself
        /// ``KeptIndexes/maxPatchChain`` patches away from a text.
        case file(path: String)
        /// Held in memory, to be kept as the verified index patch `patch` on the record `base` it applied to.
        case text([UInt8], patch: [UInt8], base: KeptIndex)
    }

    /// What became of a release's index patches.
    enum IndexPatchOutcome {
        /// The index text was made from an index patch and matches its signed SHA-256 and length: the text,
        /// and the bytes fetched (the patch and its companions).
        case used(made: MadeIndex, bytes: Int, note: String)
        /// No index patch was used (`note` says why, `nil` when the release offers none); `spentBytes` were
        /// fetched for one that failed.
        case notUsed(spentBytes: Int, note: String?)

        var spentBytes: Int {
            if case .notUsed(let bytes, _) = self { return bytes }
            return 0
        }

        var note: String? {
            switch self {
            case .used(_, _, let note): note
            case .notUsed(_, let note): note
            }
        }
    }

    /// Makes the index from the index patch of `location` whose base is the text of `keptIndex`, when there
    /// is one: fetches it, checks it against its proof (its signed length and hashes, or its signature),
    /// applies it to the kept text and checks the text against the SHA-256 and length its signed header
    /// gives. Anything missing or failing is `.notUsed`: the full index is fetched instead.
    func indexByPatch(_ release: Release, location: DeltaLocation, keptIndex: String?) async -> IndexPatchOutcome {
        guard !location.indexPatches.isEmpty else { return .notUsed(spentBytes: 0, note: nil) }
        let fallback = "fetching the full index"
        guard let keptIndex, FileSystem.exists(keptIndex) else {
            return .notUsed(spentBytes: 0, note: "no index of the installed release is kept, \(fallback)")
        }
        let limit = DeltaIndexPatch.maxTextBytes(for: policy)
        let base: DeltaIndexBase
        do {
            base = try DeltaIndexBase(keptIndexAt: keptIndex, limit: limit)
        } catch {
            return .notUsed(spentBytes: 0, note: "the kept index \(keptIndex) cannot be read (\(error.message)), \(fallback)")
        }
        guard let offer = location.indexPatches.first(where: { $0.basePrefix == base.sha256.prefix(16) }) else {
            return .notUsed(spentBytes: 0, note: "no index patch from the kept index (\(base.sha256.prefix(16))…), \(fallback)")
        }
        let asset = ReleaseAsset(id: 0, name: offer.name, size: offer.length, apiURL: offer.url, browserDownloadURL: offer.url)
        let artifact = Artifact(release: release, kind: .asset(asset), fileName: offer.name, url: offer.url)
        var spent = 0
        do {
            let downloaded = try await downloadVerified(artifact, verifier: offer.verifier, companions: offer.companions)
            let fetched = downloaded.bytes
            spent = fetched
            defer {
                close(downloaded.fd)
                unlink(downloaded.path)
            }
            let patch = try Self.read(downloaded.fd, name: offer.name, limit: limit)
            let note = "index made from \(offer.name) and the kept index: \(fetched) bytes instead of \(location.indexLength)"
            if base.depth < KeptIndexes.maxPatchChain, let baseRecord = KeptIndex(name: PathName.lastComponent(of: keptIndex)) {
                let text = try DeltaIndexPatch.text(applying: patch, to: base, limit: limit).text
                return .used(made: .text(text, patch: patch, base: baseRecord), bytes: fetched, note: note)
            }
            let destination = FileSystem.parent(downloaded.path) + "/" + location.indexName
            unlink(destination)
            _ = try DeltaIndexPatch.apply(patch, to: base, writingTo: destination, limit: limit)
            return .used(made: .file(path: destination), bytes: fetched, note: note)
        } catch {
            logger.warning("index patch not used; fetching the full index", metadata: ["ota.file": "\(offer.name)", "ota.error": "\(error.localizedMessage)"])
            return .notUsed(spentBytes: spent, note: "the index patch \(offer.name) was not used (\(error.localizedMessage)), \(fallback)")
        }
    }

    /// The bytes of the verified patch file open as `fd`, at most `limit`.
    private static func read(_ fd: Int32, name: String, limit: Int64) throws -> [UInt8] {
        // One byte past the limit tells a file that is too large from one that just fits.
        let bytes = try Syscall.readAll(fd, limit: min(Int(clamping: limit), Int.max - 1) + 1, "read \(name)")
        guard Int64(bytes.count) <= limit else {
            throw DeltaError(.indexUnavailable, "the index patch \(name) is larger than \(limit) bytes")
        }
        return bytes
    }
}
