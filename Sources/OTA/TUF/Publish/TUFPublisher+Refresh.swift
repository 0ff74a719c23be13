import Foundation

/// What ``TUFPublisher/refresh(ifExpiringWithin:)`` did.
public struct TUFRefreshResult: Sendable, Equatable {
    /// The roles re-signed with new versions and expiry dates; empty when nothing was due.
    public let resigned: [TUFTopLevelRole]
    /// Roles that are due but whose keys are not in the keys folder (one sentence each).
    public let warnings: [String]
}

extension TUFPublisher {
    /// Re-signs the timestamp and snapshot with fresh expiry dates (for cron or CI), and the targets
    /// and root too when they expire within the window and their keys are in the keys folder.
    ///
    /// - Parameter window: with a window, nothing is re-signed unless some role expires within it
    ///   (so a frequent cron job re-signs only when needed); without one, the timestamp and snapshot
    ///   are always re-signed and the window for targets and root is the timestamp's validity period.
    public func refresh(ifExpiringWithin window: Int? = nil) throws(TUFPublishError) -> TUFRefreshResult {
        let keys = try signingKeys()
        var state = try loadState()
        let time = timeNow()
        let horizon = time + TimeInterval(window ?? settings.expiry(of: .timestamp))
        func due(_ expires: Date) -> Bool { expires <= horizon }
        var warnings: [String] = []
        func signable(_ role: TUFTopLevelRole, expires: Date) -> Bool {
            guard due(expires) else { return false }
            do {
                _ = try keys.signers(for: state.root.roles[role]!, role: role.rawValue)
                return true
            } catch {
                warnings.append("The \(role.rawValue) metadata expires at \(UTCTime.iso8601(expires)), but its keys are not in \(keys.path): re-sign it soon with `ota publish refresh` and the \(role.rawValue) keys, or devices stop updating.")
                return false
            }
        }
        let root = signable(.root, expires: state.root.expires)
        let targets = signable(.targets, expires: state.targetsExpires)
        guard window == nil || root || targets || due(state.snapshotExpires) || due(state.timestampExpires) else {
            return TUFRefreshResult(resigned: [], warnings: warnings)
        }
        if root {
            state.root.version += 1
            state.root.expires = time + TimeInterval(settings.expiry(of: .root))
        }
        try publish(&state, keys: keys, rootChanged: root, targetsChanged: targets)
        let resigned: [TUFTopLevelRole] = (root ? [.root] : []) + (targets ? [.targets] : []) + [.snapshot, .timestamp]
        return TUFRefreshResult(resigned: resigned, warnings: warnings)
    }

    /// Replaces the keys of `role` with `newKeyFiles` (Ed25519 PKCS#8 PEM files, mode 0600, at least
    /// the role's threshold of them), or with as many new keys as the threshold, stored in the keys
    /// folder. A new root version lists them, signed by the old root keys and (for `root`) the new
    /// ones too; the role's metadata is re-signed with the new keys.
    /// - Returns: the key files written to the keys folder.
    @discardableResult
    public func rotate(role: TUFTopLevelRole, newKeyFiles: [String] = []) throws(TUFPublishError) -> [String] {
        var keyStore = try signingKeys()
        var state = try loadState()
        let oldRoles = state.root.roles[role]!
        let previousRootSigners = try keyStore.signers(for: state.root.roles[.root]!, role: TUFTopLevelRole.root.rawValue)
        var newKeys: [TUFSigningKey] = []
        for file in newKeyFiles {
            let key = try TUFKeyStore.readKey(file)
            if !newKeys.contains(where: { $0.keyID == key.keyID }) { newKeys.append(key) }
        }
        if newKeyFiles.isEmpty {
            newKeys = (0..<oldRoles.threshold).map { _ in TUFSigningKey() }
        }
        guard newKeys.count >= oldRoles.threshold else {
            throw TUFPublishError(.invalidInput, "Role \(role.rawValue) needs \(oldRoles.threshold) signatures, but \(newKeys.count) new key was given; pass --new-key once per key, at least \(oldRoles.threshold) times.")
        }
        guard Set(newKeys.map(\.keyID)) != Set(oldRoles.keyIDs) else {
            throw TUFPublishError(.invalidInput, "The new keys are the keys role \(role.rawValue) already has; pass a new key (or none, to generate one).")
        }
        for key in newKeys where !state.root.keys.contains(where: { $0.key == key.keyID }) {
            state.root.keys.append(.init(key.keyID, key.publicJSON))
        }
        state.root.roles[role] = TUFRoleKeys(keyIDs: newKeys.map(\.keyID), threshold: oldRoles.threshold)
        state.root.version += 1
        state.root.expires = timeNow() + TimeInterval(settings.expiry(of: .root))
        // Every role this change signs must be signable before a key file or metadata file is written.
        var planned = keyStore
        for key in newKeys { planned.keys[key.keyID] = key }
        let signedRoles: [TUFTopLevelRole] = [.root, .snapshot, .timestamp] + (role == .targets ? [.targets] : [])
        for signed in signedRoles { _ = try planned.signers(for: state.root.roles[signed]!, role: signed.rawValue) }
        var written: [String] = []
        for key in newKeys where keyStore.keys[key.keyID] == nil {
            written.append(try keyStore.add(key, role: role.rawValue))
        }
        try publish(&state, keys: keyStore, rootChanged: true, previousRootSigners: previousRootSigners, targetsChanged: role == .targets)
        return written
    }
}
