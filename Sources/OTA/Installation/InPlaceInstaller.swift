#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging

/// The `in_place` layout: each managed path of `install_dir` is swapped with the staged one by rename.
///
/// Per managed path (the version file is always managed, and goes last):
/// - in both trees: one `renameat2(RENAME_EXCHANGE)` step (the old tree ends up in the staged
///   folder), or — when the kernel or filesystem lacks it (ENOSYS/EINVAL) — two renames through a
///   holding folder;
/// - only in the old tree: moved to the holding folder (removed by the update);
/// - only in the new tree: missing parent folders created, then moved in (created by the update).
///
/// Before the first step the preserved paths are copied from the old tree into the staged one,
/// `VERSION` is written into it if missing, and the staging filesystem is flushed with one `syncfs`;
/// after each rename the two parent folders are fsync'd.
///
/// Backup (``BackupStore``): when a rename reaches `backup_path` from staging, each old path is
/// *moved* into the backup's partial folder by one more journaled step right after it is swapped out
/// (instead of into the holding folder); the commit hashes it into `backup.json` and gives it its final
/// name, and has no old tree to remove; a rollback moves everything back. Otherwise the backup is
/// copied before the first step.
public struct InPlaceInstaller: Installer {
    /// `install_dir`, `version_file`, `managed_paths`, `preserve_paths`, `state_dir` and the backup keys.
    public let installation: OTAConfiguration.Installation
    /// The device's own files (absolute), never taken from a release: see ``OTAConfiguration/deviceFiles``.
    public let deviceFiles: [String]
    let logger: Logger
    /// Whether to swap with `renameat2(RENAME_EXCHANGE)` when a probe shows the filesystem supports it
    /// (default); `false` forces the fallback of two journaled renames through a holding folder.
    public var usesRenameExchange = true

    public init(installation: OTAConfiguration.Installation, deviceFiles: [String] = [], logger: Logger = Logger(label: "ota.install")) {
        self.installation = installation
        self.deviceFiles = deviceFiles
        self.logger = logger
    }

    var installDirectory: String { installation.installDirectory }
    var journal: Journal { Journal(installation: installation) }
    var backupStore: BackupStore { BackupStore(installation: installation) }

    /// The managed paths, validated, without duplicates or nesting, the version file last.
    func managedPaths() throws(InstallationError) -> [String] {
        let versionFile = try InstallationSupport.relative(installation.versionFile, key: "version_file")
        var paths: [String] = []
        for path in installation.managedPaths {
            let clean = try InstallationSupport.relative(path, key: "managed_paths")
            if clean != versionFile, !paths.contains(clean) { paths.append(clean) }
        }
        for path in paths + [versionFile] {
            if let other = (paths + [versionFile]).first(where: { $0 != path && InstallationSupport.isInside(path, $0) }) {
                throw InstallationError(.invalidPath, "managed_paths entry '\(path)' lies inside '\(other)'; list only one of them")
            }
        }
        return paths + [versionFile]
    }

    public func currentVersion() throws(InstallationError) -> SemanticVersion {
        do { return try VersionManager(versionFile: installation.versionFilePath, logger: logger).currentVersion() } catch {
            throw InstallationError(.versionUnreadable, error.message)
        }
    }

    public func install(_ staged: StagedTree) throws(InstallationError) -> Transaction {
        try install(staged, makingBackup: installation.backupEnabled)
    }

    func install(_ staged: StagedTree, makingBackup: Bool) throws(InstallationError) -> Transaction {
        let staged = InstallationSupport.normalized(staged)
        let managed = try managedPaths()
        let fromVersion = try currentVersion()
        try InstallationSupport.prepare(staged, installDirectory: installDirectory, versionFile: managed.last!)
        let preserved = try InstallationSupport.preservedPaths(installation.preservePaths, deviceFiles: deviceFiles, roots: [installDirectory])
            .filter { path in managed.contains { InstallationSupport.isInside(path, $0) } }
        try InstallationSupport.carryOver(preserved, from: installDirectory, into: staged.root,
                                          deviceOnly: InstallationSupport.deviceFiles(deviceFiles, roots: [installDirectory]))
        let id = Transaction.makeID()
        let holding = try InstallationSupport.makeHolding(for: staged, id: id, flush: false)
        // The staged tree is flushed to disk while the backup folder is prepared (or, elsewhere, copied).
        let flush = InstallationSupport.Flush(staged.root)
        var backup: Backup?
        var pending: BackupStore.PendingBackup?
        do {
            if makingBackup, managed.contains(where: { FileSystem.exists(installDirectory + "/" + $0) }) {
                pending = try backupStore.beginMove(version: fromVersion, installDirectory: installDirectory, paths: managed, from: holding)
                if pending == nil { backup = try backupStore.create(version: fromVersion, installDirectory: installDirectory, paths: managed) }
            }
            try flush.wait()
        } catch {
            try? flush.wait()
            for path in [holding, pending?.partial, backup?.path].compactMap({ $0 }) { try? FileSystem.removeTree(path) }
            throw error
        }
        let steps = plan(managed, staged: staged.root, holding: holding, backup: pending?.partial,
                         exchange: usesRenameExchange && Self.exchangeWorks(in: holding))
        var transaction = Transaction(id: id, fromVersion: fromVersion, toVersion: staged.version, layout: "in_place", steps: steps,
                                      removeOnCommit: [staged.root, holding],
                                      removeOnRollback: [staged.root, holding] + [backup?.path, pending?.partial].compactMap { $0 },
                                      backupPath: backup?.path ?? pending?.backup.path, backupPartial: pending?.partial)
        logger.info("swapping managed paths", metadata: ["ota.transaction": "\(id)", "ota.steps": "\(steps.count)",
                                                         "ota.from_version": "\(fromVersion)", "ota.to_version": "\(staged.version)"])
        try journal.run(&transaction)
        return transaction
    }

