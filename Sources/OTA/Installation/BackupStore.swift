#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The backups of an `in_place` installation under `backup_path`.
///
/// Each backup is `backup_{version}_{YYYYMMDD_HHMMSS}` (UTC; `_2`, `_3`… when several land in
/// one second), mode 0700, holding the managed paths and a ``BackupManifest`` (`backup.json`).
/// It is assembled as `.{name}.partial` and renamed when complete, so a crash or a full disk
/// never leaves a backup that looks whole.
///
/// - Important: An update on the installation's filesystem does not copy anything: the
///   ``InPlaceInstaller``'s journaled transaction **moves** each swapped-out old path into the partial
///   folder (`beginMove(version:installDirectory:paths:from:)`); a rollback (or crash recovery) moves
///   everything back. At commit, after the new version was restarted and found healthy, the backup is
///   hashed into `backup.json` and renamed to its final name (`seal(_:as:)`, redone by recovery after
///   a crash). The backup holds the very inodes that were installed, so there is nothing to remove at
///   commit, and whatever the old version wrote into its tree until it was stopped is described too.
///   ``create(version:installDirectory:paths:)`` (on another filesystem or mount, and
///   ``OTAUpdater/createBackup()``) copies instead: regular files are hard-linked when `backup_path`
///   is on the installation's filesystem, else copied and fsync'd.
///
/// - Important: A backup is restorable only if the agent made it: each complete backup's manifest is
///   also recorded in `state_dir/backup-manifests/NAME.json`, where only the agent writes. A folder in
///   `backup_path` without that record (planted by anyone) is neither listed nor restored, and a
///   recorded one is checked against the agent's copy, not against the `backup.json` beside it.
public struct BackupStore: Sendable {
    /// `backup_path`, absolute.
    public let directory: String
    /// The state folder holding the records of the backups.
    public let stateDirectory: StateDirectory
    /// How many backups ``prune()`` keeps.
    public let maxBackups: Int
    private let now: @Sendable () -> Date

    /// The backups in `stateDirectory.backupPath`, recorded in `stateDirectory`.
    public init(stateDirectory: StateDirectory, maxBackups: Int, now: @escaping @Sendable () -> Date = { Date() }) {
        self.directory = stateDirectory.backupPath
        self.stateDirectory = stateDirectory
        self.maxBackups = maxBackups
        self.now = now
    }

    /// The backups of the installation's `backup_path`, keeping `max_backups`.
    public init(installation: OTAConfiguration.Installation, now: @escaping @Sendable () -> Date = { Date() }) {
        self.init(stateDirectory: StateDirectory(installation: installation), maxBackups: installation.maxBackups, now: now)
    }

    /// A backup being assembled by a transaction: `.{name}.partial`, filled by moves, sealed at commit.
    struct PendingBackup: Sendable {
        let backup: Backup
        let partial: String
    }

    /// Backs up `paths` (relative to `installDirectory`; missing ones are skipped) as `version`, by copy
    /// (hard links on the same filesystem); the installation is not changed.
    public func create(version: SemanticVersion, installDirectory: String, paths: [String]) throws(InstallationError) -> Backup {
        try prepareDirectory()
        var partial = ""
        do throws(SystemError) {
            let reserved = try reserve(version: version)
            partial = reserved.partial
            let hardLink = FileSystem.device(of: installDirectory) == FileSystem.device(of: directory)
            for path in paths where FileSystem.exists(installDirectory + "/" + path) {
                try FileSystem.makeDirectories(FileSystem.parent(partial + "/" + path), mode: 0o755)
                try FileSystem.copyTree(installDirectory + "/" + path, to: partial + "/" + path, hardLink: hardLink, durable: !hardLink)
            }
            // Copies were fsync'd one by one; links and folders are made durable by one syncfs.
            if hardLink { try FileSystem.syncFilesystem(partial) }
            let names = try FileSystem.names(in: partial)
            let writer = try ManifestWriter(path: partial + "/" + BackupManifest.fileName, version: version, createdAt: reserved.backup.createdAt)
            for name in names { try writer.add(partial + "/" + name, as: name) }
            try writer.finish()
            try Self.record(partial + "/" + BackupManifest.fileName, of: reserved.backup.name, in: stateDirectory)
            try FileSystem.rename(partial, reserved.backup.path)
            try AtomicFile.syncDirectory(directory)
            return reserved.backup
        } catch {
            if !partial.isEmpty { try? FileSystem.removeTree(partial) }
            throw InstallationError(.backupFailed, "cannot back up the installation to \(directory): \(error.message); nothing was changed", underlying: error)
        }
    }

