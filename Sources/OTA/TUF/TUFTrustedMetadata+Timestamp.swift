import Foundation

/// Timestamp and snapshot: freshness, rollback protection and fast-forward recovery.
extension TUFTrustedMetadata {
    /// Offers the `timestamp.json` stored by an earlier refresh, before ``updateTimestamp(_:)``.
    ///
    /// It is verified against the final root; when the root rotated the timestamp or snapshot keys
    /// since the refresh began, or it no longer verifies, it is ``TUFStoredCopy/discarded(_:)`` (delete
    /// it). An expired copy is still the reference the next timestamp must not roll back from.
    /// - Throws: only when no timestamp can be loaded at all (final root expired, called out of order).
    public mutating func loadStoredTimestamp(_ data: Data) throws(TUFError) -> TUFStoredCopy {
        try endRootUpdates()
        guard timestamp == nil, snapshot == nil else {
            throw TUFError(.outOfOrder, "The stored TUF timestamp must be loaded before any other timestamp or snapshot; start a new refresh.")
        }
        if rotatedTimestampOrSnapshotKeys {
            return .discarded(Self.rotationError(file: "timestamp.json"))
        }
        let stored: TUFTimestamp
        do {
            try limits.check(data.count, role: "timestamp", file: "timestamp.json")
            stored = try TUFTimestamp(data, file: "timestamp.json")
            try root.verify(stored.envelope, role: .timestamp, file: "timestamp.json")
        } catch {
            return .discarded(error)
        }
        timestamp = stored
        do {
            try checkNotExpired(stored.header, file: "timestamp.json")
        } catch {
            return .rollbackReference(error)
        }
        return .trusted
    }

    /// Verifies `data` as the repository's current `timestamp.json` and trusts it.
    ///
    /// Signed by the root's timestamp keys; its version and the snapshot version it names never below
    /// the trusted timestamp's; not expired. The same version as the trusted one answers
    /// ``TUFTimestampUpdate/unchanged`` and keeps the trusted one.
    @discardableResult
    public mutating func updateTimestamp(_ data: Data) throws(TUFError) -> TUFTimestampUpdate {
        try endRootUpdates()
        guard snapshot == nil else {
            throw TUFError(.outOfOrder, "The TUF timestamp cannot be updated after the snapshot was loaded; start a new refresh.")
        }
        try limits.check(data.count, role: "timestamp", file: "timestamp.json")
        let new = try TUFTimestamp(data, file: "timestamp.json")
        try root.verify(new.envelope, role: .timestamp, file: "timestamp.json")
        if let trusted = timestamp {
            guard new.header.version >= trusted.header.version else {
                throw Self.rollbackError(file: "timestamp.json", role: "timestamp", version: new.header.version, trusted: trusted.header.version)
            }
            if new.header.version == trusted.header.version { return .unchanged }
            guard new.snapshotMeta.version >= trusted.snapshotMeta.version else {
                throw Self.rollbackError(file: "timestamp.json", role: "snapshot", version: new.snapshotMeta.version, trusted: trusted.snapshotMeta.version)
            }
        }
        try checkNotExpired(new.header, file: "timestamp.json")
        timestamp = new
        return .updated
    }

    /// Offers the `snapshot.json` stored by an earlier refresh, after the timestamp.
    ///
    /// Verified against the root's snapshot keys (its hashes are not compared with the timestamp's:
    /// it was checked when stored). ``TUFStoredCopy/trusted`` when it is the version the timestamp
    /// names and not expired — no download needed; otherwise it stays the reference newer snapshots
    /// must not roll back from. Discarded after a rotation of the timestamp or snapshot keys.
    /// - Throws: when no snapshot can be loaded (no current timestamp, called out of order).
    public mutating func loadStoredSnapshot(_ data: Data) throws(TUFError) -> TUFStoredCopy {
        let timestamp = try finalTimestamp()
        guard snapshot == nil, targetsRoles.isEmpty else {
            throw TUFError(.outOfOrder, "The stored TUF snapshot must be loaded before any other snapshot or targets; start a new refresh.")
        }
        if rotatedTimestampOrSnapshotKeys {
            return .discarded(Self.rotationError(file: "snapshot.json"))
        }
        let stored: TUFSnapshot
        do {
            try limits.check(data.count, role: "snapshot", file: "snapshot.json")
            stored = try TUFSnapshot(data, file: "snapshot.json")
            try root.verify(stored.envelope, role: .snapshot, file: "snapshot.json")
        } catch {
            return .discarded(error)
        }
        snapshot = stored
        do {
            try checkFinal(stored, timestamp: timestamp)
        } catch {
            return .rollbackReference(error)
        }
        return .trusted
    }

