import Foundation

/// Where a TUF client keeps what it trusts between refreshes: the metadata under unversioned names
/// (`root.json`, `timestamp.json`, `snapshot.json`, `targets.json`, and `<role>.json` for a delegated
/// role, its name percent-encoded as python-tuf does), the ETag of the stored `timestamp.json`
/// (`timestamp.etag`), the time floor (`time-floor`, the newest time a refresh succeeded at) and the lock
/// that a refresh holds (`refresh.lock`).
///
/// Every file is replaced atomically and durably, and opened without following symlinks. The client
/// writes a file only after the trust state accepted it, so nothing here is older or less verified
/// than what the device trusted.
public struct TUFMetadataStore: Sendable {
    let directory: StateDirectory
    let folder: String?

    /// The device's store, `state_dir/tuf/`.
    public init(stateDirectory: StateDirectory) {
        directory = stateDirectory
        folder = StateDirectory.Entry.tuf
    }

    /// A store in the folder `path` itself (`ota tuf-client --metadata-dir`).
    public init(path: String) {
        directory = StateDirectory(path: path)
        folder = nil
    }

    /// The folder's path, for messages.
    public var path: String { folder.map { directory.path + "/" + $0 } ?? directory.path }

    static let etagName = "timestamp.etag"
    static let timeFloorName = "time-floor"

    /// The file name of `role`'s metadata: `<role>.json`, the name percent-encoded except for
    /// letters, digits and `_.-~` (a role name may hold `/`).
    public static func fileName(forRole role: String) -> String {
        var name = ""
        for byte in role.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "~"):
                name.append(Character(UnicodeScalar(byte)))
            default:
                name += "%" + Hex.uppercase(CollectionOfOne(byte))
            }
        }
        return name + ".json"
    }

    /// The stored metadata of `role`, `nil` when there is none; at most `limit` bytes.
    public func metadata(role: String, limit: Int) throws(StateError) -> Data? {
        try read(Self.fileName(forRole: role), limit: limit)
    }

    /// Stores `data` as `role`'s metadata, replacing the stored copy atomically.
    public func storeMetadata(_ data: Data, role: String) throws(StateError) {
        try write(data, Self.fileName(forRole: role))
    }

    /// Removes `role`'s stored metadata (a copy the trust state discarded).
    public func removeMetadata(role: String) throws(StateError) {
        try remove(Self.fileName(forRole: role))
    }

    /// The ETag of the stored `timestamp.json`, if known.
    public func timestampETag() -> String? {
        guard let data = try? read(Self.etagName, limit: 1024) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// Stores `etag` as the stored timestamp's, or forgets it (`nil`).
    public func storeTimestampETag(_ etag: String?) throws(StateError) {
        guard let etag else { return try remove(Self.etagName) }
        try write(Data((etag + "\n").utf8), Self.etagName)
    }

    /// The time floor: the newest time at which this device completed a refresh, `nil` before the first.
    public func timeFloor() -> Date? {
        guard let data = try? read(Self.timeFloorName, limit: 64) else { return nil }
        return UTCTime.date(iso8601: String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Raises the time floor to `time`; a time at or below the stored floor changes nothing.
    public func raiseTimeFloor(to time: Date) throws(StateError) {
        if let floor = timeFloor(), floor >= time { return }
        try write(Data((UTCTime.iso8601(time) + "\n").utf8), Self.timeFloorName)
    }

    /// Opens (creating it) the file `name` in the store's folder for reading and writing: the refresh lock.
    func openLockFile(_ name: String) throws(StateError) -> Int32 {
        do {
            try prepareFolder()
            return try directory.open(name, in: folder, flags: O_RDWR | O_CREAT, mode: 0o644)
        } catch {
            throw StateError(.lockFailed, "cannot open the lock file \(path)/\(name): \(error.message); check the folder's owner and permissions", underlying: error)
        }
    }

    private func read(_ name: String, limit: Int) throws(StateError) -> Data? {
        do {
            return try directory.read(name, in: folder, limit: limit).map { Data($0) }
        } catch {
            throw StateError(.stateFailed, "cannot read the TUF metadata \(path)/\(name): \(error.message); remove it to fetch it again", underlying: error)
        }
    }

    private func write(_ data: Data, _ name: String) throws(StateError) {
        do {
            try prepareFolder()
            try directory.write(data, to: name, in: folder, mode: 0o644)
        } catch {
            throw StateError(.stateFailed, "cannot store the TUF metadata \(path)/\(name): \(error.message); check the folder's owner, permissions and free space", underlying: error)
        }
    }

    private func remove(_ name: String) throws(StateError) {
        do {
            try directory.remove(name, in: folder)
        } catch {
            throw StateError(.stateFailed, "cannot remove the TUF metadata \(path)/\(name): \(error.message); check the folder's owner and permissions", underlying: error)
        }
    }

    /// Creates the folder above the store when missing (`StateDirectory` creates subfolders only).
    private func prepareFolder() throws(SystemError) {
        try FileSystem.makeDirectories(directory.path, mode: folder == nil ? 0o755 : 0o700)
    }
}