    /// Starts a backup that a transaction fills by moving the old managed paths out of the installation.
    ///
    /// Creates `.{name}.partial` with the parent folders of nested `paths`; the transaction moves the old
    /// paths into it and ``seal(_:as:)`` completes it at commit. Returns `nil`, changing nothing, when a
    /// rename from `source` (a folder beside the staged tree) into `backup_path` fails with `EXDEV`
    /// (another filesystem or mount): then use ``create(version:installDirectory:paths:)``.
    func beginMove(version: SemanticVersion, installDirectory: String, paths: [String], from source: String) throws(InstallationError) -> PendingBackup? {
        try prepareDirectory()
        var partial = ""
        do throws(SystemError) {
            guard FileSystem.device(of: directory) == FileSystem.device(of: installDirectory) else { return nil }
            let reserved = try reserve(version: version)
            partial = reserved.partial
            guard try FileSystem.renameWorks(from: source, to: partial) else {
                try? FileSystem.removeTree(partial)
                return nil
            }
            for path in paths where FileSystem.exists(installDirectory + "/" + path) && FileSystem.parent(path) != "." {
                try FileSystem.makeDirectories(partial + "/" + FileSystem.parent(path), mode: 0o755)
            }
            try AtomicFile.syncDirectory(directory)
            return PendingBackup(backup: reserved.backup, partial: partial)
        } catch {
            if !partial.isEmpty { try? FileSystem.removeTree(partial) }
            throw InstallationError(.backupFailed, "cannot back up the installation to \(directory): \(error.message); nothing was changed", underlying: error)
        }
    }

    /// Completes a backup made by moves, once its transaction is committed: describes and hashes
    /// everything in `partial` into `backup.json`, then renames it to `path`. Does nothing when `partial`
    /// is gone (sealed already), so recovery can run it again after a crash.
    ///
    /// Hashing at commit (after `restart_command`) rather than before the swap means that whatever the
    /// old version wrote into its tree until it was stopped is in the backup *and* in `backup.json`.
    static func seal(_ partial: String, as path: String, recordingIn stateDirectory: StateDirectory) throws(InstallationError) {
        guard FileSystem.exists(partial) else { return }
        do throws(SystemError) {
            guard let backup = Backup(name: PathName.lastComponent(of: path), in: FileSystem.parent(path)) else {
                throw SystemError("name the backup \(path)", errno: EINVAL)
            }
            var names: [String] = []
            for name in try FileSystem.names(in: partial) where name != BackupManifest.fileName {
                // A manifest left half-written by a seal that was killed is not part of the backup.
                if name.hasPrefix(".\(BackupManifest.fileName).tmp-") { unlink(partial + "/" + name) } else { names.append(name) }
            }
            let writer = try ManifestWriter(path: partial + "/" + BackupManifest.fileName, version: backup.version, createdAt: backup.createdAt)
            for name in names { try writer.add(partial + "/" + name, as: name) }
            try writer.finish()
            try AtomicFile.syncDirectory(partial)
            try record(partial + "/" + BackupManifest.fileName, of: backup.name, in: stateDirectory)
            #if OTA_FAULT_INJECTION
            FaultInjection.point("seal")
            #endif
            try FileSystem.rename(partial, path)
            try AtomicFile.syncDirectory(FileSystem.parent(path))
        } catch {
            throw InstallationError(.backupFailed, "cannot complete the backup \(path): \(error.message); the update itself is committed", underlying: error)
        }
    }

