import Foundation

/// The TUF client's trust state for one refresh: every rule of the specification's client workflow
/// that decides whether metadata is trusted, and nothing else — bytes in, typed values out, no I/O,
/// no clock (the caller gives the time).
///
/// A refresh, as the updater drives it (each step throws a ``TUFError`` naming the role and why):
/// 1. `init(trustedRoot:now:timeFloor:)` with the stored `root.json` (trusted as is: it is the anchor).
/// 2. ``updateRoot(_:)`` with `N+1.root.json` for N = the trusted version, until the repository has
///    no newer root (404); persist each accepted root before fetching the next.
/// 3. ``loadStoredTimestamp(_:)`` with the stored `timestamp.json` (if any) — a ``TUFStoredCopy/discarded(_:)``
///    answer means: delete the stored file. Then ``updateTimestamp(_:)`` with the fetched one; persist it
///    when the answer is ``TUFTimestampUpdate/updated``.
/// 4. ``loadStoredSnapshot(_:)`` with the stored `snapshot.json`; unless it answers ``TUFStoredCopy/trusted``,
///    fetch the version ``TUFTimestamp/snapshotMeta`` names and call ``updateSnapshot(_:)``, then persist it.
/// 5. ``updateTargets(_:)`` with the stored `targets.json`, and if that throws, with the fetched one.
/// 6. Find targets with ``TUFTargetSearch``, which names each delegated role to load
///    (``updateDelegatedTargets(_:role:delegator:)``, stored copy first, as in step 5).
///
/// A call that throws changes nothing. Files must be persisted only after the call that accepts them
/// returns, so the stored copies are never older or less verified than what the device trusted.
public struct TUFTrustedMetadata: Sendable {
    /// The time expiry is checked against: the later of the caller's clock and its stored time floor.
    public let referenceTime: Date
    /// The caller's clock when the refresh started (earlier than ``referenceTime`` when the time floor is later).
    public let clockTime: Date
    /// The bounds in force.
    public let limits: TUFLimits
    /// The trusted root: the initial one, or the newest accepted by ``updateRoot(_:)``.
    public private(set) var root: TUFRoot
    /// The trusted timestamp, once loaded.
    public internal(set) var timestamp: TUFTimestamp?
    /// The trusted snapshot, once loaded.
    public internal(set) var snapshot: TUFSnapshot?

    /// The root this refresh started from: key rotations are detected against it.
    let initialRoot: TUFRoot
    /// How many roots ``updateRoot(_:)`` accepted.
    private var rootRotations = 0
    /// Whether root updates are over (the final root was checked for expiry).
    private(set) var rootUpdatesEnded = false
    /// Trusted targets roles by name (`targets` and delegated roles), with the delegators they were verified against.
    var targetsRoles: [String: TrustedTargets] = [:]

    struct TrustedTargets: Sendable {
        var targets: TUFTargets
        /// Names of the roles whose keys this metadata was verified against (`root` for `targets`).
        var verifiedBy: Set<String>
    }

    /// The trusted top-level targets, once loaded.
    public var targets: TUFTargets? { targetsRoles[TUFTopLevelRole.targets.rawValue]?.targets }

    /// The trusted metadata of targets role `role` if it was verified against `delegator`'s keys
    /// (`root` for the top-level `targets`); `nil` otherwise, even when it was verified against another delegator.
    public func targets(role: String, verifiedBy delegator: String) -> TUFTargets? {
        guard let trusted = targetsRoles[role], trusted.verifiedBy.contains(delegator) else { return nil }
        return trusted.targets
    }

    /// Starts a refresh from the stored, trusted `root.json` (verified only against itself; an expired
    /// root is accepted here, as newer roots may follow).
    /// - Parameters:
    ///   - trustedRoot: the bytes of the stored root.
    ///   - now: the caller's clock.
    ///   - timeFloor: the newest time this device has seen verified, kept by the caller: expiry is
    ///     checked against the later of it and `now`, so a clock reset to 1970 accepts nothing expired.
    ///   - limits: size and count bounds.
    public init(trustedRoot: Data, now: Date, timeFloor: Date? = nil, limits: TUFLimits = TUFLimits()) throws(TUFError) {
        referenceTime = max(now, timeFloor ?? now)
        clockTime = now
        self.limits = limits
        try limits.check(trustedRoot.count, role: "root", file: "root.json")
        let root = try TUFRoot(trustedRoot, file: "root.json")
        try root.verify(root.envelope, role: .root, file: "root.json")
        self.root = root
        initialRoot = root
    }

