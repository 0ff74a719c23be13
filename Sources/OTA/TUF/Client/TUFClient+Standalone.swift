import Foundation
import Logging

/// The client on its own, without a device configuration (`ota tuf-client`, interoperability tests).
extension TUFClient {
    /// What became of a target asked for with ``download(_:role:consistentSnapshot:into:)``.
    public enum TargetDownload: Sendable, Equatable {
        /// Downloaded and verified, at this path.
        case downloaded(String)
        /// Already there with the signed length and hashes, at this path: not fetched again.
        case alreadyPresent(String)
    }

    /// A client of the repository at `metadataURL` (targets at `targetBaseURL`) keeping its trusted
    /// metadata in the folder `metadataDirectory` under unversioned names. Plain `http://` is allowed to
    /// any host: the metadata is signed. Call ``shutdown()`` when done.
    public convenience init(metadataDirectory: String, metadataURL: URL, targetBaseURL: URL?, logger: Logger) {
        var settings = HTTPTransport.Configuration()
        settings.redirectPolicy = RedirectPolicy(maxRedirects: 5, allowInsecureHTTP: true)
        let transport = HTTPTransport(configuration: settings, logger: logger)
        let retry = RetryPolicy(maxRetries: 1, baseDelay: .milliseconds(200))
        self.init(metadataURL: metadataURL, targetsURL: targetBaseURL ?? metadataURL, store: TUFMetadataStore(path: metadataDirectory),
                  fetcher: TUFFetcher(transport: transport, retry: retry, logger: logger), logger: logger)
    }

    /// Downloads `target` into the folder `directory` under its path percent-encoded (as python-tuf names
    /// it: `app%2F1.0.0%2Fapp.tar.gz`) and checks its signed length and hashes; a file already there
    /// that has them is kept and not fetched again. A download that fails its checks is removed.
    /// - Throws: ``TransferError`` or ``VerificationError`` naming the target.
    public func download(_ target: TUFTargetFile, role: String, consistentSnapshot: Bool, into directory: String) async throws -> TargetDownload {
        let name = String(TUFMetadataStore.fileName(forRole: target.path).dropLast(".json".count))
        let path = directory + "/" + name
        let verifier = TUFTargetVerifier(target: target, role: role)
        if let size = Downloader.fileSize(path), size == target.length, let sha256 = try? FileDigest.sha256(ofFileAt: path) {
            let release = Release(tag: "", version: SemanticVersion(0, 0, 0))
            let existing = DownloadedArtifact(artifact: Artifact(release: release, kind: .sourceTarball, fileName: name, url: ""), path: path, size: size, sha256: sha256)
            if (try? verifier.verify(existing, material: VerificationMaterial())) != nil { return .alreadyPresent(path) }
        }
        let url = url(of: target, consistentSnapshot: consistentSnapshot)
        let asset = ReleaseAsset(id: 0, name: name, size: target.length, apiURL: url.absoluteString)
        let artifact = Artifact(release: Release(tag: "", version: SemanticVersion(0, 0, 0), assets: [asset]), kind: .asset(asset), fileName: name, url: url.absoluteString)
        let downloader = Downloader(directory: directory, transport: fetcher.transport, retry: fetcher.retry, maxDownloadBytes: target.length, logger: logger)
        let downloaded = try await downloader.download(artifact)
        do {
            _ = try verifier.verify(downloaded, material: VerificationMaterial())
        } catch {
            try? FileManager.default.removeItem(atPath: downloaded.path)
            throw error
        }
        return .downloaded(path)
    }

    /// Closes the client's connections.
    public func shutdown() async {
        await fetcher.transport.shutdown()
    }
}