    /// Creates `backup_path` (mode 0700) if needed and refuses it when another local user could change it.
    private func prepareDirectory() throws(InstallationError) {
        if FileSystem.lstatInfo(directory) == nil {
            do { try FileSystem.makeDirectories(directory, mode: 0o700) } catch {
                throw InstallationError(.backupFailed, "cannot create backup_path \(directory): \(error.message); nothing was changed", underlying: error)
            }
        }
        do { try StateDirectory.checkTrust(directory, key: "backup_path") } catch {
            throw InstallationError(.backupFailed, "\(error.message); nothing was changed")
        }
    }

    /// Copies the finished manifest `manifest` into `state_dir/backup-manifests/NAME.json` (durably).
    static func record(_ manifest: String, of name: String, in stateDirectory: StateDirectory) throws(SystemError) {
        let folder = stateDirectory.backupRecordsPath
        try FileSystem.makeDirectories(folder, mode: 0o700)
        let temporary = folder + "/.\(StateDirectory.Entry.backupRecord(name)).tmp-\(getpid())"
        unlink(temporary)
        do {
            try FileSystem.copyFile(manifest, to: temporary, mode: 0o600, durable: true)
            try FileSystem.rename(temporary, stateDirectory.backupRecordPath(name))
        } catch {
            unlink(temporary)
            throw error
        }
        try AtomicFile.syncDirectory(folder)
    }

    /// Whether the agent recorded a backup called `name`.
    private func isRecorded(_ name: String) -> Bool {
        FileSystem.lstatInfo(stateDirectory.backupRecordPath(name)).map { FileSystem.kind(of: $0) == .file } ?? false
    }

    /// Creates an empty `.{name}.partial` (mode 0700) in `backup_path` for a new backup of `version`.
    private func reserve(version: SemanticVersion) throws(SystemError) -> PendingBackup {
        let date = Date(timeIntervalSince1970: now().timeIntervalSince1970.rounded(.down))
        let base = "backup_\(version)_\(Backup.stamp(date))"
        var name = base
        var suffix = 1
        while FileSystem.exists(directory + "/" + name) || FileSystem.exists(directory + "/.\(name).partial") {
            suffix += 1
            name = "\(base)_\(suffix)"
        }
        let partial = directory + "/.\(name).partial"
        guard mkdir(partial, 0o700) == 0 else { throw SystemError.last("create directory \(partial)") }
        guard chmod(partial, 0o700) == 0 else { throw SystemError.last("chmod \(partial)") }
        return PendingBackup(backup: Backup(name: name, path: directory + "/" + name, version: version, createdAt: date), partial: partial)
    }

    /// Every backup the agent recorded, newest first (partial, foreign and unrecorded folders are ignored).
    public func list() throws(InstallationError) -> [Backup] {
        guard FileSystem.exists(directory) else { return [] }
        let names: [String]
        do { names = try FileSystem.names(in: directory) } catch {
            throw InstallationError(.backupNotFound, "cannot list the backups: \(error.message)", underlying: error)
        }
        // Backups of different versions made in the same second have no suffix to order them:
        // the folder's change time (set by the final rename, nanoseconds) breaks the tie.
        func changed(_ backup: Backup) -> Int {
            FileSystem.lstatInfo(backup.path).map { $0.st_ctim.tv_sec * 1_000_000_000 + $0.st_ctim.tv_nsec } ?? 0
        }
        return names.compactMap { Backup(name: $0, in: directory) }
            .filter { FileSystem.isDirectory($0.path) && isRecorded($0.name) }
            .map { ($0, changed($0)) }
            .sorted { ($0.0.createdAt, $0.0.sequence, $0.1) > ($1.0.createdAt, $1.0.sequence, $1.1) }
            .map(\.0)
    }

