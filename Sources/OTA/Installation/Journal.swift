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
/// let journal = Journal(stateDirectory: config.stateDirectory)
/// if case .rolledBack(let transaction) = try journal.recoverIfNeeded() { … }
/// ```
public struct Journal: Sendable {
    /// What recovery found and did.
    public enum Recovery: Sendable, Equatable {
        /// No journal: the last transaction ended cleanly.
        case nothingToDo
        /// An uncommitted transaction was rolled back; the old tree is in place.
        case rolledBack(Transaction)
        /// A committed transaction's cleanup was finished; the new tree stays.
        case completedCommit(Transaction)
    }

    public let stateDirectory: String
    /// `state_dir/journal.json`.
    public var path: String { stateDirectory + "/journal.json" }

    public init(stateDirectory: String) {
        self.stateDirectory = stateDirectory
    }

    /// The transaction recorded in the journal, `nil` when there is none.
    public func load() throws(InstallationError) -> Transaction? {
        guard FileSystem.exists(path) else { return nil }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return try Self.decoder.decode(Transaction.self, from: data)
        } catch {
            throw InstallationError(.journalFailed, "the journal \(path) is unreadable (\(error)); check that the installation is intact, then delete the file")
        }
    }

    /// Writes `transaction` durably (temporary file, fsync, rename, fsync of the folder).
    public func save(_ transaction: Transaction) throws(InstallationError) {
        do {
            try FileSystem.makeDirectories(stateDirectory, mode: 0o700)
            let data = try Self.encoder.encode(transaction)
            try AtomicFile.write(Array(data), to: path, mode: 0o600)
        } catch let error as SystemError {
            throw InstallationError(.journalFailed, "cannot write the journal: \(error.message)", underlying: error)
        } catch {
            throw InstallationError(.journalFailed, "cannot encode the journal: \(error)")
        }
    }

    /// Removes the journal durably; the transaction is over.
    public func clear() throws(InstallationError) {
        guard unlink(path) == 0 || errno == ENOENT else {
            let error = SystemError.last("remove \(path)")
            throw InstallationError(.journalFailed, "cannot clear the journal: \(error.message)", underlying: error)
        }
        try? AtomicFile.syncDirectory(stateDirectory)
    }

    /// Rolls back an interrupted transaction or finishes a committed one; does nothing without a journal.
    ///
    /// Idempotent: when it is itself interrupted, running it again completes the job.
    @discardableResult
    public func recoverIfNeeded(logger: Logger = Logger(label: "ota.journal")) throws(InstallationError) -> Recovery {
        guard let transaction = try load() else { return .nothingToDo }
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
