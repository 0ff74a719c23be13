#if canImport(Glibc)
import Glibc
#endif

/// `state_dir`: the one place that knows its layout and opens what is in it.
///
/// Every file in it (the lock, `state.json`, `journal.json`, `ota.log`, the records of backups, the
/// release cache, partial downloads and their records) is opened relative to a descriptor of the folder
/// with `O_NOFOLLOW`, so a symlink or a FIFO planted under one of those names is refused instead of
/// followed. ``prepare()`` creates the folder (mode 0700) and checks, before any command does anything,
/// that `state_dir` and `backup_path` can be trusted (see ``checkTrust()``).
///
/// ```swift
/// let directory = StateDirectory(installation: config.installation)
/// try directory.prepare()
/// let lock = try Lock.acquire(in: directory)
/// ```
public struct StateDirectory: Sendable, Hashable {
    /// `state_dir`, absolute.
    public let path: String
    /// `backup_path`, absolute (by default `state_dir/backups`).
    public let backupPath: String

    /// The state folder `path`; `backupPath` defaults to `path/backups`.
    public init(path: String, backupPath: String? = nil) {
        self.path = path
        self.backupPath = backupPath ?? path + "/" + Entry.backups
    }

    /// The installation's `state_dir` and `backup_path`.
    public init(installation: OTAConfiguration.Installation) {
        self.init(path: installation.stateDirectory, backupPath: installation.backupDirectory)
    }

    /// The names of the entries of `state_dir`.
    enum Entry {
        static let lock = "lock"
        static let state = "state.json"
        static let journal = "journal.json"
        static let log = "ota.log"
        static let backupRecords = "backup-manifests"
        static let inhibits = "inhibits"
        static let inhibitLock = "inhibit.lock"
        /// The TUF client's trusted metadata, the timestamp's ETag and the time floor.
        static let tuf = "tuf"
        /// The device id generated when `/etc/machine-id` cannot be read (rollout buckets).
        static let deviceID = "device-id"
        /// The version `ota pin` holds the device at.
        static let pinnedVersion = "pinned-version"
        /// Downloads, each beside its `.part` file and the `.part.json` record that resumes it.
        static let downloads = "downloads"
        /// The trees being extracted, assembled or restored, before they are swapped in.
        static let staging = "staging"
        /// The caches of the release sources.
        static let cache = "cache"
        /// The GitHub source's last release list and its ETag (in ``cache``).
        static let releaseList = "releases.json"
        /// The delta indexes kept as records of the release folders a delta staged (``KeptIndexes``).
        static let keptIndexes = "kept-indexes"
        /// `backup_path` unless configured.
        static let backups = "backups"
        /// The status API's Unix socket unless `status_socket` says otherwise.
        static let statusSocket = "ota.sock"

        /// The name of the agent's record of the backup `name` (in ``backupRecords``).
        static func backupRecord(_ name: String) -> String { name + ".json" }
    }

    /// `state_dir/lock`.
    public var lockPath: String { path + "/" + Entry.lock }
    /// `state_dir/state.json`.
    public var statePath: String { path + "/" + Entry.state }
    /// `state_dir/journal.json`.
    public var journalPath: String { path + "/" + Entry.journal }
    /// `state_dir/ota.log`.
    public var logPath: String { path + "/" + Entry.log }
    /// `state_dir/downloads`.
    public var downloadsPath: String { path + "/" + Entry.downloads }
    /// `state_dir/staging`.
    public var stagingPath: String { path + "/" + Entry.staging }
    /// `state_dir/cache`.
    public var cachePath: String { path + "/" + Entry.cache }
    /// `state_dir/cache/releases.json`: the GitHub source's last release list and its ETag.
    public var releaseListPath: String { cachePath + "/" + Entry.releaseList }
    /// `state_dir/ota.sock`: the status API's socket unless `status_socket` says otherwise.
    public var statusSocketPath: String { path + "/" + Entry.statusSocket }
    /// `state_dir/backup-manifests`: the agent's own copy of each backup's manifest.
    public var backupRecordsPath: String { path + "/" + Entry.backupRecords }
    /// `state_dir/backup-manifests/NAME.json`: the agent's record of the backup `name`.
    func backupRecordPath(_ name: String) -> String { backupRecordsPath + "/" + Entry.backupRecord(name) }
    /// A new folder's path in `state_dir/staging` for `purpose` (such as `1.2.0` or `restore-NAME`): unique to this call.
    func stagingPath(for purpose: String) -> String { stagingPath + "/\(purpose)-\(Transaction.makeID())" }
    /// `state_dir/inhibits`: one `<id>.json` per `ota inhibit`.
    public var inhibitsPath: String { path + "/" + Entry.inhibits }
    /// `state_dir/inhibit.lock`: an application holding a shared `flock` on it holds installs back.
    public var inhibitLockPath: String { path + "/" + Entry.inhibitLock }
    /// `state_dir/tuf`: the TUF client's trusted metadata (see ``TUFMetadataStore``).
    public var tufPath: String { path + "/" + Entry.tuf }
    /// `state_dir/device-id`: the device id kept when `/etc/machine-id` cannot be read (see ``DeviceIdentity``).
    public var deviceIDPath: String { path + "/" + Entry.deviceID }
    /// `state_dir/pinned-version`: the version `ota pin` holds the device at (see ``PinStore``).
    public var pinnedVersionPath: String { path + "/" + Entry.pinnedVersion }

    // MARK: Trust

