/// The bounds a TUF client keeps to, whatever a repository serves (python-tuf's defaults).
public struct TUFLimits: Sendable, Equatable {
    /// Largest `root.json` accepted, in bytes.
    public var maximumRootBytes = 512_000
    /// Largest `timestamp.json` accepted.
    public var maximumTimestampBytes = 16_384
    /// Largest `snapshot.json` accepted.
    public var maximumSnapshotBytes = 2_000_000
    /// Largest targets metadata file (top-level or delegated) accepted.
    public var maximumTargetsBytes = 5_000_000
    /// Most new root versions accepted in one refresh.
    public var maximumRootRotations = 256
    /// Most targets roles (the top-level one included) one target search visits.
    public var maximumVisitedRoles = 32

    /// The defaults.
    public init() {}

    /// The largest file accepted for a role; any name other than a top-level one is a delegated targets role.
    public func maximumBytes(forRole role: String) -> Int {
        switch TUFTopLevelRole(rawValue: role) {
        case .root: maximumRootBytes
        case .timestamp: maximumTimestampBytes
        case .snapshot: maximumSnapshotBytes
        case .targets, nil: maximumTargetsBytes
        }
    }

    /// Throws unless `data` fits the limit of `role`; `file` names it in the error.
    func check(_ byteCount: Int, role: String, file: String) throws(TUFError) {
        let limit = maximumBytes(forRole: role)
        guard byteCount > limit else { return }
        throw TUFError(.tooLarge, "The TUF metadata \(file) is \(byteCount) bytes, over the limit of \(limit) bytes for role \(role); it is refused, so ask the repository's publisher why it is so large (the limit can be raised in the client).")
    }
}
