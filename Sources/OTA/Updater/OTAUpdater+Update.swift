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
    /// Holds the `state_dir` lock and runs crash recovery first. An install that waits at the
    /// ``InstallGate`` lets go of the lock meanwhile (so `ota update --force` and `ota rollback` can run),
    /// then takes it back and looks at the installed version again: when another update installed this
    /// release or a newer one meanwhile, it installs nothing and returns ``UpdateOutcome/upToDate(_:)``.
    /// Cancelling the calling task before the swap ends the update with `CancellationError`, nothing
    /// changed; once the swap has begun, the transaction finishes (commit or rollback) whatever happens to the caller.
    /// - Parameters:
    ///   - version: install exactly this version (`ota update --version V`) instead of the newest; the
    ///     installed version is ``UpdateOutcome/upToDate(_:)`` without a request, unless `force` or
    ///     `allow_downgrade` (a reinstall).
    ///   - force: allow `version` to be older than or equal to the installed one.
    ///   - dryRun: only report what would be installed; download nothing, change nothing. Refused as the real
    ///     update would be when nothing could prove the release (no key and no `allow_unsigned`).
    ///   - whenHeld: what to do when an inhibit, the application lock or `maintenance_window` holds the
    ///     install back after the download: refuse (``InstallHeldError``, the default) or wait (the agent).
    ///     `force` installs regardless.
    ///   - progress: called as the download advances (bytes on disk, and the total when known).
    /// - Throws: any stage's error; the installation is then exactly as before, and `state.json`'s
    ///   `last_update` says `failed` or `rolled_back` with the error.
    public func update(to version: SemanticVersion? = nil, force: Bool = false, dryRun: Bool = false,
                       whenHeld: InstallGate.Policy = .refuse, progress: (@Sendable (Downloader.Progress) -> Void)? = nil) async throws -> UpdateOutcome {
        try await activity.during {
            let lock = try Lock.acquire(in: pipeline.directory)
            defer { lock.release() }
            try pipeline.recover()
            var current = try currentVersion()
            let release: Release
            if let version {
                // The version asked for is the one installed: nothing to do (a reinstall needs `force` or `allow_downgrade`).
                try pipeline.requirePinAllows(version)
                if version == current && !force && !pipeline.selector.allowDowngrade { return .upToDate(current) }
                release = try await pipeline.release(exactly: version, current: current, force: force)
            } else {
                guard let available = try await check().availableRelease else { return .upToDate(current) }
                release = available
            }
            if dryRun {
                let artifact = try pipeline.source.artifact(for: release)
                try pipeline.source.requireProofPossible()
                return .planned(from: current, release: release, artifact: artifact)
            }
            let started = Date()
            let delivery = try await pipeline.recordingFailure(from: current, to: release.version, started: started) { [pipeline] in
                try await pipeline.deliver(release, progress: progress)
            }
            do {
                try await admitInstall(of: release.version, force: force, policy: whenHeld, lock: lock)
            } catch {
                // A downloaded archive is kept for the next attempt; a tree staged from a delta is not.
                delivery.discard()
                throw error
            }
            let installed = try currentVersion()
            if installed != current {
                // Another update ran while this one waited.
                guard installed < release.version else {
                    delivery.discard()
                    if let path = delivery.downloadPath { try? FileManager.default.removeItem(atPath: path) }
                    logger.info("installed meanwhile by another update", metadata: ["ota.release.version": "\(release.version)", "ota.current": "\(installed)"])
                    return .upToDate(installed)
                }
                current = installed
            }
            try await pipeline.recordingOutcome(from: current, to: release.version, started: started) { [pipeline, checkpoint, current] in
                try await pipeline.install(delivery, from: current, checkpoint: checkpoint)
            }
            pipeline.installer.pruneBackups()
            return .updated(from: current, to: release.version)
        }
    }

    /// Returns when the install of `version` may start, holding `lock` (see ``InstallGate``). While it
    /// waits, the lock is let go and the state is `idle`, saying what the install waits for.
    private func admitInstall(of version: SemanticVersion, force: Bool, policy: InstallGate.Policy, lock: Lock) async throws {
        let gate = InstallGate(directory: pipeline.directory, schedule: pipeline.maintenance, policy: policy, logger: logger)
        try await gate.admit(version, force: force, whileHeld: { [activity] holds in
            lock.release()
            activity.enter(.idle, version: version, message: "waiting to install \(version): " + holds.map(\.summary).joined(separator: "; "))
        }, afterWaiting: { [pipeline, activity] in
            var reported = false
            while true {
                do {
                    try lock.retake()
                    break
                } catch let error as StateError where error.code == .locked {
                    if !reported {
                        let text = "waiting to install \(version): \(error.message)"
                        policy.report(text)
                        activity.enter(.idle, version: version, message: text)
                        reported = true
                    }
                    try await policy.sleep(policy.recheckInterval)
                }
            }
            try pipeline.recover()
        })
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
        try await activity.during {
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
    }

    /// Runs crash recovery unless another process holds the lock (it is updating right now).
    ///
    /// Every `ota` command calls this first, except those whose first call is
    /// ``update(to:force:dryRun:whenHeld:progress:)`` or ``rollback(to:)``: they recover under their own lock.
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
