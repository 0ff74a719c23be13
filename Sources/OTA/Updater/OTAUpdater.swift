import Foundation
import Logging

/// The update agent: checks for, downloads, verifies and applies releases, and rolls back.
///
/// A thin facade: the stages (``ReleaseSource``, ``ReleaseSelector``, ``Downloader``, ``Extractor``,
/// ``Installer``, ``HookRunner``) are built once from the configuration, and each step takes and returns
/// values you can also hand to the stages yourself. The background checker is ``UpdateService``
/// (or ``run()``).
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
    let pipeline: UpdatePipeline
    let transport: HTTPTransport
    /// What this updater is doing now, and the stream of its changes (the agent's status API and metrics).
    public nonisolated var activity: UpdateActivity { pipeline.activity }

    /// The last check's outcome, if a check ran.
    public private(set) var lastCheck: UpdateCheck?
    /// Awaited at each ``UpdateCheckpoint`` of an update, in the update's task (tests pause there); `nil` otherwise.
    var checkpoint: UpdatePipeline.Checkpoint?

    /// An updater for `configuration`, talking to its `source`: GitHub (or the configured mirror), or a signed TUF repository.
    /// - Parameters:
    ///   - configuration: the installation and its release source.
    ///   - logger: receives the updater's messages.
    ///   - activity: receives what the updater does (default: a new one; see ``activity``).
    public init(configuration: OTAConfiguration, logger: Logger = Logger(label: "ota"), activity: UpdateActivity = UpdateActivity()) throws(TransferError) {
        let transport = HTTPTransport(transfer: configuration.transfer, source: configuration.source, logger: logger)
        self.init(configuration: configuration, source: try makeReleaseSource(configuration: configuration, transport: transport, logger: logger),
                  transport: transport, logger: logger, activity: activity)
    }

    /// An updater with its own release source (tests, other kinds of source); downloads still go
    /// through the configuration's HTTP policy.
    public init(configuration: OTAConfiguration, source: any ReleaseSource, logger: Logger = Logger(label: "ota"),
                activity: UpdateActivity = UpdateActivity()) throws(TransferError) {
        self.init(configuration: configuration, source: source, transport: HTTPTransport(transfer: configuration.transfer, source: configuration.source, logger: logger), logger: logger,
                  activity: activity)
    }

    init(configuration: OTAConfiguration, source: any ReleaseSource, transport: HTTPTransport, logger: Logger, activity: UpdateActivity = UpdateActivity()) {
        self.configuration = configuration
        self.transport = transport
        self.logger = logger
        let downloader = Downloader(transfer: configuration.transfer, directory: StateDirectory(installation: configuration.installation),
                                    transport: transport, logger: logger)
        self.pipeline = UpdatePipeline(configuration: configuration, source: source, downloader: downloader, logger: logger, activity: activity)
    }

    /// The installed version (`0.0.0` for an empty installation).
    public func currentVersion() throws(VersionError) -> SemanticVersion {
        try pipeline.currentVersion()
    }

    /// Asks the source for the newest eligible release and compares it with the installed version.
    ///
    /// Releases older than the highest version this device has installed are left out unless
    /// `allow_downgrade` is set. Records `last_check`, `latest_version` and `last_check_error` in `state.json`.
    public func check() async throws -> UpdateCheck {
        try await activity.during {
            let outcome = try await pipeline.check()
            lastCheck = outcome
            return outcome
        }
    }

    /// The newer release to install, or `nil` when the installation is up to date.
    public func checkForUpdates() async throws -> Release? {
        try await check().availableRelease
    }

    /// Downloads and verifies `release` (default: the one the last check found), before anything
    /// is extracted or touched; hand the result to ``applyUpdate(_:)``.
    ///
    /// The source chooses the artifact (with GitHub: the asset matching `asset_pattern`, else the source
    /// tarball) and fetches what proves it (the checksums file and, with a public key, the signatures).
    /// A file that fails verification is deleted. Without a public key nothing is downloaded unless
    /// `allow_unsigned` is set; a release older than the highest version ever installed is refused unless
    /// `allow_downgrade` is set, or the last check chose it (moving off a yanked version, or to a pinned one).
    /// - Throws: ``TransferError``, ``SelectionError`` or ``VerificationError``.
    public func downloadUpdate(_ release: Release? = nil, progress: (@Sendable (Downloader.Progress) -> Void)? = nil) async throws -> VerifiedArtifact {
        guard let release = release ?? lastCheck?.availableRelease else {
            throw SelectionError(.unknownVersion, "no update to download: run checkForUpdates() first, or pass the release")
        }
        if release != lastCheck?.availableRelease {
            try pipeline.selector.requireFloor(pipeline.records.versionFloor(), for: release)
        }
        return try await activity.during { try await pipeline.download(release, progress: progress) }
    }

    /// Runs the background checker in the calling task until it is cancelled or, inside a
    /// swift-service-lifecycle `ServiceGroup`, shut down gracefully: a check soon, then every
    /// `check_interval` ± `check_jitter`, installing what it finds with `auto_update` (see ``UpdateService``,
    /// which a program with its own `ServiceGroup` adds to it instead). Runs crash recovery first.
    ///
    /// ```swift
    /// let agent = Task { try await updater.run() }
    /// // …
    /// agent.cancel()    // a download is abandoned; a swap that has begun finishes or rolls back first
    /// ```
    public func run() async throws {
        try recoverIfIdle()
        try await UpdateService(updater: self, logger: logger).run()
    }

    /// Closes network connections. Call once, when done with the updater.
    public func shutdown() async {
        await transport.shutdown()
    }
}
