import Foundation

/// A point in an update where ``OTAUpdater``'s checkpoint is awaited (tests pause there).
enum UpdateCheckpoint: Sendable {
    /// The release is extracted into the staging folder; the swap has not begun.
    case staged
    /// The swap is done; the health check and the commit (or rollback) come next.
    case swapped
}

/// How a swapped-in release ended.
enum SwapOutcome: Sendable {
    /// Healthy and committed.
    case committed
    /// Unhealthy (`cause`), and the old version is back.
    case rolledBack(cause: any Error)
}

extension UpdatePipeline {
    typealias Checkpoint = @Sendable (UpdateCheckpoint) async -> Void

    /// Runs `body` (the install of `target`) and records its outcome as `last_update`: succeeded,
    /// failed, or rolled_back with the cause.
    func recordingOutcome(from current: SemanticVersion, to target: SemanticVersion, started: Date = Date(),
                          _ body: () async throws -> SwapOutcome) async throws {
        let outcome = try await recordingFailure(from: current, to: target, started: started, body)
        switch outcome {
        case .committed:
            record(.succeeded, from: current, to: target, started: started, error: nil)
        case .rolledBack(let cause):
            record(.rolledBack, from: current, to: target, started: started, error: cause)
            throw cause
        }
    }

    /// Runs `body` (a step of the update of `target`, such as its download); when it fails, records
    /// that as `last_update`.
    func recordingFailure<T>(from current: SemanticVersion, to target: SemanticVersion, started: Date,
                             _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            record(.failed, from: current, to: target, started: started, error: error)
            throw error
        }
    }

    private func record(_ result: UpdateStatus.Result, from current: SemanticVersion, to target: SemanticVersion, started: Date, error: (any Error)?) {
        activity.attemptFinished(result)
        records.record(UpdateStatus(fromVersion: current.description, toVersion: target.description, result: result,
                                    startedAt: started, finishedAt: Date(), error: error?.localizedMessage))
    }

    /// Runs `pre_update`, stages, swaps and probes a verified artifact; commits or rolls back.
    /// The caller holds the lock and has run ``recover()``.
    func install(_ verified: VerifiedArtifact, from current: SemanticVersion, checkpoint: Checkpoint?) async throws -> SwapOutcome {
        try await install(.archive(verified), from: current, checkpoint: checkpoint)
    }

    /// Runs `pre_update`, stages (extracts an archive; a delta is staged already), swaps and probes; commits or rolls back.
    func install(_ delivery: ReleaseDelivery, from current: SemanticVersion, checkpoint: Checkpoint?) async throws -> SwapOutcome {
        defer { delivery.discard() }
        let release = delivery.release
        // A stop (SIGTERM, a cancelled task) that arrives before the swap ends the update here, unchanged.
        try Task.checkCancellation()
        activity.enter(.installing, version: release.version)
        try await hooks.run(.preUpdate, from: current, to: release.version)
        try Task.checkCancellation()
        let staged: (container: String, root: String, record: FolderRecord?)
        switch delivery {
        case .archive(let verified): staged = try stage(verified, version: release.version)
        case .delta(let delta): staged = (delta.container, delta.root, delta.kept.map { FolderRecord(kept: $0, index: delta.index) })
        }
        defer { try? FileManager.default.removeItem(atPath: staged.container) }
        await checkpoint?(.staged)
        try Task.checkCancellation()
        let transaction = try installer.install(StagedTree(root: staged.root, version: release.version))
        records.log("applied \(current) -> \(release.version), transaction \(transaction.id)")
        await checkpoint?(.swapped)
        // From here on the transaction must finish or roll back, even if the caller is cancelled
        // (SIGTERM): a detached task does not inherit the cancellation.
        return try await Task.detached { [self] in
            try await self.finish(transaction, delivery: delivery, record: staged.record, from: current)
        }.value
    }

    /// Probes the swapped-in version; commits it, or rolls back and restarts the old one.
    /// - Throws: only when the rollback itself fails.
    private func finish(_ transaction: Transaction, delivery: ReleaseDelivery, record: FolderRecord?, from current: SemanticVersion) async throws -> SwapOutcome {
        let release = delivery.release
        do {
            try await probe(from: current, to: release.version)
        } catch {
            logger.error("new version unhealthy; rolling back", metadata: ["ota.error": "\(error.localizedMessage)"])
            activity.enter(.rollingBack, version: current, message: error.localizedMessage)
            activity.rolledBack(UpdateActivity.RollbackReason(failedHook: (error as? HookError)?.hook))
            try installer.rollback(transaction)
            records.log("rolled back \(release.version) -> \(current): \(error.localizedMessage)")
            try? await hooks.run(.restart, from: release.version, to: current)
            return .rolledBack(cause: error)
        }
        try commit(transaction, record: record, version: release.version)
        if let download = delivery.downloadPath { try? FileManager.default.removeItem(atPath: download) }
        records.log("committed \(release.version)")
        return .committed
    }

    /// Commits. For a release folder with a record (`releases` layout: staged by delta, or extracted with `delta`
    /// on), also prunes the old releases now, and times the record anew around the removals, which set the
    /// `ctime` of the files they share with the new release folder (``KeptIndexes/reseal(_:index:folder:around:)``);
    /// then removes the records of the releases pruned (but those a kept record is made from).
    private func commit(_ transaction: Transaction, record: FolderRecord?, version: SemanticVersion) throws {
        guard layout == .releases, let record else { return try installer.commit(transaction) }
        var failure: (any Error)?
        KeptIndexes(directory: directory).reseal(record.kept, index: record.index, folder: installDirectory + "/releases/" + version.description) {
            do {
                try installer.commit(transaction)
                installer.pruneBackups()
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        KeptIndexes(directory: directory).prune(keeping: heldVersions())
    }

    /// `post_update`, `restart_command`, then `health_check`: any failure means the new version is not healthy.
    private func probe(from: SemanticVersion, to: SemanticVersion) async throws {
        for hook in [HookRunner.Hook.postUpdate, .restart] { try await hooks.run(hook, from: from, to: to) }
        if hooks.hooks.command(for: .healthCheck) != nil { activity.enter(.healthCheck, version: to) }
        try await hooks.run(.healthCheck, from: from, to: to)
    }

    /// Extracts a verified artifact into a fresh folder under `state_dir/staging`.
    private func stage(_ verified: VerifiedArtifact, version: SemanticVersion) throws -> (container: String, root: String, record: FolderRecord?) {
        let stagingRoot = directory.stagingPath
        try FileManager.default.createDirectory(atPath: stagingRoot, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let container = directory.stagingPath(for: "\(version)")
        // What is extracted is what was verified: one open file, checked against the verified SHA-256, then extracted.
        let archive: PinnedFile
        do {
            archive = try PinnedFile(opening: verified.downloaded.path)
        } catch {
            throw VerificationError(.digestMismatch, "the verified download \(verified.downloaded.path) cannot be opened (\(error.message)); nothing was installed: download the update again")
        }
        let digest = try archive.sha256()
        guard digest == verified.downloaded.sha256.lowercased() else {
            throw VerificationError(.digestMismatch, "\(verified.downloaded.path) changed after it was verified (SHA-256 \(digest), verified \(verified.downloaded.sha256)); nothing was installed: run the update again")
        }
        let result = try Extractor(policy: extraction).extract(archiveAt: archive.path, into: container)
        logger.info("extracted", metadata: ["ota.entries": "\(result.entryCount)", "ota.bytes": "\(result.byteCount)"])
        return (container, result.root, keepHashedRecord(of: result.root, version: version))
    }
}
