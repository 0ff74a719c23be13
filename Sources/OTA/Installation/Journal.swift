#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging

/// The write-ahead record of the transaction in progress: `state_dir/journal.json`.
///
/// Every step of a ``Transaction`` is written here (atomically, fsync'd, mode 0600) before it
/// happens and marked done after it. ``recoverIfNeeded(logger:)`` must run at the start of every
/// `ota` command and of the library, under the ``Lock``: it rolls an uncommitted transaction back
/// to exactly the old tree, or finishes the cleanup of a committed one, then clears the journal.
///
/// ```swift
/// let journal = Journal(installation: config.installation)
/// if case .rolledBack(let transaction) = try journal.recoverIfNeeded() { … }
/// ```
package struct Journal: Sendable {
    /// What recovery found and did.
    public enum Recovery: Sendable, Equatable {
        /// No journal: the last transaction ended cleanly.
        case nothingToDo
        /// An uncommitted transaction was rolled back; the old tree is in place.
        case rolledBack(Transaction)
        /// A committed transaction's cleanup was finished; the new tree stays.
        case completedCommit(Transaction)
    }

    /// The state folder holding the journal.
    public let directory: StateDirectory
    /// The folders a journaled step may touch: `install_dir`, `state_dir` and `backup_path`.
    public let allowedRoots: [String]
    /// `state_dir`.
    public var stateDirectory: String { directory.path }
    /// `state_dir/journal.json`.
    public var path: String { directory.journalPath }

    /// The journal of `directory`, whose steps may touch only paths inside `allowedRoots` (and the
    /// state and backup folders).
    public init(directory: StateDirectory, allowedRoots: [String]) {
        self.directory = directory
        self.allowedRoots = [directory.path, directory.backupPath] + allowedRoots
    }

    /// The journal of the state folder `stateDirectory`, confined to it and `stateDirectory/backups`
    /// (for reading it; an installation's journal is ``init(installation:)``'s).
    public init(stateDirectory: String) {
        self.init(directory: StateDirectory(path: stateDirectory), allowedRoots: [])
    }

    /// The journal of the installation's `state_dir`, confined to `install_dir`, `state_dir` and `backup_path`.
    public init(installation: OTAConfiguration.Installation) {
        self.init(directory: StateDirectory(installation: installation), allowedRoots: [installation.installDirectory])
    }

    /// The transaction recorded in the journal, `nil` when there is none.
    ///
    /// A journal naming a path outside ``allowedRoots`` (or reaching one through a symlink) is refused:
    /// nothing it describes is done.
    public func load() throws(InstallationError) -> Transaction? {
        let transaction: Transaction
        do {
            guard let bytes = try directory.read(StateDirectory.Entry.journal) else { return nil }
            transaction = try Self.decoder.decode(Transaction.self, from: Data(bytes))
        } catch {
            let reason = (error as? SystemError)?.message ?? "\(error)"
            throw InstallationError(.journalFailed, "the journal \(path) is unreadable (\(reason)); check that the installation is intact, then delete the file")
        }
        try checkConfined(transaction)
        return transaction
    }

    /// The journal's copy of `transaction` (with its step states), or an error if another one is in progress.
    func inProgress(_ transaction: Transaction) throws(InstallationError) -> Transaction {
        guard let current = try load(), current.id == transaction.id else {
            throw InstallationError(.noTransaction, "transaction \(transaction.id) is not in progress (already committed, rolled back or recovered)")
        }
        return current
    }

    /// Writes `transaction` durably (temporary file, fsync, rename, fsync of the folder).
    public func save(_ transaction: Transaction) throws(InstallationError) {
        try checkConfined(transaction, saving: true)
        do {
            try FileSystem.makeDirectories(stateDirectory, mode: 0o700)
            let data = try Self.encoder.encode(transaction)
            try directory.write(Array(data), to: StateDirectory.Entry.journal)
        } catch let error as SystemError {
            throw InstallationError(.journalFailed, "cannot write the journal: \(error.message)", underlying: error)
        } catch {
            throw InstallationError(.journalFailed, "cannot encode the journal: \(error)")
        }
    }

    /// Removes the journal durably; the transaction is over.
    public func clear() throws(InstallationError) {
        do { try directory.remove(StateDirectory.Entry.journal) } catch {
            throw InstallationError(.journalFailed, "cannot clear the journal: \(error.message)", underlying: error)
        }
    }

    /// Rolls back an interrupted transaction or finishes a committed one; does nothing without a journal.
    ///
    /// Idempotent: when it is itself interrupted, running it again completes the job.
    /// Only the owner of `state_dir` recovers: for anyone else a pending journal is an error, and nothing is done.
    @discardableResult
    public func recoverIfNeeded(logger: Logger = Logger(label: "ota.journal")) throws(InstallationError) -> Recovery {
        guard let transaction = try load() else { return .nothingToDo }
        guard directory.isOwnedByRunningUser else {
            throw InstallationError(.journalFailed, "an interrupted update must be recovered, but only the owner of \(stateDirectory) (uid \(directory.owner.map { "\($0)" } ?? "?")) may do it; run any ota command as that user")
        }
        let metadata: Logger.Metadata = ["ota.transaction": "\(transaction.id)", "ota.from_version": "\(transaction.fromVersion)",
                                         "ota.to_version": "\(transaction.toVersion)"]
        switch transaction.phase {
        case .committed:
            logger.info("finishing a committed update interrupted during cleanup", metadata: metadata)
            try finishCommit(transaction)
            return .completedCommit(transaction)
        case .applying:
            logger.warning("rolling back an interrupted update", metadata: metadata)
            try rollBack(transaction)
            return .rolledBack(transaction)
        }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .utcISO8601
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .utcISO8601
        return decoder
    }()
}
