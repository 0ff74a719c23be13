import Foundation

extension OTAUpdater {
    /// The agent's state: versions, the last check and update, backups, and any pending recovery.
    ///
    /// Reads `state.json`, the `VERSION` file, the backups and the journal; sends no request.
    public func status() -> OTAStatus {
        let state = pipeline.records.store.load()
        let current = (try? currentVersion())?.description ?? state.currentVersion ?? "unknown"
        let latest = lastCheck?.latestRelease?.version.description ?? state.latestVersion
        let pinned = try? pipeline.pinnedVersion()
        let updateAvailable: Bool
        if let lastCheck, lastCheck.current.description == current {
            // The check's own verdict: it knows about yanks and pins, where "older" can still be an update.
            updateAvailable = lastCheck.availableRelease != nil
        } else if let latest, let latestVersion = SemanticVersion(latest), let currentVersion = SemanticVersion(current) {
            updateAvailable = pinned.map { latestVersion == $0 && currentVersion != $0 } ?? (latestVersion > currentVersion)
        } else {
            updateAvailable = false
        }
        let backups = ((try? pipeline.installer.backups()) ?? []).map {
            OTAStatus.BackupInfo(name: $0.name, version: $0.version.description, createdAt: $0.createdAt, path: $0.path)
        }
        let pending = (try? pipeline.journal.load()).flatMap { $0 }
            .map { "\($0.fromVersion) -> \($0.toVersion) (transaction \($0.id))" }
        let inhibited = (try? InhibitStore(directory: pipeline.directory).active(at: Date(), prune: false)) ?? []
        return OTAStatus(currentVersion: current, latestVersion: latest, updateAvailable: updateAvailable,
                         lastCheck: state.lastCheck, lastCheckError: state.lastCheckError, lastUpdate: state.lastUpdate,
                         autoUpdate: configuration.schedule.autoUpdate, checkInterval: Int(configuration.schedule.checkInterval.components.seconds),
                         githubRepo: configuration.source.githubRepo, backups: backups, pendingRecovery: pending,
                         verification: OTAStatus.Verification(source: configuration.source), source: configuration.source.kind.rawValue,
                         product: configuration.source.kind == .tuf ? configuration.source.productName : nil,
                         channel: configuration.source.kind == .tuf ? configuration.source.channel : nil,
                         pinnedVersion: pinned?.description, inhibited: inhibited)
    }

    /// The release `ota pin` would hold the device at: `version`, checked against the source now (a TUF
    /// refresh, or the release list) to be published for this device with a file for it — wherever its
    /// rollout, channel, a halt or a yank stand, as a pin installs it.
    /// - Throws: ``SelectionError`` (its message starts with the version, and names the platform it is
    ///   published for when that is another) when it is not; ``TransferError`` when the source cannot be reached.
    public func pinnableRelease(_ version: SemanticVersion) async throws -> Release {
        try await pipeline.pinnableRelease(version)
    }

    /// The backups a rollback can return to, newest first.
    public func backups() throws -> [Backup] {
        try pipeline.installer.backups()
    }

    /// The backup called `name` (as ``backups()`` and `ota backups` list them).
    public func backup(named name: String) throws -> Backup {
        guard let backup = try backups().first(where: { $0.name == name }) else {
            throw InstallationError(.backupNotFound, "there is no backup named \(name) in \(pipeline.directory.backupPath); `ota backups` lists them")
        }
        return backup
    }

    /// Makes a backup of the managed paths now (the step-by-step flow of the original design).
    ///
    /// ``update(to:force:dryRun:whenHeld:progress:)`` and ``applyUpdate(_:)`` also back up by themselves when
    /// `backup_enabled`; a backup made here is an extra one, pruned with the others to `max_backups`.
    public func createBackup() throws -> Backup {
        let lock = try Lock.acquire(in: pipeline.directory)
        defer { lock.release() }
        let installation = configuration.installation
        return try BackupStore(installation: installation).create(version: try currentVersion(), installDirectory: installation.installDirectory,
                                                                   paths: installation.managedPaths)
    }

    /// Restores `backup` (default: the newest), verified against its `backup.json` first, then runs
    /// `restart_command`. Returns the restored version.
    @discardableResult
    public func rollback(to backup: Backup? = nil) async throws -> SemanticVersion {
        try await activity.during {
            let lock = try Lock.acquire(in: pipeline.directory)
            defer { lock.release() }
            try pipeline.recover()
            let installer = pipeline.installer
            guard let chosen = try backup ?? installer.backups().first else {
                throw InstallationError(.backupNotFound, "there is no backup to roll back to in \(pipeline.directory.backupPath)")
            }
            let current = try currentVersion()
            let started = Date()
            activity.enter(.rollingBack, version: chosen.version)
            let transaction = try installer.restore(backup: chosen)
            try installer.commit(transaction)
            activity.rolledBack(.manual)
            pipeline.records.log("rolled back \(current) -> \(chosen.version) from \(chosen.name)")
            pipeline.records.record(UpdateStatus(fromVersion: current.description, toVersion: chosen.version.description, result: .rolledBack,
                                                 startedAt: started, finishedAt: Date(), error: nil), installed: chosen.version)
            installer.pruneBackups()
            try await pipeline.hooks.run(.restart, from: current, to: chosen.version)
            return chosen.version
        }
    }
}
