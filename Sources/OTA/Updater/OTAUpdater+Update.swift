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
        let lock = try Lock.acquire(in: pipeline.directory)
        defer { lock.release() }
        try pipeline.recover()
        let current = try currentVersion()
        let release: Release
        if let version {
            release = try await pipeline.release(exactly: version, current: current, force: force)
        } else {
            guard let available = try await check().availableRelease else { return .upToDate(current) }
            release = available
        }
        if dryRun {
            return .planned(from: current, release: release, artifact: try pipeline.source.artifact(for: release))
        }
        try await pipeline.recordingOutcome(from: current, to: release.version) { [pipeline, checkpoint, configuration, logger] in
            let delivery = try await pipeline.deliver(release, progress: progress)
            do {
                try await InstallGate(configuration: configuration, policy: whenHeld, logger: logger).admit(release.version, force: force)
            } catch {
                delivery.discard()
                throw error
            }
            return try await pipeline.install(delivery, from: current, checkpoint: checkpoint)
        }
        pipeline.installer.pruneBackups()
        return .updated(from: current, to: release.version)
    }

    /// Installs an artifact ``downloadUpdate(_:progress:)`` verified: `pre_update`, stage, back up, swap,
    /// probe, and commit — or roll back by itself (the step-by-step flow of the original design).
    ///
    /// The file is checked again against the SHA-256 it was verified with, through the same open file
    /// that is extracted: a file replaced or removed since is refused and nothing is installed.
    /// - Returns: the installed version.
    /// - Throws: any stage's error (the installation is then as before).
    @discardableResult
    public func applyUpdate(_ verified: VerifiedArtifact) async throws -> SemanticVersion {
        let lock = try Lock.acquire(in: pipeline.directory)
        defer { lock.release() }
        try pipeline.recover()
        let current = try currentVersion()
        let target = verified.downloaded.artifact.release.version
        try await pipeline.recordingOutcome(from: current, to: target) { [pipeline, checkpoint] in
            try await pipeline.install(verified, from: current, checkpoint: checkpoint)
        }
        pipeline.installer.pruneBackups()
        return target
    }

    /// Runs crash recovery unless another process holds the lock (it is updating right now).
    ///
    /// Every `ota` command calls this first; ``update(to:force:dryRun:whenHeld:progress:)`` and
    /// ``rollback(to:)`` recover under their own lock.
    /// An untrusted `state_dir` or `backup_path` is an error; a user other than `state_dir`'s owner never recovers.
    @discardableResult
    package func recoverIfIdle() throws -> Journal.Recovery? {
        let directory = pipeline.directory
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
        return try pipeline.recover()
    }
}
