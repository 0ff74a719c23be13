import Foundation
import Logging

/// What ``OTAUpdater/update(to:force:dryRun:whenHeld:progress:)`` did.
public enum UpdateOutcome: Sendable, Equatable {
    /// Nothing newer was published.
    case upToDate(SemanticVersion)
    /// `--dry-run`: this release and artifact would be installed; nothing was touched.
    case planned(from: SemanticVersion, release: Release, artifact: Artifact)
    /// The new version is installed, healthy and committed.
    case updated(from: SemanticVersion, to: SemanticVersion)
}

extension OTAUpdater {
    /// The whole update in one call: check, download, verify, back up, apply, restart, health-check,
    /// and commit — or roll back by itself when any step after the swap fails.
    ///
    /// Holds the `state_dir` lock for its whole duration and runs crash recovery first. Cancelling the
    /// calling task before the swap ends the update with `CancellationError`, nothing changed; once the
    /// swap has begun, the transaction finishes (commit or rollback) whatever happens to the caller.
    /// - Parameters:
    ///   - version: install exactly this version (`ota update --version V`) instead of the newest.
    ///   - force: allow `version` to be older than or equal to the installed one.
    ///   - dryRun: only report what would be installed; download nothing, change nothing.
    ///   - whenHeld: what to do when an inhibit, the application lock or `maintenance_window` holds the
    ///     install back after the download: refuse (``InstallHeldError``, the default) or wait (the agent).
    ///     `force` installs regardless.
    ///   - progress: called as the download advances (bytes on disk, and the total when known).
    /// - Throws: any stage's error; the installation is then exactly as before, and `state.json`'s
    ///   `last_update` says `failed` or `rolled_back` with the error.
    public func update(to version: SemanticVersion? = nil, force: Bool = false, dryRun: Bool = false,
                       whenHeld: InstallGate.Policy = .refuse, progress: (@Sendable (Downloader.Progress) -> Void)? = nil) async throws -> UpdateOutcome {
        let lock = try Lock.acquire(in: StateDirectory(configuration: configuration))
        defer { lock.release() }
        try recoverInterruptedUpdate()
        let current = try currentVersion()
        let release: Release
        if let version {
            let releases = try await source.releases()
            release = try selector.release(version, in: releases, current: current, force: force)
            try requireAboveFloor(release.version, force: force)
        } else {
            guard let available = try await check().availableRelease else { return .upToDate(current) }
            release = available
        }
        if dryRun {
            let artifact = try AssetPattern(pattern: configuration.assetPattern).artifact(for: release, repository: configuration.githubRepo)
            return .planned(from: current, release: release, artifact: artifact)
        }
        try await recordingOutcome(from: current, to: release.version) {
            let verified = try await downloadUpdate(release, force: force, progress: progress)
            try await InstallGate(configuration: configuration, policy: whenHeld, logger: logger).admit(release.version, force: force)
            try await apply(verified, from: current)
        }
        pruneBackups()
        return .updated(from: current, to: release.version)
    }

    /// Installs the artifact of the last ``downloadUpdate(_:progress:)``: `pre_update`, stage, back up, swap,
    /// probe, and commit — or roll back by itself (the step-by-step flow of the original design).
    ///
    /// - Returns: the installed version.
    /// - Throws: when nothing was downloaded, or any stage's error (the installation is then as before).
    @discardableResult
    public func applyUpdate() async throws -> SemanticVersion {
        guard let verified = verifiedArtifact else {
            throw SelectionError(.unknownVersion, "nothing to apply: call downloadUpdate() first")
        }
        let lock = try Lock.acquire(in: StateDirectory(configuration: configuration))
        defer { lock.release() }
        try recoverInterruptedUpdate()
        let current = try currentVersion()
        let target = verified.downloaded.artifact.release.version
        try await recordingOutcome(from: current, to: target) {
            try await apply(verified, from: current)
        }
        pruneBackups()
        verifiedArtifact = nil
        return target
    }

