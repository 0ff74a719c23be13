import Foundation
import Logging

/// Reads and writes `state_dir/state.json` (mode 0600, atomically; the folder is created 0700).
///
/// - Important: A corrupt or unreadable `state.json` does not stop swift-ota: the state is only
///   a record and a cache (the journal, not this file, protects the installation), so
///   ``load()`` logs a warning, moves the bad file aside to `state.json.corrupt` for inspection,
///   and starts from an empty ``OTAState``.
///
/// ```swift
/// let store = StateStore(directory: StateDirectory(installation: config.installation))
/// try store.update { $0.lastCheck = Date() }
/// ```
package struct StateStore: Sendable {
    /// The state folder holding `state.json`.
    public let directory: StateDirectory
    let logger: Logger
    /// `state_dir/state.json`.
    public var path: String { directory.statePath }
    /// `state_dir`.
    public var stateDirectory: String { directory.path }

    /// The store of `directory`'s `state.json`; problems reading it are logged to `logger`.
    public init(directory: StateDirectory, logger: Logger = Logger(label: "ota.state")) {
        self.directory = directory
        self.logger = logger
    }

    /// The store of the state folder `stateDirectory`.
    public init(stateDirectory: String, logger: Logger = Logger(label: "ota.state")) {
        self.init(directory: StateDirectory(path: stateDirectory), logger: logger)
    }

    /// The stored state; an empty one when there is no file yet or it was corrupt (see above).
    public func load() -> OTAState {
        let bytes: [UInt8]
        do {
            guard let read = try directory.read(StateDirectory.Entry.state) else { return OTAState() }
            bytes = read
        } catch {
            if error.errno != ENOENT {
                logger.warning("state.json is unreadable; starting with an empty state", metadata: ["ota.path": "\(path)", "ota.error": "\(error.message)"])
            }
            return OTAState()
        }
        do {
            return try Journal.decoder.decode(OTAState.self, from: Data(bytes))
        } catch {
            logger.warning("state.json is corrupt; starting with an empty state", metadata: ["ota.path": "\(path)", "ota.error": "\(error)"])
            try? directory.rename(StateDirectory.Entry.state, to: StateDirectory.Entry.state + ".corrupt")
            return OTAState()
        }
    }

    /// Replaces the stored state atomically and durably.
    public func save(_ state: OTAState) throws(StateError) {
        do throws(SystemError) {
            try FileSystem.makeDirectories(directory.path, mode: 0o700)
            let data: Data
            do { data = try Journal.encoder.encode(state) } catch { throw SystemError("encode state.json", errno: EINVAL) }
            try directory.write(Array(data), to: StateDirectory.Entry.state)
        } catch {
            throw StateError(.stateFailed, "cannot write \(path): \(error.message)", underlying: error)
        }
    }

    /// Loads, changes and saves the state; returns the saved state.
    @discardableResult
    public func update(_ change: (inout OTAState) -> Void) throws(StateError) -> OTAState {
        var state = load()
        change(&state)
        try save(state)
        return state
    }
}
