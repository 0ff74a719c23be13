import Foundation
import Logging

/// The stages of an update, built once from the parts of the configuration: source → selector →
/// downloader and proof → extractor → installer → hooks, each handed the value the previous one returned.
///
/// Each stage gets only its part (the selector the `source` part, the extractor `limits`, the installer
/// and journal `installation`, the hooks `hooks`). It keeps nothing between calls; ``OTAUpdater`` holds the
/// lock and the last check around it.
struct UpdatePipeline: Sendable {
    let source: any ReleaseSource
    let selector: ReleaseSelector
    let downloader: Downloader
    let extraction: ExtractionPolicy
    let installer: any Installer
    let journal: Journal
    let hooks: HookRunner
    /// When installs may start (`maintenance_window`), for the ``InstallGate``.
    let maintenance: MaintenanceSchedule
    /// `pinned_version`, which wins over the pin `ota pin` records.
    let configuredPin: SemanticVersion?
    let records: UpdateRecords
    let directory: StateDirectory
    /// The installation's folder and layout, whose trees a delta takes contents from.
    let installDirectory: String
    let layout: OTAConfiguration.Installation.Layout
    /// Whether a release is fetched by its delta index when it has one (`delta`).
    let deltaEnabled: Bool
    /// The installed `VERSION` file.
    let versionFilePath: String
    let logger: Logger
    /// Told each state, the download's progress, each update's result and each rollback.
    let activity: UpdateActivity

    /// The stages of `configuration`, with its `source` and the `downloader` built from its `source` and
    /// `transfer` parts (``OTAUpdater`` shares their transport), reporting to `activity`.
    init(configuration: OTAConfiguration, source: any ReleaseSource, downloader: Downloader, logger: Logger, activity: UpdateActivity) {
        let installation = configuration.installation
        self.source = source
        self.selector = ReleaseSelector(source: configuration.source)
        self.downloader = downloader
        self.extraction = ExtractionPolicy(limits: configuration.limits)
        self.installer = makeInstaller(configuration: configuration, logger: logger)
        self.journal = Journal(installation: installation)
        self.hooks = HookRunner(hooks: configuration.hooks, installDirectory: installation.installDirectory,
                                secrets: configuration.source.githubToken.map { [$0] } ?? [], logger: logger)
        self.maintenance = configuration.schedule.maintenance
        self.configuredPin = configuration.source.pinnedVersion
        self.directory = StateDirectory(installation: installation)
        self.records = UpdateRecords(directory: directory, logger: logger)
        self.versionFilePath = installation.versionFilePath
        self.installDirectory = installation.installDirectory
        self.layout = installation.layout
        self.deltaEnabled = configuration.transfer.delta
        self.logger = logger
        self.activity = activity
    }

    /// The installed version (`0.0.0` for an empty installation).
    func currentVersion() throws(VersionError) -> SemanticVersion {
        try VersionManager(versionFile: versionFilePath, logger: logger).currentVersion()
    }

    /// The pin in force: `pinned_version`, else the version `ota pin` recorded; `nil` when unpinned.
    func pinnedVersion() throws(StateError) -> SemanticVersion? {
        try PinStore(directory: directory).effectivePin(configured: configuredPin)
    }

    /// The newest eligible release at or above the version floor, compared with the installed version — or,
    /// on a pinned device, the pinned release; recorded in `state.json`.
    func check() async throws -> UpdateCheck {
        activity.enter(.checking)
        let outcome: UpdateCheck
        do {
            outcome = try choose(from: try await releases(), current: try currentVersion())
        } catch {
            records.recordCheck(latest: nil, error: error)
            throw error
        }
        records.recordCheck(latest: outcome.latestRelease?.version, error: nil)
        switch outcome {
        case .available(let current, let release):
            logger.info("update available", metadata: ["ota.current": "\(current)", "ota.release.version": "\(release.version)"])
        case .upToDate(let current, let latest):
            logger.info("up to date", metadata: ["ota.current": "\(current)", "ota.latest": "\(latest?.version.description ?? "none")"])
        }
        return outcome
    }

    /// The source's releases — unless a server asked not to be asked again before a time still ahead, as the
    /// last check recorded in `state.json`: then that rate limit again, without a request. This holds for every
    /// source and across restarts of the agent and one-shot runs (`ota update` from a timer).
    func releases() async throws -> [Release] {
        if let until = RateLimit.pending(records.store.load().rateLimitNextAllowed) {
            throw TransferError(.rateLimited, "the release server asked not to be asked again before \(RateLimit.shown(until)) UTC; the next check waits until then",
                                retryAfter: until)
        }
        return try await source.releases()
    }