    /// Runs `body` and records its outcome as `last_update` (succeeded, failed or rolled_back).
    private func recordingOutcome(from current: SemanticVersion, to target: SemanticVersion, _ body: () async throws -> Void) async throws {
        let started = Date()
        func status(_ result: UpdateStatus.Result, _ error: (any Error)?) -> UpdateStatus {
            UpdateStatus(fromVersion: current.description, toVersion: target.description, result: result,
                         startedAt: started, finishedAt: Date(), error: error?.localizedMessage)
        }
        do {
            try await body()
        } catch let held as InstallHeldError {
            throw held   // nothing was attempted: last_update stays as it was
        } catch let failure as UpdateFailure {
            record(status(failure.rolledBack ? .rolledBack : .failed, failure.error))
            throw failure.error
        } catch {
            record(status(.failed, error))
            throw error
        }
        record(status(.succeeded, nil))
    }

    /// Runs `pre_update`, stages, swaps and probes a verified artifact; commits or rolls back.
    private func apply(_ verified: VerifiedArtifact, from current: SemanticVersion) async throws {
        let release = verified.downloaded.artifact.release
        let hooks = HookRunner(configuration: configuration, logger: logger)
        // A stop (SIGTERM, `stop()`) that arrives before the swap ends the update here, unchanged.
        try Task.checkCancellation()
        if let command = configuration.preUpdate {
            try await hooks.run(.preUpdate, command: command, from: current, to: release.version, timeout: .seconds(configuration.healthCheckTimeout))
        }
        try Task.checkCancellation()
        let staged = try stage(verified, version: release.version)
        defer { try? FileManager.default.removeItem(atPath: staged.container) }
        await checkpoint?(.staged)
        try Task.checkCancellation()
        let installer = makeInstaller(configuration: configuration, logger: logger)
        let transaction = try installer.install(StagedTree(root: staged.root, version: release.version))
        appendToLog("applied \(current) -> \(release.version), transaction \(transaction.id)")
        await checkpoint?(.swapped)
        // From here on the transaction must finish or roll back, even if the caller is cancelled
        // (SIGTERM): a detached task does not inherit the cancellation.
        try await Task.detached { [self] in
            try await self.finish(transaction, installer: installer, hooks: hooks, release: release, from: current, download: verified.downloaded.path)
        }.value
    }

    /// Probes the swapped-in version; commits it, or rolls back and restarts the old one.
    private func finish(_ transaction: Transaction, installer: any Installer, hooks: HookRunner, release: Release,
                        from current: SemanticVersion, download: String) async throws {
        do {
            try await probe(hooks, from: current, to: release.version)
        } catch {
            logger.error("new version unhealthy; rolling back", metadata: ["ota.error": "\(error.localizedMessage)"])
            do {
                try installer.rollback(transaction)
            } catch let rollbackError {
                throw UpdateFailure(error: rollbackError, rolledBack: false)
            }
            appendToLog("rolled back \(release.version) -> \(current): \(error.localizedMessage)")
            if let restart = configuration.restartCommand {
                try? await hooks.run(.restart, command: restart, from: release.version, to: current, timeout: .seconds(configuration.healthCheckTimeout))
            }
            throw UpdateFailure(error: error, rolledBack: true)
        }
        // Old backups are pruned once the outcome is recorded (``pruneBackups()``).
        if let deferring = installer as? any DeferredPruning {
            try deferring.commit(transaction, pruning: false)
        } else {
            try installer.commit(transaction)
        }
        try? FileManager.default.removeItem(atPath: download)
        appendToLog("committed \(release.version)")
    }

    /// Removes the backups beyond `max_backups` after a committed update whose outcome is recorded.
    private func pruneBackups() {
        (makeInstaller(configuration: configuration, logger: logger) as? any DeferredPruning)?.pruneBackups()
    }

    /// `post_update`, `restart_command`, then `health_check`: any failure means the new version is not healthy.
    private func probe(_ hooks: HookRunner, from: SemanticVersion, to: SemanticVersion) async throws {
        let timeout = Duration.seconds(configuration.healthCheckTimeout)
        if let command = configuration.postUpdate { try await hooks.run(.postUpdate, command: command, from: from, to: to, timeout: timeout) }
        if let command = configuration.restartCommand { try await hooks.run(.restart, command: command, from: from, to: to, timeout: timeout) }
        if let command = configuration.healthCheck { try await hooks.run(.healthCheck, command: command, from: from, to: to, timeout: timeout) }
    }

