import Foundation

/// The version `ota pin` holds the device at: `state_dir/pinned-version` (one line, mode 0600, written atomically).
///
/// The configuration's `pinned_version` wins over it (``effectivePin(configured:)``).
///
/// ```swift
/// let store = PinStore(directory: StateDirectory(installation: config.installation))
/// try store.pin(SemanticVersion(1, 2, 0))
/// try store.unpin()
/// ```
public struct PinStore: Sendable {
    /// The state folder holding `pinned-version`.
    public let directory: StateDirectory

    public init(directory: StateDirectory) {
        self.directory = directory
    }

    /// The version pinned with `ota pin`; `nil` when none is.
    /// - Throws: ``StateError`` when the file cannot be read or does not hold a version.
    public func load() throws(StateError) -> SemanticVersion? {
        let bytes: [UInt8]?
        do { bytes = try directory.read(StateDirectory.Entry.pinnedVersion, limit: 1024) } catch {
            throw StateError(.stateFailed, "cannot read the pin \(directory.pinnedVersionPath): \(error.message)", underlying: error)
        }
        guard let bytes else { return nil }
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let version = SemanticVersion(text) else {
            throw StateError(.stateFailed, "the pin \(directory.pinnedVersionPath) holds '\(text)', not a version; pin again with `ota pin VERSION` or remove it with `ota unpin`")
        }
        return version
    }

    /// Holds the device at `version` (replacing any earlier pin).
    public func pin(_ version: SemanticVersion) throws(StateError) {
        try directory.prepare()
        do { try directory.write(Array((version.description + "\n").utf8), to: StateDirectory.Entry.pinnedVersion) } catch {
            throw StateError(.stateFailed, "cannot record the pin in \(directory.pinnedVersionPath): \(error.message)", underlying: error)
        }
    }

    /// Removes the pin; returns the version that was pinned, `nil` when none was.
    @discardableResult
    public func unpin() throws(StateError) -> SemanticVersion? {
        let previous = try? load()
        do { try directory.remove(StateDirectory.Entry.pinnedVersion) } catch {
            throw StateError(.stateFailed, "cannot remove the pin \(directory.pinnedVersionPath): \(error.message)", underlying: error)
        }
        return previous ?? nil
    }

    /// The pin in force: `configured` (the configuration's `pinned_version`), else the one `ota pin` recorded.
    public func effectivePin(configured: SemanticVersion?) throws(StateError) -> SemanticVersion? {
        if let configured { return configured }
        return try load()
    }
}
