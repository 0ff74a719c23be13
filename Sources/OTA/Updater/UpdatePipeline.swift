import Foundation
import Logging

/// The stages of an update, built once from the configuration: source → selector → downloader and
/// proof → extractor → installer → hooks, each handed the value the previous one returned.
///
/// It keeps nothing between calls; ``OTAUpdater`` holds the lock and the last check around it.
struct UpdatePipeline: Sendable {
    let configuration: OTAConfiguration
    let source: any ReleaseSource
    let selector: ReleaseSelector
    let downloader: Downloader
    let installer: any Installer
    let hooks: HookRunner
    let records: UpdateRecords
    let directory: StateDirectory
    let logger: Logger
    /// Told each state, the download's progress, each update's result and each rollback.
    let activity: UpdateActivity

    init(configuration: OTAConfiguration, source: any ReleaseSource, downloader: Downloader, logger: Logger, activity: UpdateActivity) {
        self.configuration = configuration
        self.source = source
        self.selector = ReleaseSelector(configuration: configuration)
        self.downloader = downloader
        self.installer = makeInstaller(configuration: configuration, logger: logger)
        self.hooks = HookRunner(configuration: configuration, logger: logger)
        self.directory = StateDirectory(configuration: configuration)
        self.records = UpdateRecords(directory: directory, logger: logger)
        self.logger = logger
        self.activity = activity
    }

    /// The installed version (`0.0.0` for an empty installation).
    func currentVersion() throws(VersionError) -> SemanticVersion {
        try VersionManager(versionFile: configuration.versionFilePath, logger: logger).currentVersion()
    }

    /// The newest eligible release at or above the version floor, compared with the installed version; recorded in `state.json`.
    func check() async throws -> UpdateCheck {
        activity.enter(.checking)
        let outcome: UpdateCheck
        do {
            outcome = selector.check(try await source.releases(), current: try currentVersion(), floor: records.versionFloor())
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

    /// The published release with exactly `version` (`ota update --version V`), allowed by the selector's rules.
    func release(exactly version: SemanticVersion, current: SemanticVersion, force: Bool) async throws -> Release {
        try selector.release(version, in: try await source.releases(), current: current, floor: records.versionFloor(), force: force)
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
        let recovery = try Journal(configuration: configuration).recoverIfNeeded(logger: logger)
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