    /// The steps that turn the old managed paths into the staged ones.
    ///
    /// With `backup` (the partial folder of a ``BackupStore/PendingBackup``), every old path is moved
    /// into it at `backup/<path>` right after it is swapped out, instead of into the holding folder.
    func plan(_ managed: [String], staged: String, holding: String, backup: String? = nil, exchange: Bool) -> [JournalStep.Action] {
        var steps: [JournalStep.Action] = []
        for (index, path) in managed.enumerated() {
            let old = installDirectory + "/" + path, new = staged + "/" + path
            let aside = backup.map { $0 + "/" + path } ?? holding + "/\(index)"
            switch (FileIdentity.of(old), FileIdentity.of(new)) {
            case let (oldID?, newID?):
                if exchange {
                    steps.append(.exchange(path: old, other: new, identity: oldID))
                    if backup != nil { steps.append(.moveOn(from: new, to: aside, identity: oldID, origin: old)) }
                } else {
                    steps.append(.move(from: old, to: aside, identity: oldID))
                    steps.append(.move(from: new, to: old, identity: newID))
                }
            case let (oldID?, nil):
                steps.append(.move(from: old, to: aside, identity: oldID))
            case let (nil, newID?):
                var missing: [String] = []
                var parent = FileSystem.parent(old)
                while parent.count > installDirectory.count, !FileSystem.exists(parent) {
                    missing.insert(parent, at: 0)
                    parent = FileSystem.parent(parent)
                }
                steps += missing.map { .makeDirectory(path: $0) }
                steps.append(.move(from: new, to: old, identity: newID))
            case (nil, nil):
                break
            }
        }
        return steps
    }

    public func commit(_ transaction: Transaction) throws(InstallationError) {
        var current = try journal.inProgress(transaction)
        try journal.commit(&current)
        if current.backupPartial != nil, let path = current.backupPath, !FileSystem.exists(path) {
            logger.warning("the update is committed but its backup could not be completed", metadata: ["ota.backup": "\(path)"])
        }
    }

    public func pruneBackups() {
        do { try backupStore.prune() } catch {
            logger.warning("the update is committed but old backups could not be pruned", metadata: ["ota.error": "\(error.message)"])
        }
    }

    public func rollback(_ transaction: Transaction) throws(InstallationError) {
        try journal.rollBack(try journal.inProgress(transaction))
    }

    public func backups() throws(InstallationError) -> [Backup] {
        try backupStore.list()
    }

    /// Verifies `backup`, copies it into `state_dir/staging/` and swaps it in (no new backup is made).
    ///
    /// Only a backup the agent recorded is restored; setuid, setgid and sticky bits are dropped from the copy.
    public func restore(backup: Backup) throws(InstallationError) -> Transaction {
        try backupStore.verify(backup)
        let root = StateDirectory(installation: installation).stagingPath(for: "restore-\(backup.name)")
        do throws(SystemError) {
            try FileSystem.makeDirectories(root, mode: 0o700)
            for name in try FileSystem.names(in: backup.path) where name != BackupManifest.fileName {
                try FileSystem.copyTree(backup.path + "/" + name, to: root + "/" + name, modeMask: 0o777)
            }
            guard chmod(root, 0o755) == 0 else { throw SystemError.last("chmod \(root)") }
        } catch {
            try? FileSystem.removeTree(root)
            throw InstallationError(.backupFailed, "cannot stage backup \(backup.name) for restoring: \(error.message); nothing was changed", underlying: error)
        }
        do {
            return try install(StagedTree(root: root, version: backup.version), makingBackup: false)
        } catch {
            try? FileSystem.removeTree(root)
            throw error
        }
    }

    /// Whether `renameat2(RENAME_EXCHANGE)` works on the filesystem of `directory`.
    static func exchangeWorks(in directory: String) -> Bool {
        let a = directory + "/.exchange-probe-a", b = directory + "/.exchange-probe-b"
        defer { unlink(a); unlink(b) }
        for path in [a, b] {
            let fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
            guard fd >= 0 else { return false }
            close(fd)
        }
        return (try? FileSystem.exchange(a, b)) != nil
    }
}
