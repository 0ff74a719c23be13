#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging

/// The `releases` layout: `install_dir/releases/<version>/` holds each release, `install_dir/current`
/// is a relative symlink (`releases/<version>`) to the one in use.
///
/// Installing moves the staged tree to `releases/<version>` (a same-version folder already
/// there is set aside, and put back on rollback), then replaces `current` atomically (a
/// `current.tmp` link renamed over it). The previous release folders are the backups:
/// ``backups()`` lists them newest version first, ``commit(_:)`` keeps `max_backups` of them,
/// and ``restore(backup:)`` only points `current` back. They have no `backup.json`: a release
/// folder is the tree that was running, so a restore checks only that it exists and holds a
/// version file. An install with no `current` is version 0.0.0 (provisioning).
public struct ReleasesInstaller: Installer {
    /// `install_dir`, `version_file`, `preserve_paths`, `state_dir` and `max_backups`.
    public let installation: OTAConfiguration.Installation
    /// The device's own files (absolute), never taken from a release: see ``OTAConfiguration/deviceFiles``.
    public let deviceFiles: [String]
    let logger: Logger

    public init(installation: OTAConfiguration.Installation, deviceFiles: [String] = [], logger: Logger = Logger(label: "ota.install")) {
        self.installation = installation
        self.deviceFiles = deviceFiles
        self.logger = logger
    }

    var installDirectory: String { installation.installDirectory }
    var releasesDirectory: String { installDirectory + "/releases" }
    var currentLink: String { installDirectory + "/current" }
    var journal: Journal { Journal(installation: installation) }

    /// The target of `current` (e.g. `releases/1.2.0`), `nil` when there is no link.
    func currentTarget() throws(InstallationError) -> String? {
        guard let info = FileSystem.lstatInfo(currentLink) else { return nil }
        guard FileSystem.kind(of: info) == .symlink else {
            throw InstallationError(.invalidPath, "\(currentLink) is not a symlink; the releases layout needs install_dir/current to be one (move it away)")
        }
        do { return try FileSystem.readLink(currentLink) } catch { throw InstallationError(.invalidPath, error.message, underlying: error) }
    }

    public func currentVersion() throws(InstallationError) -> SemanticVersion {
        guard try currentTarget() != nil else { return SemanticVersion(0, 0, 0) }
        do { return try VersionManager(versionFile: installation.versionFilePath, logger: logger).currentVersion() } catch {
            throw InstallationError(.versionUnreadable, error.message)
        }
    }

    public func install(_ staged: StagedTree) throws(InstallationError) -> Transaction {
        let staged = InstallationSupport.normalized(staged)
        let versionFile = try InstallationSupport.relative(installation.versionFile, key: "version_file")
        let fromVersion = try currentVersion()
        let previous = try currentTarget()
        try InstallationSupport.prepare(staged, installDirectory: installDirectory, versionFile: versionFile)
        if let previous {
            let roots = [currentLink, resolve(previous)]
            let preserved = try InstallationSupport.preservedPaths(installation.preservePaths, deviceFiles: deviceFiles, roots: roots)
            try InstallationSupport.carryOver(preserved, from: currentLink, into: staged.root,
                                              deviceOnly: InstallationSupport.deviceFiles(deviceFiles, roots: roots))
        }
        let id = Transaction.makeID()
        let holding = try InstallationSupport.makeHolding(for: staged, id: id)
        let name = staged.version.description
        let destination = releasesDirectory + "/" + name
        var steps: [JournalStep.Action] = []
        if !FileSystem.exists(releasesDirectory) { steps.append(.makeDirectory(path: releasesDirectory)) }
        if let existing = FileIdentity.of(destination) { steps.append(.move(from: destination, to: holding + "/release", identity: existing)) }
        guard let stagedID = FileIdentity.of(staged.root) else {
            throw InstallationError(.invalidStagedTree, "the staged release \(staged.root) disappeared")
        }
        steps.append(.move(from: staged.root, to: destination, identity: stagedID))
        steps.append(.pointLink(link: currentLink, target: "releases/" + name, previous: previous))
        var transaction = Transaction(id: id, fromVersion: fromVersion, toVersion: staged.version, layout: "releases", steps: steps,
                                      removeOnCommit: [holding], removeOnRollback: [staged.root, holding])
        logger.info("switching current release", metadata: ["ota.transaction": "\(id)", "ota.from_version": "\(fromVersion)",
                                                             "ota.to_version": "\(staged.version)"])
        try journal.run(&transaction)
        return transaction
    }

    public func commit(_ transaction: Transaction) throws(InstallationError) {
        var current = try journal.inProgress(transaction)
        try journal.commit(&current)
    }

    public func pruneBackups() {
        do {
            for backup in try backups().dropFirst(max(0, installation.maxBackups)) { try FileSystem.removeTree(backup.path) }
        } catch {
            logger.warning("the update is committed but old releases could not be pruned", metadata: ["ota.error": "\(error)"])
        }
    }

    public func rollback(_ transaction: Transaction) throws(InstallationError) {
        try journal.rollBack(try journal.inProgress(transaction))
    }

    /// The release folders other than the current one, newest version first.
    public func backups() throws(InstallationError) -> [Backup] {
        guard FileSystem.isDirectory(releasesDirectory) else { return [] }
        let current = try currentTarget().map(resolve)
        let names: [String]
        do { names = try FileSystem.names(in: releasesDirectory) } catch {
            throw InstallationError(.backupNotFound, "cannot list \(releasesDirectory): \(error.message)", underlying: error)
        }
        return names.compactMap { name -> Backup? in
            let path = releasesDirectory + "/" + name
            guard path != current, let version = SemanticVersion(name), let info = FileSystem.lstatInfo(path),
                  FileSystem.kind(of: info) == .directory else { return nil }
            return Backup(name: name, path: path, version: version, createdAt: Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec)))
        }.sorted { $0.version > $1.version }
    }

    /// Points `current` back at the release folder of `backup` (checked to hold its version file first).
    public func restore(backup: Backup) throws(InstallationError) -> Transaction {
        let versionPath = backup.path + "/" + installation.versionFile
        guard FileSystem.isDirectory(backup.path), FileSystem.exists(versionPath) else {
            throw InstallationError(.corruptBackup, "release \(backup.name) cannot be restored: \(versionPath) is missing")
        }
        let previous = try currentTarget()
        var transaction = Transaction(fromVersion: try currentVersion(), toVersion: backup.version, layout: "releases",
                                      steps: [.pointLink(link: currentLink, target: "releases/" + backup.name, previous: previous)])
        try journal.run(&transaction)
        return transaction
    }

    /// The absolute path of a `current` link target.
    func resolve(_ target: String) -> String {
        OTAConfiguration.absolute(target, against: installDirectory)
    }
}
