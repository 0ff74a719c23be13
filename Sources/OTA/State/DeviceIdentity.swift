import Foundation
import Logging

/// The id that places this device in rollout buckets (``RolloutBucket``): `device_id` when set, else the
/// contents of `/etc/machine-id`, else a random id generated once and kept in `state_dir/device-id`.
///
/// The id must stay the same across reboots and updates, or the device would move between buckets: the
/// kept id is written once (mode 0600) and read back on every later resolution.
public struct DeviceIdentity: Sendable {
    /// systemd's machine id, the default source of the id.
    public static let defaultMachineIDPath = "/etc/machine-id"

    /// `device_id`, when the configuration sets one.
    public let configured: String?
    /// The file holding the machine id (tests give another).
    public let machineIDPath: String
    /// Where the fallback id is kept.
    public let directory: StateDirectory

    public init(configured: String?, machineIDPath: String = Self.defaultMachineIDPath, directory: StateDirectory) {
        self.configured = configured
        self.machineIDPath = machineIDPath
        self.directory = directory
    }

    /// The identity `configuration` gives (`device_id`, `state_dir`).
    public init(configuration: OTAConfiguration, machineIDPath: String = Self.defaultMachineIDPath) {
        self.init(configured: configuration.source.deviceID, machineIDPath: machineIDPath,
                  directory: StateDirectory(installation: configuration.installation))
    }

    /// The device's id. Logs a warning when the machine id cannot be read and the kept id is used instead.
    /// - Throws: ``StateError`` when neither the machine id nor a kept id can be read and none can be kept.
    public func resolve(logger: Logger) throws(StateError) -> String {
        // Surrounding white space is never part of an id (the publisher's --device-ids file is read the same way).
        if let configured { return configured.trimmingCharacters(in: .whitespacesAndNewlines) }
        let problem: String
        switch Self.readMachineID(machineIDPath) {
        case .success(let id): return id
        case .failure(let reason): problem = reason.description
        }
        let id = try keptID()
        logger.warning("cannot read the machine id: using the device id kept in state_dir for rollouts (set device_id to choose one)",
                       metadata: ["ota.path": "\(machineIDPath)", "ota.reason": "\(problem)", "ota.kept": "\(directory.deviceIDPath)"])
        return id
    }

    /// The trimmed contents of the machine-id file, or why it cannot be used.
    static func readMachineID(_ path: String) -> Result<String, Reason> {
        guard let data = FileManager.default.contents(atPath: path) else { return .failure(Reason("it does not exist or is unreadable")) }
        let text = String(decoding: data.prefix(4096), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        // systemd writes "uninitialized" until the first boot completes.
        guard !text.isEmpty, text != "uninitialized" else { return .failure(Reason("it holds no id")) }
        return .success(text)
    }

    /// The id kept in `state_dir/device-id`, generated (32 random hex digits, like a machine id) the first time.
    private func keptID() throws(StateError) -> String {
        let name = StateDirectory.Entry.deviceID
        if let bytes = try? directory.read(name, limit: 4096) {
            let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty { return text }
        }
        var generator = SystemRandomNumberGenerator()
        let id = Hex.lowercase((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
        try directory.prepare()
        do {
            try directory.write(Array((id + "\n").utf8), to: name)
        } catch {
            throw StateError(.stateFailed, "cannot read \(machineIDPath) and cannot keep a device id in \(directory.deviceIDPath): \(error.message); set device_id in the configuration", underlying: error)
        }
        return id
    }

    /// Why the machine id cannot be used.
    struct Reason: Error, CustomStringConvertible {
        let description: String

        init(_ description: String) {
            self.description = description
        }
    }
}
