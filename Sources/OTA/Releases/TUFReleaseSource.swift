import Foundation
import Logging
import Synchronization

/// Releases from a signed TUF repository on any static host (`source: tuf`).
///
/// Each ``releases()`` refreshes the trusted metadata (``TUFClient``; kept in `state_dir/tuf/`, the root
/// seeded from `tuf_root` the first time) and lists the product's catalog (``TUFReleaseCatalog``). The
/// artifact of a release is its target, downloaded by its signed URL; its proof is the target's signed
/// length and hashes (``TUFTargetVerifier``), so a release is signed without minisign and
/// `allow_unsigned` does not apply. The installed version is the signed `version`.
public final class TUFReleaseSource: ReleaseSource {
    /// The client of the repository.
    public let client: TUFClient
    /// Which releases the device is offered.
    public let catalog: TUFReleaseCatalog
    /// The trusted initial root (`tuf_root`), stored when no root is stored yet.
    let initialRootPath: String?
    let logger: Logger
    /// The offers of the last refresh, by artifact URL: what proves each artifact.
    private let offers = Mutex<[String: TUFReleaseCatalog.Offer]>([:])
    /// The delta index target of each offered artifact that has one, by artifact URL, and whether the
    /// repository uses consistent snapshots.
    let deltaIndexes = Mutex<[String: (TUFTargetFile, String)]>([:])
    let consistentSnapshots = Mutex(false)

    init(client: TUFClient, catalog: TUFReleaseCatalog, initialRootPath: String?, logger: Logger) {
        self.client = client
        self.catalog = catalog
        self.initialRootPath = initialRootPath
        self.logger = logger
    }

    public func releases() async throws -> [Release] {
        try seedRootIfNeeded()
        var trust = try await client.refresh()
        let targets = try await client.targets(under: catalog.product, in: &trust)
        let consistent = trust.root.consistentSnapshot
        let found = catalog.offers(targets, url: { client.url(of: $0, consistentSnapshot: consistent) }, logger: logger)
        offers.withLock { offers in
            offers = Dictionary(found.map { ($0.release.assets[0].apiURL, $0) }) { first, _ in first }
        }
        deltaIndexes.withLock { $0 = Self.deltaIndexTargets(of: found, among: targets) }
        consistentSnapshots.withLock { $0 = consistent }
        return found.map(\.release)
    }

    /// The release's target (its only asset).
    public func artifact(for release: Release) throws(SelectionError) -> Artifact {
        guard let asset = release.assets.first else {
            throw SelectionError(.noMatchingAsset, "release \(release.version) has no file for platform \(catalog.platform) in the TUF repository")
        }
        return Artifact(release: release, kind: .asset(asset), fileName: asset.name, url: asset.apiURL)
    }

    /// The target's signed length and hashes, from the refresh that offered it.
    public func proof(for artifact: Artifact) async throws -> ArtifactProof {
        guard let offer = offers.withLock({ $0[artifact.url] }) else {
            throw VerificationError(.releaseNotSigned, "\(artifact.fileName) of release \(artifact.release.version) is not a target the trusted TUF metadata offers this device, so nothing was installed; check for updates again.")
        }
        let verifier = ArtifactVerifier(verifiers: [TUFTargetVerifier(target: offer.target, role: offer.role)])
        return ArtifactProof(verifier: verifier, material: VerificationMaterial(), isSigned: true)
    }

    /// Stores the root of `tuf_root` as the trusted root when none is stored yet.
    private func seedRootIfNeeded() throws {
        guard !client.hasTrustedRoot else { return }
        guard let path = initialRootPath else {
            throw ConfigurationError(.missingKey, key: "tuf_root", "no trusted TUF root is stored in \(client.store.path) and tuf_root is not set; set tuf_root to the root.json shipped with the device")
        }
        do {
            try PathTrust.checkFile(path)
        } catch {
            throw ConfigurationError(.untrustedFile, key: "tuf_root", "tuf_root \(path) cannot be trusted: \(error.path) \(error.reason)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(.unreadableFile, key: "tuf_root", "cannot read tuf_root \(path); check that it exists and its permissions")
        }
        try client.storeInitialRoot(data)
        logger.info("stored the initial TUF root", metadata: ["ota.path": "\(path)"])
    }
}

extension TUFReleaseSource {
    /// A source for `configuration` (`tuf_url`, `tuf_root`, `product`, `platform`, `channel`), over `transport`.
    convenience init(configuration: OTAConfiguration, transport: HTTPTransport, logger: Logger,
                     clock: @escaping @Sendable () -> Date = { Date() }) throws(TransferError) {
        guard let metadata = configuration.tufMetadataURLResolved.flatMap(URL.init(string:)),
              let targets = configuration.tufTargetsURLResolved.flatMap(URL.init(string:)) else {
            throw TransferError(.invalidURL, "tuf_url is not set or not a URL; set it to the TUF repository's base URL")
        }
        let retry = RetryPolicy(maxRetries: configuration.maxRetries, baseDelay: .seconds(configuration.retryDelay))
        let client = TUFClient(metadataURL: metadata, targetsURL: targets,
                               store: TUFMetadataStore(stateDirectory: StateDirectory(configuration: configuration)),
                               fetcher: TUFFetcher(transport: transport, retry: retry, logger: logger), clock: clock, logger: logger)
        let catalog = TUFReleaseCatalog(product: configuration.productName, platform: configuration.devicePlatform, channel: configuration.channel)
        self.init(client: client, catalog: catalog, initialRootPath: configuration.tufRootPath, logger: logger)
    }
}

/// The release source `configuration` asks for (`source`), over `transport`.
func makeReleaseSource(configuration: OTAConfiguration, transport: HTTPTransport, logger: Logger) throws(TransferError) -> any ReleaseSource {
    switch configuration.source {
    case .github: GitHubReleaseSource(configuration: configuration, transport: transport, logger: logger)
    case .tuf: try TUFReleaseSource(configuration: configuration, transport: transport, logger: logger)
    }
}