    /// Creates `state_dir` (mode 0700) when missing, then runs ``checkTrust()`` (which names what is wrong with
    /// an entry already there that is not a folder).
    public func prepare() throws(StateError) {
        if FileSystem.lstatInfo(path) == nil {
            do { try FileSystem.makeDirectories(path, mode: 0o700) } catch {
                throw StateError(.stateFailed, "cannot create the state directory: \(error.message)", underlying: error)
            }
        }
        try checkTrust()
    }

    /// Refuses a `state_dir` or `backup_path` that another local user could change: a symlink, a folder
    /// (or a parent of one) owned by another user than root or the running one, or writable by group or others.
    public func checkTrust() throws(StateError) {
        try Self.checkTrust(path, key: "state_dir")
        try Self.checkTrust(backupPath, key: "backup_path")
    }

    /// ``checkTrust()`` for one folder, the error naming `key`.
    static func checkTrust(_ folder: String, key: String) throws(StateError) {
        do { try PathTrust.checkDirectory(folder) } catch {
            throw StateError(.untrusted, "\(key) \(folder) cannot be trusted: \(error.path) \(error.reason)")
        }
    }

    /// The uid owning `state_dir`, `nil` when it does not exist.
    public var owner: uid_t? { FileSystem.lstatInfo(path)?.st_uid }

    /// Whether the running user owns `state_dir` (only the owner runs crash recovery).
    public var isOwnedByRunningUser: Bool { owner == geteuid() }

    // MARK: Files, opened relative to the folder

    /// Opens the entry `name` (of the subfolder `folder`, when given) with `flags` plus `O_NOFOLLOW`;
    /// only a regular file with one link is accepted.
    func open(_ name: String, in folder: String? = nil, flags: Int32, mode: mode_t = 0o600) throws(SystemError) -> Int32 {
        try withFolder(folder, create: flags & O_CREAT != 0) { directory, shown throws(SystemError) in
            let fd = openat(directory, name, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, mode)
            guard fd >= 0 else {
                if errno == ELOOP { throw SystemError("open \(shown)/\(name) (a symlink: remove it)", errno: ELOOP) }
                throw SystemError.last("open \(shown)/\(name)")
            }
            var info = stat()
            guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_nlink == 1 else {
                close(fd)
                throw SystemError("open \(shown)/\(name) (not a plain file: remove it)", errno: EINVAL)
            }
            return fd
        }
    }

    /// The whole entry `name`, `nil` when it does not exist; at most `limit` bytes.
    func read(_ name: String, in folder: String? = nil, limit: Int = 64 << 20) throws(SystemError) -> [UInt8]? {
        let fd: Int32
        do { fd = try open(name, in: folder, flags: O_RDONLY) } catch where error.errno == ENOENT { return nil }
        defer { close(fd) }
        // One byte past the limit tells a file that is too large from one that just fits.
        let bytes = try Syscall.readAll(fd, limit: limit.addingReportingOverflow(1).overflow ? limit : limit + 1, "read \(path)/\(name)")
        guard bytes.count <= limit else { throw SystemError("read \(path)/\(name) (larger than \(limit) bytes)", errno: EFBIG) }
        return bytes
    }

    /// Replaces the entry `name` atomically and durably (mode 0600 by default).
    func write(_ data: some Collection<UInt8>, to name: String, in folder: String? = nil, mode: mode_t = 0o600) throws(SystemError) {
        try withFolder(folder, create: true) { directory, shown throws(SystemError) in
            try AtomicFile.write(data, named: name, in: directory, folder: shown, mode: mode)
        }
    }

    /// Removes the entry `name` durably; a missing one is not an error.
    func remove(_ name: String, in folder: String? = nil) throws(SystemError) {
        do {
            try withFolder(folder, create: false) { directory, shown throws(SystemError) in
                guard unlinkat(directory, name, 0) == 0 || errno == ENOENT else { throw SystemError.last("remove \(shown)/\(name)") }
                guard fsync(directory) == 0 else { throw SystemError.last("fsync directory \(shown)") }
            }
        } catch where error.errno == ENOENT {
            return
        }
    }

    /// The names of the entries of the subfolder `folder` (an empty list when it does not exist), without
    /// hidden ones (such as the temporary files of ``write(_:to:in:mode:)``).
    func names(in folder: String) throws(SystemError) -> [String] {
        do {
            return try withFolder(folder, create: false) { directory, shown throws(SystemError) in
                try FileSystem.names(of: directory, shown).filter { !$0.hasPrefix(".") }
            }
        } catch where error.errno == ENOENT {
            return []
        }
    }

    /// Renames the entry `name` to `newName` in the same folder (a symlink is renamed, not followed).
    func rename(_ name: String, to newName: String) throws(SystemError) {
        try withFolder(nil, create: false) { directory, shown throws(SystemError) in
            guard renameat(directory, name, directory, newName) == 0 else { throw SystemError.last("rename \(shown)/\(name) to \(newName)") }
        }
    }

    /// Runs `body` with a descriptor of `state_dir` (or of its subfolder `folder`, made 0700 with `create`)
    /// and the folder's path for messages.
    private func withFolder<T>(_ folder: String?, create: Bool, _ body: (Int32, String) throws(SystemError) -> T) throws(SystemError) -> T {
        let root = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard root >= 0 else { throw SystemError.last("open directory \(path)") }
        defer { close(root) }
        guard let folder else { return try body(root, path) }
        let shown = path + "/" + folder
        if create, mkdirat(root, folder, 0o700) != 0, errno != EEXIST { throw SystemError.last("create directory \(shown)") }
        let fd = openat(root, folder, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError.last("open directory \(shown)") }
        defer { close(fd) }
        return try body(fd, shown)
    }
}