    /// The selector's choice among `releases`: the pinned release on a pinned device (checked to have a file
    /// for this device), else the newest eligible one; moving off a yanked version is logged as such.
    private func choose(from releases: [Release], current: SemanticVersion) throws -> UpdateCheck {
        if let pin = try pinnedVersion() { return try choose(pinned: pin, from: releases, current: current) }
        let outcome = selector.check(releases, current: current, floor: records.versionFloor())
        guard selector.isYanked(current, in: releases) else { return outcome }
        if let release = outcome.availableRelease {
            logger.warning("the installed version is yanked by its publisher: moving to the newest release that is not, older versions and the version floor notwithstanding",
                           metadata: ["ota.current": "\(current)", "ota.release.version": "\(release.version)"])
        } else {
            logger.warning("the installed version is yanked by its publisher, but no other release is offered to this device", metadata: ["ota.current": "\(current)"])
        }
        return outcome
    }

    /// The published release with exactly `version` (`ota update --version V`), allowed by the selector's rules;
    /// on a pinned device only the pinned version.
    func release(exactly version: SemanticVersion, current: SemanticVersion, force: Bool) async throws -> Release {
        try requirePinAllows(version)
        return try selector.release(version, in: try await releases(), current: current, floor: records.versionFloor(), force: force)
    }

    /// Refuses `version` on a device pinned to another version.
    func requirePinAllows(_ version: SemanticVersion) throws {
        if let pin = try pinnedVersion(), pin != version {
            throw SelectionError(.downgradeRefused, "this device is pinned to \(pin) (pinned_version), so \(version) is not installed; pin \(version) with `ota pin \(version)` or remove the pin with `ota unpin`")
        }
    }

    /// Downloads the artifact of `release` the source chooses and checks it against the source's proof,
    /// fetched first; a download that fails its checks is deleted.
    func download(_ release: Release, progress: (@Sendable (Downloader.Progress) -> Void)?) async throws -> VerifiedArtifact {
        let artifact = try source.artifact(for: release)
        activity.enter(.downloading, version: release.version)
        let proof = try await source.proof(for: artifact)
        logger.info("downloading", metadata: ["ota.release.version": "\(release.version)", "ota.file": "\(artifact.fileName)"])
        let downloaded = try await downloader.download(artifact) { [activity] advanced in
            activity.progress(advanced)
            progress?(advanced)
        }
        activity.enter(.verifying, version: release.version)
        do {
            let verified = try proof.verify(downloaded)
            logVerification(verified, signed: proof.isSigned)
            return verified
        } catch {
            try? FileManager.default.removeItem(atPath: downloaded.path)
            throw error
        }
    }

    /// Rolls back an update a crash interrupted, and records it. The caller holds the lock.
    @discardableResult
    func recover() throws -> Journal.Recovery {
        let recovery = try journal.recoverIfNeeded(logger: logger)
        if case .rolledBack(let transaction) = recovery {
            activity.rolledBack(.interrupted)
            records.log("recovered: rolled back interrupted update \(transaction.fromVersion) -> \(transaction.toVersion)")
            records.record(UpdateStatus(fromVersion: transaction.fromVersion.description, toVersion: transaction.toVersion.description,
                                        result: .rolledBack, startedAt: transaction.startedAt, finishedAt: Date(),
                                        error: "the update was interrupted (crash or power loss) and was rolled back"),
                           installed: transaction.fromVersion)
        }
        return recovery
    }

    /// Logs what verification established; "verified" only when a signature was checked.
    private func logVerification(_ verified: VerifiedArtifact, signed: Bool) {
        let file = verified.downloaded.artifact.fileName
        let checks = verified.checks.joined(separator: "; ")
        if signed {
            logger.info("verified", metadata: ["ota.file": "\(file)", "ota.checks": "\(checks)"])
        } else if verified.checks.isEmpty {
            logger.warning("not verified: unsigned release with nothing to check (allow_unsigned)", metadata: ["ota.file": "\(file)"])
        } else {
            logger.warning("checked but not signed (allow_unsigned)", metadata: ["ota.file": "\(file)", "ota.checks": "\(checks)"])
        }
    }
}