    /// Verifies `data` as the snapshot the trusted timestamp names and trusts it.
    ///
    /// Its length and hashes as the timestamp signs them (when it does); signed by the root's snapshot
    /// keys; the version the timestamp names; not expired; compared with a trusted (stored) snapshot,
    /// its own version and every targets role's version never go back and no role disappears.
    @discardableResult
    public mutating func updateSnapshot(_ data: Data) throws(TUFError) -> TUFSnapshot {
        let timestamp = try finalTimestamp()
        guard targetsRoles.isEmpty else {
            throw TUFError(.outOfOrder, "The TUF snapshot cannot be updated after targets were loaded; start a new refresh.")
        }
        let file = "snapshot.json"
        try limits.check(data.count, role: "snapshot", file: file)
        try timestamp.snapshotMeta.fileInfo.verify(data, what: "The TUF metadata \(file)")
        let new = try TUFSnapshot(data, file: file)
        try root.verify(new.envelope, role: .snapshot, file: file)
        if let trusted = snapshot {
            guard new.header.version >= trusted.header.version else {
                throw Self.rollbackError(file: file, role: "snapshot", version: new.header.version, trusted: trusted.header.version)
            }
            for (name, meta) in trusted.meta.sorted(by: { $0.key < $1.key }) {
                guard let newMeta = new.meta[name] else {
                    throw TUFError(.roleRemoved, "The TUF metadata \(file) no longer lists \(name), which the trusted snapshot lists: roles are never removed this way, so it is refused as a possible attack; report it to the repository's publisher.")
                }
                guard newMeta.version >= meta.version else {
                    throw Self.rollbackError(file: file, role: String(name.dropLast(".json".count)), version: newMeta.version, trusted: meta.version)
                }
            }
        }
        try checkFinal(new, timestamp: timestamp)
        snapshot = new
        return new
    }

    /// The trusted timestamp, when it is not expired; throws otherwise.
    func finalTimestamp() throws(TUFError) -> TUFTimestamp {
        guard let timestamp else {
            throw TUFError(.outOfOrder, "The TUF snapshot cannot be loaded before the timestamp; load the timestamp first.")
        }
        try checkNotExpired(timestamp.header, file: "timestamp.json")
        return timestamp
    }

    /// Throws unless `snapshot` is not expired and is the version `timestamp` names.
    func checkFinal(_ snapshot: TUFSnapshot, timestamp: TUFTimestamp) throws(TUFError) {
        try checkNotExpired(snapshot.header, file: "snapshot.json")
        guard snapshot.header.version == timestamp.snapshotMeta.version else {
            throw TUFError(.unexpectedVersion, "The TUF metadata snapshot.json is version \(snapshot.header.version) where the timestamp names version \(timestamp.snapshotMeta.version); the repository is inconsistent or being tampered with, so try again later and report it to its publisher if it persists.")
        }
    }

    static func rollbackError(file: String, role: String, version: Int, trusted: Int) -> TUFError {
        TUFError(.rolledBack, "The TUF metadata \(file) gives \(role) version \(version), older than the trusted version \(trusted): an attacker or a stale mirror is rolling the repository back, so it is refused; try again later and report it to the repository's publisher if it persists.")
    }

    static func rotationError(file: String) -> TUFError {
        TUFError(.keysRotated, "The stored TUF metadata \(file) was dropped because the new root rotated the timestamp or snapshot keys (recovery from a fast-forward attack); the current file is fetched instead.")
    }
}
