/// One entry of an archive as its header describes it, before the safety policy is applied.
///
/// `path` and the link target are exactly as written in the archive (possibly absolute, with `..`,
/// or with control characters); ``Extractor`` validates them.
public struct ArchiveEntry: Sendable, Equatable {
    /// What the entry creates.
    public enum Kind: Sendable, Equatable {
        /// A regular file; its ``ArchiveEntry/size`` bytes of data follow.
        case file
        /// A folder.
        case directory
        /// A symbolic link to `target` (relative to the link's folder).
        case symbolicLink(target: String)
        /// A hard link to `target`, an earlier entry's path relative to the archive root.
        case hardLink(target: String)
    }

    /// The path as stored (pax `path`, GNU long name, ustar prefix + name, or zip name).
    public var path: String
    /// What the entry creates.
    public var kind: Kind
    /// Permission bits as stored, including setuid/setgid/sticky (the extractor drops those).
    public var mode: UInt32
    /// Modification time, seconds since the epoch.
    public var modificationTime: Int64
    /// Size of the data that follows (regular files only; 0 otherwise).
    public var size: Int64

    /// An entry as a format reader decoded it.
    public init(path: String, kind: Kind, mode: UInt32, modificationTime: Int64, size: Int64) {
        self.path = path
        self.kind = kind
        self.mode = mode
        self.modificationTime = modificationTime
        self.size = size
    }
}