    /// Extracts a verified artifact into a fresh folder under `state_dir/staging`.
    private func stage(_ verified: VerifiedArtifact, version: SemanticVersion) throws -> (container: String, root: String) {
        let stagingRoot = StateDirectory(configuration: configuration).stagingPath
        try FileManager.default.createDirectory(atPath: stagingRoot, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let container = stagingRoot + "/\(version)-\(UUID().uuidString.prefix(8))"
        // What is extracted is what was verified: one open file, checked against the verified SHA-256, then extracted.
        let archive = try PinnedFile(opening: verified.downloaded.path)
        let digest = try archive.sha256()
        guard digest == verified.downloaded.sha256.lowercased() else {
            throw VerificationError(.digestMismatch, "\(verified.downloaded.path) changed after it was verified (SHA-256 \(digest), verified \(verified.downloaded.sha256)); nothing was installed: run the update again")
        }
        let result = try Extractor(policy: ExtractionPolicy(configuration: configuration)).extract(archiveAt: archive.path, into: container)
        logger.info("extracted", metadata: ["ota.entries": "\(result.entryCount)", "ota.bytes": "\(result.byteCount)"])
        return (container, result.root)
    }

    /// Runs crash recovery unless another process holds the lock (it is updating right now).
    ///
    /// Every `ota` command calls this first; ``update(to:force:dryRun:whenHeld:progress:)`` and
    /// ``rollback(to:)`` recover under their own lock.
    /// An untrusted `state_dir` or `backup_path` is an error; a user other than `state_dir`'s owner never recovers.
    @discardableResult
    public func recoverIfIdle() throws -> Journal.Recovery? {
        let directory = StateDirectory(configuration: configuration)
        try directory.checkTrust()
        guard directory.owner == nil || directory.isOwnedByRunningUser else { return nil }
        let lock: Lock
        do {
            lock = try Lock.acquire(in: directory)
        } catch {
            if error.code == .locked { return nil }
            throw error
        }
        defer { lock.release() }
        return try recoverInterruptedUpdate()
    }

    /// Rolls back an update a crash interrupted. The caller holds the lock.
    @discardableResult
    func recoverInterruptedUpdate() throws -> Journal.Recovery {
        let recovery = try Journal(configuration: configuration).recoverIfNeeded(logger: logger)
        if case .rolledBack(let transaction) = recovery {
            appendToLog("recovered: rolled back interrupted update \(transaction.fromVersion) -> \(transaction.toVersion)")
            record(UpdateStatus(fromVersion: transaction.fromVersion.description, toVersion: transaction.toVersion.description,
                                result: .rolledBack, startedAt: transaction.startedAt, finishedAt: Date(),
                                error: "the update was interrupted (crash or power loss) and was rolled back"),
                   installed: transaction.fromVersion)
        }
        return recovery
    }

    /// Records `status` as `last_update`; `installed` is the version now in place when a rollback restored one.
    func record(_ status: UpdateStatus, installed: SemanticVersion? = nil) {
        do {
            _ = try StateStore(stateDirectory: configuration.stateDirectory, logger: logger).update { state in
                state.lastUpdate = status
                if let installed { state.currentVersion = installed.description }
                if status.result == .succeeded {
                    state.currentVersion = status.toVersion
                    state.highestInstalledVersion = SemanticVersion.highest(state.highestInstalledVersion, status.toVersion, status.fromVersion)
                }
            }
        } catch {
            logger.warning("cannot record the update in state.json", metadata: ["ota.error": "\(error.message)"])
        }
    }

    func appendToLog(_ line: String) {
        try? UpdateLog(directory: StateDirectory(configuration: configuration)).append(line)
    }
}

/// An update error, with whether the swap had happened and was undone.
struct UpdateFailure: Error {
    let error: any Error
    let rolledBack: Bool
}

extension Error {
    /// The user-facing sentence of any error.
    var localizedMessage: String {
        if self is CancellationError || (self as? TransferError)?.underlying is CancellationError {
            return "stopped before the swap (the agent or program was shutting down); nothing was changed"
        }
        return (self as? any OTAError)?.message ?? "\(self)"
    }
}
