import Foundation
import Logging
@testable import OTA
import OTATestSupport

/// A repository made by `ota publish` (the library) with its own clock, served by nginx, and devices of
/// `monitor` at 1.0.0 that read it with `source: tuf`, each with its own id and clock.
struct FleetFixture {
    let work: TemporaryDirectory
    /// The publisher's clock; devices start on it too.
    let clock = PublishClock()
    let publisher: TUFPublisher
    let nginx: NginxServer

    init() throws {
        work = try TemporaryDirectory("fleet")
        publisher = try TUFPublisher.initialize(repository: work.url("repo"), keys: work.url("keys"), product: "monitor", now: clock.function)
        nginx = try NginxServer(root: work.url("repo"))
    }

    /// Publishes `version` for `platform` from a tarball of the app at that version, offered to `percent` of devices.
    func publish(_ version: String, platform: String = "any", percent: Int = 100) throws {
        let archive = try TUFCatalogRepository.tarball(prefix: "monitor-\(version)",
                                                      files: ["src/app.sh": "echo \(version)\n", "config/settings.yaml": "level: 2\n"])
        let name = "monitor-\(version)-\(platform).tar.gz"
        try work.write("build/\(name)", archive)
        try publisher.add(version: version, platform: platform, rolloutPercent: percent, archives: [work.url("build/\(name)")])
    }

    /// A device at 1.0.0 named `name`; `deviceID` nil leaves `device_id` unset.
    func device(_ name: String, deviceID: String?, extra: String = "") throws -> Device {
        for (path, content) in TUFDevice.oldFiles { try work.write("\(name)/install/\(path)", content) }
        let yaml = """
            source: tuf
            tuf_url: \(nginx.baseURL)
            tuf_root: \(work.url("repo/metadata/1.root.json"))
            product: monitor
            install_dir: \(work.url("\(name)/install"))
            state_dir: \(work.url("\(name)/state"))
            max_retries: 0
            \(deviceID.map { "device_id: \($0)" } ?? "")
            \(extra)
            """
        return Device(configuration: try OTAConfiguration.parse(yaml: yaml, environment: ConfigurationEnvironment([:])),
                      clock: PublishClock(clock.now))
    }

    /// A device id whose bucket in the rollout `rolloutID` lies in `range` (a fraction of 1).
    static func deviceID(inBucket range: ClosedRange<Double>, rollout rolloutID: String) -> String {
        (0...).lazy.map { "device-\($0)" }.first { range.contains(RolloutBucket(deviceID: $0, rolloutID: rolloutID).fraction) }!
    }

    struct Device {
        let configuration: OTAConfiguration
        /// The device's clock.
        let clock: PublishClock

        /// An updater whose TUF source reads `clock` and `machineIDPath`, logging into `logs`.
        func updater(machineIDPath: String = DeviceIdentity.defaultMachineIDPath, logs: LogLines? = nil) throws -> OTAUpdater {
            let logger = TUFDevice.logger(logs)
            let transport = HTTPTransport(transfer: configuration.transfer, source: configuration.source, logger: logger)
            let source = try TUFReleaseSource(source: configuration.source, transfer: configuration.transfer,
                                              directory: StateDirectory(installation: configuration.installation),
                                              installDirectory: configuration.installation.installDirectory, transport: transport, logger: logger,
                                              clock: clock.function, machineIDPath: machineIDPath)
            return OTAUpdater(configuration: configuration, source: source, transport: transport, logger: logger)
        }

        /// One poll: `ota update` as the agent runs it.
        func update(logs: LogLines? = nil) async throws -> UpdateOutcome {
            let updater = try updater(logs: logs)
            do {
                let outcome = try await updater.update()
                await updater.shutdown()
                return outcome
            } catch {
                await updater.shutdown()
                throw error
            }
        }

        /// One `ota check`.
        func check() async throws -> UpdateCheck {
            let updater = try updater()
            do {
                let outcome = try await updater.check()
                await updater.shutdown()
                return outcome
            } catch {
                await updater.shutdown()
                throw error
            }
        }

        func installedApp() throws -> String {
            try String(contentsOfFile: configuration.installation.installDirectory + "/src/app.sh", encoding: .utf8)
        }

        var pins: PinStore { PinStore(directory: StateDirectory(installation: configuration.installation)) }
    }
}