    /// Verifies `data` as the next root (`N+1.root.json`) and trusts it.
    ///
    /// It must be version N+1 and signed by a threshold of the trusted root's root keys and of its own.
    /// Its expiry is not checked here (an intermediate root may be expired): ``endRootUpdates()`` checks
    /// the final one. Call before any timestamp.
    @discardableResult
    public mutating func updateRoot(_ data: Data) throws(TUFError) -> TUFRoot {
        let expected = root.header.version + 1
        let file = "\(expected).root.json"
        guard !rootUpdatesEnded, timestamp == nil else {
            throw TUFError(.outOfOrder, "The TUF root cannot be updated after the timestamp was loaded; start a new refresh.")
        }
        guard rootRotations < limits.maximumRootRotations else {
            throw TUFError(.tooManyRootRotations, "The TUF repository offers more than \(limits.maximumRootRotations) new root versions in one refresh; it is refused as a possible attack, so ask its publisher.")
        }
        try limits.check(data.count, role: "root", file: file)
        let newRoot = try TUFRoot(data, file: file)
        try root.verify(newRoot.envelope, role: .root, file: file)
        guard newRoot.header.version == expected else {
            throw TUFError(newRoot.header.version < expected ? .rolledBack : .unexpectedVersion,
                           "The TUF metadata \(file) is root version \(newRoot.header.version) where version \(expected) was expected: the repository is misconfigured or replaying old roots, so it is refused; report it to its publisher.")
        }
        try newRoot.verify(newRoot.envelope, role: .root, file: file)
        root = newRoot
        rootRotations += 1
        return newRoot
    }

    /// Ends the root updates: throws when the final root is expired. Idempotent; the timestamp steps call it.
    public mutating func endRootUpdates() throws(TUFError) {
        guard !rootUpdatesEnded else { return }
        try checkNotExpired(root.header, file: "root.json (version \(root.header.version))")
        rootUpdatesEnded = true
    }

    /// Whether the root changed the timestamp or snapshot keys since the refresh started: stored copies
    /// of those roles are then dropped (fast-forward attack recovery).
    var rotatedTimestampOrSnapshotKeys: Bool {
        root.rotatedKeys(of: .timestamp, since: initialRoot) || root.rotatedKeys(of: .snapshot, since: initialRoot)
    }

    /// Throws ``TUFError/Code/expired`` when `header` is expired at ``referenceTime``.
    func checkNotExpired(_ header: TUFSignedHeader, file: String) throws(TUFError) {
        guard header.isExpired(at: referenceTime) else { return }
        let time = referenceTime > clockTime
            ? "\(UTCTime.iso8601(referenceTime)), its time floor: it has verified metadata at that time, although its clock says \(UTCTime.iso8601(clockTime))"
            : UTCTime.iso8601(referenceTime)
        throw TUFError(.expired, "The TUF metadata \(file) expired at \(UTCTime.iso8601(header.expires)) (this device's time is \(time)): the repository was not refreshed or an attacker is replaying old metadata, so nothing is trusted from it; its publisher must re-sign it (ota publish refresh).")
    }
}

/// What became of a stored copy (a file persisted by an earlier refresh) offered to the trust set.
public enum TUFStoredCopy: Sendable, Equatable {
    /// Verified and current: it is used as is (a stored snapshot need not be downloaded again).
    case trusted
    /// Verified and kept as the version newer files must not go below, but not usable itself
    /// (expired, or not the version the timestamp names): fetch the current file.
    case rollbackReference(TUFError)
    /// Refused (it no longer verifies, or its role's keys were rotated): delete the stored file and fetch.
    case discarded(TUFError)
}

/// What ``TUFTrustedMetadata/updateTimestamp(_:)`` did.
public enum TUFTimestampUpdate: Sendable, Equatable {
    /// A newer timestamp is trusted: persist the file.
    case updated
    /// Same version as the trusted one, which is kept: nothing to persist.
    case unchanged
}
