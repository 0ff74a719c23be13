import Foundation

/// One installation in progress: the journaled steps that turn the old tree into the new one.
///
/// ``Installer/install(_:)`` returns it once every step has run; the new version is then in
/// place but not final: pass it to ``Installer/commit(_:)`` after the health check, or to
/// ``Installer/rollback(_:)`` to put back exactly the old tree. The same value is what
/// `state_dir/journal.json` holds, so a crash before the commit is rolled back by the next command.
public struct Transaction: Codable, Sendable, Equatable {
    /// Whether the transaction may still be rolled back.
    public enum Phase: String, Codable, Sendable {
        /// Steps are running or have run; recovery rolls them back.
        case applying
        /// The new tree is final; recovery only finishes the cleanup.
        case committed
    }

    /// A random identifier (also used in the names of holding folders).
    public let id: String
    public let fromVersion: SemanticVersion
    public let toVersion: SemanticVersion
    /// `in_place` or `releases`.
    public let layout: String
    public var phase: Phase
    /// The ordered steps, each with its state.
    package var steps: [JournalStep]
    /// Paths removed once the transaction is committed (staged leftovers and holding folders, which
    /// hold the old tree unless it was moved into the backup).
    package var removeOnCommit: [String]
    /// Paths removed once the transaction is rolled back (the staged tree, holding folders, the backup's partial folder).
    package var removeOnRollback: [String]
    /// The backup made for this transaction, if any (its folder); removed again on rollback.
    public var backupPath: String?
    /// The `.partial` folder the old paths are moved into when the backup is made by moves: at commit it is
    /// sealed (hashed into `backup.json`, renamed to ``backupPath``); on rollback it is removed.
    package var backupPartial: String?
    public let startedAt: Date

    package init(id: String = Transaction.makeID(), fromVersion: SemanticVersion, toVersion: SemanticVersion, layout: String,
                steps: [JournalStep.Action], removeOnCommit: [String] = [], removeOnRollback: [String] = [],
                backupPath: String? = nil, backupPartial: String? = nil, startedAt: Date = Date()) {
        self.id = id
        self.fromVersion = fromVersion
        self.toVersion = toVersion
        self.layout = layout
        self.phase = .applying
        self.steps = steps.map { JournalStep(action: $0) }
        self.removeOnCommit = removeOnCommit
        self.removeOnRollback = removeOnRollback
        self.backupPath = backupPath
        self.backupPartial = backupPartial
        self.startedAt = Date(timeIntervalSince1970: startedAt.timeIntervalSince1970.rounded(.down))  // as ISO 8601 keeps it
    }

    /// A short random identifier, safe in file names.
    public static func makeID() -> String {
        String(UUID().uuidString.prefix(8)).lowercased()
    }

    enum CodingKeys: String, CodingKey {
        case id, phase, steps, layout
        case fromVersion = "from_version", toVersion = "to_version"
        case removeOnCommit = "remove_on_commit", removeOnRollback = "remove_on_rollback"
        case backupPath = "backup_path", backupPartial = "backup_partial", startedAt = "started_at"
    }
}
