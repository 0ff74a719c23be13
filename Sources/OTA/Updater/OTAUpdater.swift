import Foundation
import Logging
import ServiceLifecycle

/// The update agent: checks for, downloads, verifies and applies releases, and rolls back.
///
/// `OTAUpdater` only orchestrates the stages (``ReleaseSource``, ``ReleaseSelector``, ``Downloader``, …);
/// each stage is a value you can also use alone.
///
/// ```swift
/// let updater = try OTAUpdater(configuration: OTAConfiguration.load(from: "config/ota_config.yaml"))
/// if let release = try await updater.checkForUpdates() {
///     print("update available:", release.version)
/// }
/// await updater.shutdown()
/// ```
public actor OTAUpdater {
    public let configuration: OTAConfiguration
    let logger: Logger
    let source: any ReleaseSource
    let transport: HTTPTransport
    let selector: ReleaseSelector
    let downloader: Downloader

    /// The last check's outcome, if a check ran.
    public private(set) var lastCheck: UpdateCheck?
    /// The verified artifact of the last ``downloadUpdate(_:progress:)``, ready to install.
    public internal(set) var verifiedArtifact: VerifiedArtifact?
    /// The background checker started by ``start()``.
    private var agent: (group: ServiceGroup, run: Task<Void, any Error>)?
    /// Awaited at each ``UpdateCheckpoint`` of an update, in the update's task (tests pause there); `nil` otherwise.
    var checkpoint: (@Sendable (UpdateCheckpoint) async -> Void)?

    /// An updater for `configuration`, talking to GitHub (or the configured mirror).
    public init(configuration: OTAConfiguration, logger: Logger = Logger(label: "ota")) throws(TransferError) {
        let transport = try HTTPTransport(for: configuration, logger: logger)
        self.init(configuration: configuration, source: GitHubReleaseSource(configuration: configuration, transport: transport, logger: logger),
                  transport: transport, logger: logger)
    }

    /// An updater with its own release source (tests, other kinds of source); downloads still go
    /// through the configuration's HTTP policy.
    public init(configuration: OTAConfiguration, source: any ReleaseSource, logger: Logger = Logger(label: "ota")) throws(TransferError) {
        self.init(configuration: configuration, source: source, transport: try HTTPTransport(for: configuration, logger: logger), logger: logger)
    }

    init(configuration: OTAConfiguration, source: any ReleaseSource, transport: HTTPTransport, logger: Logger) {
        self.configuration = configuration
        self.source = source
        self.transport = transport
        self.logger = logger
        self.selector = ReleaseSelector(configuration: configuration)
        self.downloader = Downloader(configuration: configuration, transport: transport, logger: logger)
    }

    /// The installed version (`0.0.0` for an empty installation).
    public func currentVersion() throws(VersionError) -> SemanticVersion {
        try VersionManager(versionFile: configuration.versionFilePath, logger: logger).currentVersion()
    }

    /// Asks the source for the newest eligible release and compares it with the installed version.
    ///
    /// Records `last_check`, `latest_version` and `last_check_error` in `state.json`.
    public func check() async throws -> UpdateCheck {
        let outcome: UpdateCheck
        do {
            let current = try currentVersion()
            let floor = configuration.allowDowngrade ? nil : versionFloor()
            let releases = try await source.releases().filter { release in floor.map { release.version >= $0 } ?? true }
            outcome = selector.check(releases, current: current)
        } catch {
            recordCheck(latest: nil, error: error)
            throw error
        }
        recordCheck(latest: outcome.latestRelease?.version, error: nil)
        lastCheck = outcome
        switch outcome {
        case .available(let current, let release):
            logger.info("update available", metadata: ["ota.current": "\(current)", "ota.release.version": "\(release.version)"])
        case .upToDate(let current, let latest):
            logger.info("up to date", metadata: ["ota.current": "\(current)", "ota.latest": "\(latest?.version.description ?? "none")"])
        }
        return outcome
    }

    private func recordCheck(latest: SemanticVersion?, error: (any Error)?) {
        do {
            _ = try StateStore(stateDirectory: configuration.stateDirectory, logger: logger).update { state in
                state.lastCheck = Date()
                state.lastCheckError = error?.localizedMessage
                if let latest { state.latestVersion = latest.description }
                if let transfer = error as? TransferError, transfer.code == .rateLimited {
                    state.rateLimitNextAllowed = transfer.retryAfter
                } else if error == nil {
                    state.rateLimitNextAllowed = nil
                }
            }
        } catch {
            logger.warning("cannot record the check in state.json", metadata: ["ota.error": "\(error.message)"])
        }
    }

    /// The newer release to install, or `nil` when the installation is up to date.
    public func checkForUpdates() async throws -> Release? {
        try await check().availableRelease
    }

    /// Downloads and verifies `release` (default: the one the last check found), before anything
    /// is extracted or touched.
    ///
    /// The artifact is chosen by `asset_pattern` (else the source tarball); the release's checksums
    /// file and, with a public key, its signatures are fetched too. A file that fails verification is deleted.
    /// Without a public key nothing is downloaded unless `allow_unsigned` is set; a release older than
    /// the highest version ever installed is refused unless `allow_downgrade` is set.
    /// - Throws: ``TransferError``, ``SelectionError`` or ``VerificationError``.
    public func downloadUpdate(_ release: Release? = nil, progress: (@Sendable (Downloader.Progress) -> Void)? = nil) async throws -> VerifiedArtifact {
        try await downloadUpdate(release, force: false, progress: progress)
    }

    func downloadUpdate(_ release: Release?, force: Bool, progress: (@Sendable (Downloader.Progress) -> Void)?) async throws -> VerifiedArtifact {
        guard let release = release ?? lastCheck?.availableRelease else {
            throw SelectionError(.unknownVersion, "no update to download: run checkForUpdates() first, or pass the release")
        }
        let verifier = try signaturePolicy()
        try requireAboveFloor(release.version, force: force)
        let artifact = try AssetPattern(pattern: configuration.assetPattern).artifact(for: release, repository: configuration.githubRepo)
        var companions: [String: Data] = [:]
        for asset in verifier.companionAssets(for: artifact) {
            companions[asset.name] = try await downloader.fetchCompanion(asset)
        }
        logger.info("downloading", metadata: ["ota.release.version": "\(release.version)", "ota.file": "\(artifact.fileName)"])
        let downloaded = try await downloader.download(artifact, progress: progress)
        do {
            let verified = try verifier.verify(downloaded, material: VerificationMaterial(artifact: artifact, fetched: companions))
            logVerification(verified, signed: verifier.publicKey != nil)
            verifiedArtifact = verified
            return verified
        } catch {
            try? FileManager.default.removeItem(atPath: downloaded.path)
            throw error
        }
    }

    /// Starts the background checker in this process: a check soon, then every `check_interval`
    /// ± `check_jitter`, installing what it finds with `auto_update` (see ``UpdateService``).
    ///
    /// Runs crash recovery first. A program with its own swift-service-lifecycle `ServiceGroup` should
    /// add an ``UpdateService`` to it instead.
    public func start() async throws {
        guard agent == nil else { return }
        try recoverIfIdle()
        let group = ServiceGroup(services: [UpdateService(updater: self, logger: logger)], logger: logger)
        agent = (group, Task { try await group.run() })
    }

    /// Stops the background checker: a download is abandoned, a swap that has begun finishes or
    /// rolls back first. Returns when it has stopped.
    public func stop() async {
        guard let agent else { return }
        self.agent = nil
        await agent.group.triggerGracefulShutdown()
        _ = try? await agent.run.value
    }

    /// Stops the background checker and closes network connections. Call once, when done with the updater.
    public func shutdown() async {
        await stop()
        await transport.shutdown()
    }
}

/// A point in an update where ``OTAUpdater/checkpoint`` is awaited.
enum UpdateCheckpoint: Sendable {
    /// The release is extracted into the staging folder; the swap has not begun.
    case staged
    /// The swap is done; the health check and the commit (or rollback) come next.
    case swapped
}
