import Foundation
import Logging
import Synchronization

/// Releases from a signed TUF repository on any static host (`source: tuf`).
///
/// Each ``releases()`` refreshes the trusted metadata (``TUFClient``; kept in `state_dir/tuf/`, the root
/// seeded from `tuf_root` the first time) and lists the product's catalog (``TUFReleaseCatalog``) for this
/// device, all under the store's lock, so two processes on one `state_dir` take turns. The device's id
/// (``DeviceIdentity``, resolved once) and the time of the refresh — the device clock, never earlier than
/// the TUF time floor — decide which rollouts reach it. The artifact of a release is its target, downloaded
/// by its signed URL; its proof is the target's signed length and hashes (``TUFTargetVerifier``), so a
/// release is signed without minisign and `allow_unsigned` does not apply. The installed version is the
/// signed `version`.
public final class TUFReleaseSource: ReleaseSource {
    /// The client of the repository.
    public let client: TUFClient
    /// Which releases the device is offered.
    public let catalog: TUFReleaseCatalog
    /// The trusted initial root (`tuf_root`), stored when no root is stored yet.
    let initialRootPath: String?
    /// Where the device's id in rollout buckets comes from.
    let identity: DeviceIdentity
    let logger: Logger
    /// The offers of the last refresh, by artifact URL: what proves each artifact.
    private let offers = Mutex<[String: TUFReleaseCatalog.Offer]>([:])
    /// The other platforms each version is published for, from the last refresh.
    private let elsewhere = Mutex<[SemanticVersion: [String]]>([:])
    /// The device id, once resolved.
    private let deviceID = Mutex<String?>(nil)
    /// The delta index target of each offered artifact that has one, by artifact URL, and whether the
    /// repository uses consistent snapshots.
    let deltaIndexes = Mutex<[String: DeltaTargets]>([:])
    let consistentSnapshots = Mutex(false)

    init(client: TUFClient, catalog: TUFReleaseCatalog, initialRootPath: String?, identity: DeviceIdentity, logger: Logger) {
        self.client = client
        self.catalog = catalog
        self.initialRootPath = initialRootPath
        self.identity = identity
        self.logger = logger
    }

    /// Every release of the device's platform; those not offered to it (yanked, halted, outside its rollout,
    /// another channel) carry the reason in ``Release/withheld``.
    public func releases() async throws -> [Release] {
        let (targets, consistent, referenceTime) = try await client.exclusively {
            try seedRootIfNeeded()
            var trust = try await client.refreshHoldingLock()
            return (try await client.targets(under: catalog.product, in: &trust), trust.root.consistentSnapshot, trust.referenceTime)
        }
        let found = catalog.offers(targets, deviceID: try resolvedDeviceID(), at: referenceTime,
                                   url: { client.url(of: $0, consistentSnapshot: consistent) }, logger: logger)
        offers.withLock { offers in
            offers = Dictionary(found.map { ($0.release.assets[0].apiURL, $0) }) { first, _ in first }
        }
        let others = catalog.otherPlatforms(targets)
        elsewhere.withLock { $0 = others }
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

    /// `is published for linux-armv7 only; this device is linux-aarch64 (platform)` when the last refresh
    /// found `version` for other platforms only.
    public func unlistedReason(for version: SemanticVersion) -> String? {
        guard let platforms = elsewhere.withLock({ $0[version] }), !platforms.isEmpty else { return nil }
        return "is published for \(platforms.joined(separator: ", ")) only; this device is \(catalog.platform) (platform)"
    }

    /// The target's signed length and hashes, from the refresh that offered it.
    public func proof(for artifact: Artifact) async throws -> ArtifactProof {
        guard let offer = offers.withLock({ $0[artifact.url] }) else {
            throw VerificationError(.releaseNotSigned, "\(artifact.fileName) of release \(artifact.release.version) is not a target the trusted TUF metadata offers this device, so nothing was installed; check for updates again.")
        }
        let verifier = ArtifactVerifier(verifiers: [TUFTargetVerifier(target: offer.target, role: offer.role)])
        return ArtifactProof(verifier: verifier, material: VerificationMaterial(), isSigned: true)
    }

    /// The device's id, resolved on first use and kept for the life of the source.
    func resolvedDeviceID() throws(StateError) -> String {
        if let known = deviceID.withLock({ $0 }) { return known }
        let id = try identity.resolve(logger: logger)
        deviceID.withLock { $0 = id }
        return id
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
    /// A source for `source` (`tuf_url`, `tuf_root` relative to `installDirectory`, `product`, `platform`,
    /// `channel`, `device_id`), keeping its trusted metadata in `directory` and retrying as `transfer` says, over `transport`.
    /// - Parameters:
    ///   - clock: the device's clock (expiry and rollout ramps read it, never earlier than the time floor).
    ///   - machineIDPath: where the machine id is read when `device_id` is not set.
    convenience init(source: OTAConfiguration.Source, transfer: OTAConfiguration.Transfer, directory: StateDirectory, installDirectory: String,
                     transport: HTTPTransport, logger: Logger, clock: @escaping @Sendable () -> Date = { Date() },
                     machineIDPath: String = DeviceIdentity.defaultMachineIDPath) throws(TransferError) {
        guard let metadata = source.tufMetadataURLResolved, let targets = source.tufTargetsURLResolved else {
            throw TransferError(.invalidURL, "tuf_url is not set or not a URL; set it to the TUF repository's base URL")
        }
        let client = TUFClient(metadataURL: metadata, targetsURL: targets, store: TUFMetadataStore(stateDirectory: directory),
                               fetcher: TUFFetcher(transport: transport, retry: transfer.retryPolicy(), logger: logger), clock: clock, logger: logger)
        let catalog = TUFReleaseCatalog(product: source.productName, platform: source.devicePlatform, channel: source.channel)
        self.init(client: client, catalog: catalog, initialRootPath: source.tufRootPath(in: installDirectory),
                  identity: DeviceIdentity(configured: source.deviceID, machineIDPath: machineIDPath, directory: directory), logger: logger)
    }
}

/// The release source `configuration` asks for (`source`), over `transport`: it gets the `source` and
/// `transfer` parts, and the state folder and `install_dir` of the `installation` part.
func makeReleaseSource(configuration: OTAConfiguration, transport: HTTPTransport, logger: Logger) throws(TransferError) -> any ReleaseSource {
    let source = configuration.source, transfer = configuration.transfer
    let directory = StateDirectory(installation: configuration.installation)
    let installDirectory = configuration.installation.installDirectory
    switch source.kind {
    case .github:
        return GitHubReleaseSource(source: source, transfer: transfer, directory: directory, installDirectory: installDirectory,
                                   transport: transport, logger: logger)
    case .tuf:
        return try TUFReleaseSource(source: source, transfer: transfer, directory: directory, installDirectory: installDirectory,
                                    transport: transport, logger: logger)
    }
}
