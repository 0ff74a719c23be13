import Logging

/// Lays a ``StagedTree`` onto the installation as one journaled ``Transaction``.
///
/// Open for new layouts: ``InPlaceInstaller`` (`in_place`) and ``ReleasesInstaller`` (`releases`)
/// are the two layouts (`in_place`, `releases`). The caller holds `state_dir`'s lock and has rolled back any
/// interrupted update first (``OTAUpdater`` does both).
///
/// ```swift
/// let installer = InPlaceInstaller(installation: config.installation, deviceFiles: config.deviceFiles)
/// let transaction = try installer.install(StagedTree(root: staging, version: release.version))
/// if healthy { try installer.commit(transaction); installer.pruneBackups() } else { try installer.rollback(transaction) }
/// ```
public protocol Installer: Sendable {
    /// The version installed now (`0.0.0` for an empty installation).
    func currentVersion() throws(InstallationError) -> SemanticVersion

    /// Backs up (when enabled), carries the preserved paths over and swaps the new tree in.
    ///
    /// On any failure the installation is left exactly as before and the error says why.
    /// The staged folder belongs to the transaction from here on.
    func install(_ staged: StagedTree) throws(InstallationError) -> Transaction

    /// Makes `transaction` final: removes the staged leftovers (and the old tree, unless it was moved
    /// into the backup). Old backups stay until ``pruneBackups()``.
    func commit(_ transaction: Transaction) throws(InstallationError)

    /// Removes the backups beyond `max_backups`, oldest first. A failure is logged, not thrown: the
    /// update is committed already. Removing a backup is one `rmdir` per folder of a whole tree (seconds
    /// on a filesystem mounted with `discard`), so callers prune after recording the update's outcome.
    func pruneBackups()

    /// Puts back exactly the tree that was there before `transaction`.
    func rollback(_ transaction: Transaction) throws(InstallationError)

    /// The backups a rollback can return to, newest first.
    func backups() throws(InstallationError) -> [Backup]

    /// Starts a transaction that reinstalls `backup` (verified first); commit or roll it back like an update.
    func restore(backup: Backup) throws(InstallationError) -> Transaction
}

/// The installer for the configured layout, given the `installation` part and the device's own files
/// (``OTAConfiguration/deviceFiles``), which are never taken from a release.
public func makeInstaller(configuration: OTAConfiguration, logger: Logger = Logger(label: "ota.install")) -> any Installer {
    let installation = configuration.installation
    return switch installation.layout {
    case .inPlace: InPlaceInstaller(installation: installation, deviceFiles: configuration.deviceFiles, logger: logger)
    case .releases: ReleasesInstaller(installation: installation, deviceFiles: configuration.deviceFiles, logger: logger)
    }
}