    /// The backup called `name` (a folder name from ``list()``).
    public func backup(named name: String) throws(InstallationError) -> Backup {
        guard let backup = try list().first(where: { $0.name == name }) else {
            throw InstallationError(.backupNotFound, "there is no backup named '\(name)' in \(directory); run 'ota backups' to list them")
        }
        return backup
    }

    /// Removes all but the newest ``maxBackups`` backups, and any `.partial` leftovers; returns the removed ones.
    @discardableResult
    public func prune() throws(InstallationError) -> [Backup] {
        let removed = Array(try list().dropFirst(max(0, maxBackups)))
        guard FileSystem.exists(directory) else { return [] }
        do {
            for backup in removed {
                try FileSystem.removeTree(backup.path)
                try FileSystem.removeTree(stateDirectory.backupRecordPath(backup.name))
            }
            for name in try FileSystem.names(in: directory) where name.hasPrefix(".backup_") && name.hasSuffix(".partial") {
                try FileSystem.removeTree(directory + "/" + name)
            }
        } catch {
            throw InstallationError(.backupFailed, "cannot remove old backups in \(directory): \(error.message)", underlying: error)
        }
        return removed
    }

    /// Checks every entry of `backup` against the agent's record of its manifest: presence, type, mode,
    /// size, SHA-256, link target.
    ///
    /// Throws ``InstallationError/Code/backupNotFound`` for a backup the agent did not record, and
    /// ``InstallationError/Code/corruptBackup`` naming the first file that differs.
    @discardableResult
    public func verify(_ backup: Backup) throws(InstallationError) -> BackupManifest {
        func corrupt(_ reason: String) -> InstallationError {
            InstallationError(.corruptBackup, "backup \(backup.name) is corrupted: \(reason); it cannot be restored (choose another with 'ota backups')")
        }
        let manifest: BackupManifest
        do {
            guard let bytes = try stateDirectory.read(StateDirectory.Entry.backupRecord(backup.name), in: StateDirectory.Entry.backupRecords) else {
                throw InstallationError(.backupNotFound, "\(backup.path) was not made by this agent (it has no record in \(stateDirectory.backupRecordsPath)); it is never restored: remove it")
            }
            manifest = try Journal.decoder.decode(BackupManifest.self, from: Data(bytes))
        } catch let error as InstallationError {
            throw error
        } catch {
            throw corrupt("its recorded manifest in \(stateDirectory.backupRecordsPath) is unreadable")
        }
        let entries: [FileSystem.Entry]
        do { entries = try FileSystem.walk(backup.path, skipping: [BackupManifest.fileName]) } catch {
            throw corrupt("it cannot be read (\(error.message))")
        }
        let found = Dictionary(entries.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        let listed = Set(manifest.files.map(\.path))
        if let extra = entries.first(where: { !listed.contains($0.path) }) {
            throw corrupt("\(extra.path) is not in the record this agent made of the backup")
        }
        for file in manifest.files {
            guard let entry = found[file.path] else { throw corrupt("\(file.path) is missing") }
            guard entry.kind.rawValue == file.type else { throw corrupt("\(file.path) is a \(entry.kind.rawValue), not a \(file.type)") }
            guard entry.kind == .symlink || Hex.octalMode(entry.mode) == file.mode else {
                throw corrupt("\(file.path) has mode \(Hex.octalMode(entry.mode)) instead of \(file.mode)")
            }
            guard entry.target == file.target else { throw corrupt("the link \(file.path) points to \(entry.target ?? "nothing") instead of \(file.target ?? "nothing")") }
            guard entry.kind == .file else { continue }
            guard entry.size == file.size else { throw corrupt("\(file.path) has \(entry.size) bytes instead of \(file.size ?? 0)") }
            let digest: String
            do { digest = try FileDigest.sha256(ofFileAt: backup.path + "/" + file.path) } catch { throw corrupt("\(file.path) cannot be read (\(error.message))") }
            guard digest == file.sha256 else { throw corrupt("the SHA-256 of \(file.path) differs from the record this agent made of the backup") }
        }
        return manifest
    }
}
