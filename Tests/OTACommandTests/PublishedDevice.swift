import Foundation
import OTA
import OTATestSupport

/// A repository made by `ota publish`'s library (product `monitor`), served unchanged by nginx, and an
/// installation of monitor at 0.1.0 whose configuration file (``configPath``) reads it with `source: tuf`.
struct PublishedDevice {
    let work: TemporaryDirectory
    let publisher: TUFPublisher
    let nginx: NginxServer
    /// The device's configuration file.
    let configPath: String

    /// - Parameter extra: more lines of the device's configuration.
    init(extra: String = "") throws {
        work = try TemporaryDirectory("published-device")
        publisher = try TUFPublisher.initialize(repository: work.url("repo"), keys: work.url("keys"), product: "monitor")
        nginx = try NginxServer(root: work.url("repo"))
        try work.write("install/src/app.sh", "echo 0.1.0\n")
        try work.write("install/VERSION", "0.1.0\n")
        configPath = try Self.writeConfiguration("ota.yaml", state: "state", extra: extra, work: work, nginx: nginx)
    }

    /// Writes a configuration file `name` for the installation, with its state in `state` (relative to the work folder).
    func writeConfiguration(_ name: String, state: String, extra: String = "") throws -> String {
        try Self.writeConfiguration(name, state: state, extra: extra, work: work, nginx: nginx)
    }

    private static func writeConfiguration(_ name: String, state: String, extra: String, work: TemporaryDirectory, nginx: NginxServer) throws -> String {
        try work.write(name, """
            source: tuf
            tuf_url: \(nginx.baseURL)
            tuf_root: \(work.url("repo/metadata/1.root.json"))
            product: monitor
            install_dir: \(work.url("install"))
            state_dir: \(work.url(state))
            max_retries: 0
            retry_delay: 0
            \(extra)
            """)
    }

    /// Publishes `version` for every platform (`any`) on `channels`.
    func publish(_ version: String, channels: [String] = ["stable"]) throws {
        let archive = try TUFCatalogRepository.tarball(prefix: "monitor-\(version)", files: ["src/app.sh": "echo \(version)\n", "VERSION": "\(version)\n"])
        let path = try work.write("build/monitor-\(version).tar.gz", archive)
        try publisher.add(version: version, platform: "any", channels: channels, archives: [path])
    }

    /// Every file of the trusted metadata folder `state/tuf` (the lock file aside): name → bytes.
    func storedMetadata(state: String = "state") throws -> [String: Data] {
        let folder = work.url(state + "/tuf")
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) where name != "refresh.lock" {
            files[name] = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
        }
        return files
    }

    /// The JSON object a command printed.
    static func object(_ output: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] else {
            throw CocoaError(.coderReadCorrupt, userInfo: [NSLocalizedDescriptionKey: "not a JSON object: \(output)"])
        }
        return object
    }
}
