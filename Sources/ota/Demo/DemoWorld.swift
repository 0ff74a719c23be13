import Foundation
import OTA
import OTAArchiveWriter
import OTASigning

/// The demo's files: an installation of "monitor" at 0.1.0 and a mirror root of signed releases.
struct DemoWorld {
    let root: String
    let signer = MinisignSigner()

    var installDirectory: String { root + "/monitoring" }
    var mirrorRoot: String { root + "/mirror" }
    var backupDirectory: String { root + "/backups" }

    init(root: String) throws {
        self.root = root
        try Self.write(installDirectory + "/src/monitor.sh", Self.monitor("0.1.0"), executable: true)
        try Self.write(installDirectory + "/src/health.sh", "#!/bin/sh\nexit 0\n", executable: true)
        try Self.write(installDirectory + "/config/settings.yaml", "interval: 60\n")
        try Self.write(installDirectory + "/VERSION", "0.1.0\n")
        try FileManager.default.createDirectory(atPath: mirrorRoot + "/demo/monitor", withIntermediateDirectories: true)
    }

    /// Publishes `version` of monitor, signed, with a SHA256SUMS file; `healthy: false` ships a health check that fails.
    func publish(_ version: String, notes: String, prerelease: Bool = false, healthy: Bool = true) throws {
        let tree = try build(version, healthy: healthy)
        let release = mirrorRoot + "/demo/monitor/v\(version)"
        let name = "monitor-\(version).tar.gz"
        try FileManager.default.createDirectory(atPath: release, withIntermediateDirectories: true)
        try TarGzipWriter.write(directory: tree, to: release + "/" + name, prefix: "monitor-\(version)")
        try signer.signature(forFileAt: release + "/" + name, trustedComment: "file:\(name) version:\(version)")
            .write(to: URL(fileURLWithPath: release + "/" + name + ".minisig"))
        let metadata: [String: Any] = ["name": "monitor \(version)", "body": notes, "prerelease": prerelease,
                                       "published_at": UTCTime.iso8601(Date())]
        try JSONSerialization.data(withJSONObject: metadata, options: [.sortedKeys]).write(to: URL(fileURLWithPath: release + "/release.json"))
    }

    /// The files of `version` of monitor in `build/<version>`; `healthy: false` ships a health check that fails.
    func build(_ version: String, healthy: Bool = true) throws -> String {
        let tree = root + "/build/\(version)"
        try Self.write(tree + "/src/monitor.sh", Self.monitor(version), executable: true)
        try Self.write(tree + "/src/health.sh", healthy ? "#!/bin/sh\nexit 0\n" : "#!/bin/sh\necho 'monitor does not answer on :8080' >&2\nexit 1\n", executable: true)
        try Self.write(tree + "/config/settings.yaml", "interval: 30\n")
        try Self.write(tree + "/VERSION", version + "\n")
        return tree
    }

    /// `dist/monitor-<version>.tar.gz`: the files of `version` packed as a release archive, for `ota publish add`.
    func archive(_ version: String) throws -> String {
        let tree = try build(version)
        let path = root + "/dist/monitor-\(version).tar.gz"
        try FileManager.default.createDirectory(atPath: root + "/dist", withIntermediateDirectories: true)
        try TarGzipWriter.write(directory: tree, to: path, prefix: "monitor-\(version)")
        return path
    }

    /// The agent's configuration for a signed repository served at `url` (`source: tuf`), trusting the root `root`.
    func tufConfiguration(url: String, root: String) -> OTAConfiguration {
        var configuration = OTAConfiguration(githubRepo: "")
        configuration.installation.installDir = installDirectory
        configuration.installation.backupPath = backupDirectory
        configuration.hooks.healthCheck = "sh src/health.sh"
        configuration.hooks.healthCheckTimeout = .seconds(10)
        configuration.transfer.retryDelay = .zero
        configuration.transfer.maxRetries = 1
        configuration.source.kind = .tuf
        configuration.source.tufURL = URL(string: url)
        configuration.source.tufRoot = root
        configuration.source.product = "monitor"
        return configuration
    }

    /// The agent's configuration for this world, pointing at the mirror at `api`.
    func configuration(api: String) -> OTAConfiguration {
        var configuration = OTAConfiguration(githubRepo: "demo/monitor")
        configuration.source.githubAPIURL = URL(string: api)!   // the mirror's own http://127.0.0.1:PORT
        configuration.source.assetPattern = "monitor-{version}.tar.gz"
        configuration.source.publicKey = signer.publicKey.base64
        configuration.installation.installDir = installDirectory
        configuration.installation.backupPath = backupDirectory
        configuration.hooks.healthCheck = "sh src/health.sh"
        configuration.hooks.healthCheckTimeout = .seconds(10)
        configuration.transfer.retryDelay = .zero
        configuration.transfer.maxRetries = 1
        return configuration
    }

    /// The installation's files with the first line of each, for showing before and after.
    func tree() -> String {
        let enumerator = FileManager.default.enumerator(atPath: installDirectory)
        var lines: [String] = []
        while let path = enumerator?.nextObject() as? String {
            if path == ".ota" { enumerator?.skipDescendants(); continue }
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: installDirectory + "/" + path, isDirectory: &isDirectory)
            guard !isDirectory.boolValue else { continue }
            let content = (try? String(contentsOfFile: installDirectory + "/" + path, encoding: .utf8)) ?? ""
            let line = content.split(separator: "\n").first { !$0.hasPrefix("#!") } ?? ""
            lines.append("      \(path.padding(toLength: 22, withPad: " ", startingAt: 0)) \(line)")
        }
        return lines.sorted().joined(separator: "\n")
    }

    static func monitor(_ version: String) -> String {
        "#!/bin/sh\necho \"monitoring system \(version)\"\n"
    }

    static func write(_ path: String, _ text: String, executable: Bool = false) throws {
        try FileManager.default.createDirectory(atPath: PathName.deletingLastComponent(of: path), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path) }
    }
}
