import Foundation

/// Targets roles: top-level and delegated, each verified against the role that delegates to it.
extension TUFTrustedMetadata {
    /// Verifies `data` as the top-level `targets.json` and trusts it (see ``updateDelegatedTargets(_:role:delegator:)``).
    @discardableResult
    public mutating func updateTargets(_ data: Data) throws(TUFError) -> TUFTargets {
        try updateDelegatedTargets(data, role: TUFTopLevelRole.targets.rawValue, delegator: TUFTopLevelRole.root.rawValue)
    }

    /// Verifies `data` as the metadata of targets role `role`, delegated by `delegator` (`root` for
    /// the top-level `targets`), and trusts it as verified against that delegator.
    ///
    /// The snapshot must be current; the file has the length and hashes the snapshot signs for it
    /// (when it does), the version it names, is signed by a threshold of the keys `delegator` gives
    /// `role`, and is not expired. Metadata already trusted for `role` through another delegator gains
    /// this one when the content is the same; other content for the same role is refused.
    @discardableResult
    public mutating func updateDelegatedTargets(_ data: Data, role: String, delegator: String) throws(TUFError) -> TUFTargets {
        let snapshot = try finalSnapshot()
        let file = "\(role).json"
        let (roleKeys, keys) = try delegation(of: role, by: delegator)
        guard let meta = snapshot.meta(forRole: role) else {
            throw TUFError(.missingFromSnapshot, "The TUF snapshot does not list \(file), which \(delegator) delegates to; the repository is incomplete, so report it to its publisher.")
        }
        try limits.check(data.count, role: role, file: file)
        try meta.fileInfo.verify(data, what: "The TUF metadata \(file)")
        let new = try TUFTargets(data, file: file)
        try roleKeys.verify(new.envelope, keys: keys, role: role, file: file, by: describe(delegator))
        guard new.header.version == meta.version else {
            throw TUFError(new.header.version < meta.version ? .rolledBack : .unexpectedVersion,
                           "The TUF metadata \(file) is version \(new.header.version) where the snapshot names version \(meta.version): the file is stale or the repository inconsistent, so it is refused; try again later and report it to the repository's publisher if it persists.")
        }
        try checkNotExpired(new.header, file: file)
        if var trusted = targetsRoles[role] {
            guard trusted.targets.envelope.signedBytes == new.envelope.signedBytes else {
                throw TUFError(.conflictingMetadata, "The TUF metadata \(file) differs from the copy of version \(meta.version) already trusted in this refresh; the repository changed it without a new version, so try again later.")
            }
            trusted.verifiedBy.insert(delegator)
            targetsRoles[role] = trusted
            return trusted.targets
        }
        targetsRoles[role] = TrustedTargets(targets: new, verifiedBy: [delegator])
        return new
    }

    /// The metadata of `role` verified against `delegator`: trusted already, or — when it was loaded in
    /// this refresh through another delegator — verified again now against `delegator`'s keys for it.
    /// `nil` when `role` was not loaded yet (the caller must load it).
    mutating func verifiedTargets(role: String, delegator: String) throws(TUFError) -> TUFTargets? {
        guard var trusted = targetsRoles[role] else { return nil }
        if trusted.verifiedBy.contains(delegator) { return trusted.targets }
        let (roleKeys, keys) = try delegation(of: role, by: delegator)
        try roleKeys.verify(trusted.targets.envelope, keys: keys, role: role, file: "\(role).json", by: describe(delegator))
        trusted.verifiedBy.insert(delegator)
        targetsRoles[role] = trusted
        return trusted.targets
    }

    /// The keys and threshold `delegator` gives `role`, with the key set they refer to.
    func delegation(of role: String, by delegator: String) throws(TUFError) -> (TUFRoleKeys, [String: TUFPublicKey]) {
        if delegator == TUFTopLevelRole.root.rawValue {
            guard role == TUFTopLevelRole.targets.rawValue else {
                throw TUFError(.notDelegated, "The TUF root delegates targets metadata only to role targets, not to \(role); this is a client error, so report it.")
            }
            return (root.keys(for: .targets), root.keys)
        }
        guard let parent = targetsRoles[delegator]?.targets else {
            throw TUFError(.outOfOrder, "The TUF role \(delegator) must be loaded before the roles it delegates to (\(role)); load it first.")
        }
        guard let delegations = parent.delegations, let roleKeys = delegations.keys(forRole: role) else {
            throw TUFError(.notDelegated, "The TUF role \(delegator) does not delegate to role \(role), so its metadata cannot be trusted through \(delegator).")
        }
        return (roleKeys, delegations.keys)
    }

    /// The trusted snapshot, when it is current (not expired, the version the timestamp names); throws otherwise.
    func finalSnapshot() throws(TUFError) -> TUFSnapshot {
        guard let snapshot else {
            throw TUFError(.outOfOrder, "TUF targets metadata cannot be loaded before the snapshot; load the snapshot first.")
        }
        try checkFinal(snapshot, timestamp: finalTimestamp())
        return snapshot
    }

    func describe(_ delegator: String) -> String {
        delegator == TUFTopLevelRole.root.rawValue ? "root version \(root.header.version)" : "delegating role \(delegator)"
    }
}
