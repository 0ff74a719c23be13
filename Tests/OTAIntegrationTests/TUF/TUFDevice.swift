import Foundation
import Logging
import Synchronization
@testable import OTA
import OTATestSupport

/// An installation of `monitor` at 1.0.0 whose configuration reads a python-tuf repository served by nginx
/// (`source: tuf`), with the device's clock injectable.
struct TUFDevice {
    static let oldFiles = ["src/app.sh": "echo 1.0.0\n", "config/settings.yaml": "level: 1\n", "VERSION": "1.0.0\n"]

    let repository: TUFCatalogRepository
    let directory: TemporaryDirectory
    let configuration: OTAConfiguration

    /// The device, its configuration parsed from YAML as `ota` reads it.
    /// - Parameter rootInside: keep `tuf_root` at `config/root.json` inside the installation (a managed path).
    init(_ repository: TUFCatalogRepository, extra: String = "", rootInside: Bool = false) throws {
        self.repository = repository
        directory = try TemporaryDirectory("tuf-device")
        for (path, content) in Self.oldFiles { try directory.write("install/\(path)", content) }
        if rootInside { try directory.write("install/config/root.json", Data(contentsOf: URL(fileURLWithPath: repository.initialRoot))) }
        let yaml = """
            source: tuf
            tuf_url: \(repository.url)
            tuf_root: \(rootInside ? "config/root.json" : repository.initialRoot)
            product: monitor
            install_dir: \(directory.url("install"))
            state_dir: \(directory.url("state"))
            backup_path: \(directory.url("backups"))
            max_retries: 0
            retry_delay: 0
            download_timeout: 60
            \(extra)
            """
        configuration = try OTAConfiguration.parse(yaml: yaml, environment: ConfigurationEnvironment([:]))
    }

    /// A release of `monitor` whose archive holds `src/app.sh` and `config/settings.yaml` for `version`.
    static func release(_ version: String, platform: String = "any", channels: [String] = ["stable"], yanked: Bool = false,
                        rollout: [String: Any]? = nil, signedVersion: String? = nil, extraFiles: [String: String] = [:]) throws -> TUFCatalogRepository.Target {
        let files = ["src/app.sh": "echo \(version)\n", "config/settings.yaml": "level: 2\n"].merging(extraFiles) { $1 }
        let archive = try TUFCatalogRepository.tarball(prefix: "monitor-\(version)", files: files)
        return TUFCatalogRepository.release("monitor", version, file: "monitor-\(version)-\(platform).tar.gz", contents: archive,
                                            signedVersion: signedVersion, platform: platform, channels: channels, yanked: yanked, rollout: rollout)
    }

    /// A source over its own transport, with `clock` as the device's clock and its log lines in `logs`.
    func source(clock: @escaping @Sendable () -> Date = { Date() }, logs: LogLines? = nil) throws -> TUFReleaseSource {
        let logger = Self.logger(logs)
        return try source(transport: HTTPTransport(transfer: configuration.transfer, source: configuration.source, logger: logger), logger: logger, clock: clock)
    }

    /// The configuration's TUF source over `transport`.
    func source(transport: HTTPTransport, logger: Logger, clock: @escaping @Sendable () -> Date) throws -> TUFReleaseSource {
        try TUFReleaseSource(source: configuration.source, transfer: configuration.transfer, directory: StateDirectory(installation: configuration.installation),
                             installDirectory: configuration.installation.installDirectory, transport: transport, logger: logger, clock: clock)
    }

    /// An updater over ``source(clock:logs:)``.
    func updater(clock: @escaping @Sendable () -> Date = { Date() }) throws -> OTAUpdater {
        let logger = Self.logger(nil)
        let transport = HTTPTransport(transfer: configuration.transfer, source: configuration.source, logger: logger)
        let source = try source(transport: transport, logger: logger, clock: clock)
        return OTAUpdater(configuration: configuration, source: source, transport: transport, logger: logger)
    }

    /// Every file of `state_dir/tuf`: name → bytes.
    func storedMetadata() throws -> [String: Data] {
        let folder = configuration.installation.stateDirectory + "/tuf"
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
            files[name] = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
        }
        return files
    }

    /// The installed tree (state folder excluded): path → content.
    func tree() throws -> [String: String] {
        let base = configuration.installation.installDirectory
        var result: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(atPath: base)
        while let path = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: base + "/" + path, isDirectory: &isDirectory)
            if !isDirectory.boolValue { result[path] = try String(contentsOfFile: base + "/" + path, encoding: .utf8) }
        }
        return result
    }

    static func logger(_ logs: LogLines?) -> Logger {
        guard let logs else {
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            return logger
        }
        return Logger(label: "test") { _ in CallbackLogHandler(withMetadata: true) { logs.append($0) } }
    }
}

/// Log lines collected from any thread: each message followed by its ` key=value` metadata.
final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])

    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}
