import Foundation
import Logging
@testable import OTA
import OTATestSupport

/// A repository made by `ota publish` (with delta indexes and objects), served by nginx, and a device
/// at 1.0.0 that reads it (`source: tuf`).
struct DeltaFixture {
    let work: TemporaryDirectory
    let publisher: TUFPublisher
    let nginx: NginxServer
    let configuration: OTAConfiguration

    /// Release 1.0.0: 40 files in nested folders (one executable), a symbolic link, an empty folder, VERSION.
    static let oldTree: [String: String] = {
        var files: [String: String] = ["VERSION": "1.0.0\n", "config/settings.yaml": "level: 1\n"]
        for index in 0..<40 {
            files["src/pkg\(index % 4)/module\(index).py"] = "# module \(index)\n" + String(repeating: "print(\(index))\n", count: 50 + index * 7)
        }
        return files
    }()

    /// Release 1.1.0: two files changed, one added, one removed, one renamed (same content), VERSION.
    static let newTree: [String: String] = {
        var files = oldTree
        files["VERSION"] = "1.1.0\n"
        files["src/pkg1/module1.py"]! += "print('patched')\n"
        files["src/pkg2/module2.py"] = "# rewritten\n"
        files["src/pkg3/new.py"] = "print('new in 1.1.0')\n"
        files["src/pkg0/module4.py"] = nil
        files["src/moved/module8.py"] = files.removeValue(forKey: "src/pkg0/module8.py")
        return files
    }()

    /// The contents 1.1.0 has and 1.0.0 has nowhere: what a delta update must fetch.
    static var changedContents: Set<String> {
        Set(newTree.values).subtracting(oldTree.values)
    }

    init(layout: String = "in_place") throws {
        work = try TemporaryDirectory("delta")
        publisher = try TUFPublisher.initialize(repository: work.url("repo"), keys: work.url("keys"), product: "monitor")
        nginx = try NginxServer(root: work.url("repo"))
        let yaml = """
            source: tuf
            tuf_url: \(nginx.baseURL)
            tuf_root: \(work.url("repo/metadata/1.root.json"))
            product: monitor
            install_dir: \(work.url("install"))
            state_dir: \(work.url("state"))
            layout: \(layout)
            max_retries: 0
            retry_delay: 0
            """
        configuration = try OTAConfiguration.parse(yaml: yaml, environment: ConfigurationEnvironment([:]))
    }

    /// Publishes `files` as `version` (a GNU tar `.tar.gz` with one top-level folder, an executable, a link
    /// and an empty folder), with patches from the previous release when `patches`; returns the archive's path.
    @discardableResult
    func publish(_ version: String, _ files: [String: String], patches: Bool = false) throws -> String {
        let tree = "tree-\(version)/monitor-\(version)"
        for (path, content) in files { try work.write("\(tree)/\(path)", content) }
        try work.makeDirectory("\(tree)/data/empty")
        chmod(work.url("\(tree)/src/pkg0/module0.py"), 0o755)
        symlink("pkg1/module1.py", work.url("\(tree)/src/main.py"))
        let archive = work.url("build/monitor-\(version).tar.gz")
        try FileManager.default.createDirectory(atPath: work.url("build"), withIntermediateDirectories: true)
        let tar = try Process.run(URL(fileURLWithPath: "/usr/bin/env"), arguments: ["tar", "-czf", archive, "-C", work.url("tree-\(version)"), "monitor-\(version)"])
        tar.waitUntilExit()
        guard tar.terminationStatus == 0 else { throw NginxError("tar failed") }
        try publisher.add(version: version, platform: "any", patchFrom: patches ? nil : [], archives: [archive])
        return archive
    }

    /// Installs 1.0.0 from its full archive (delta off), as a device provisioned earlier would have it.
    func provision() async throws {
        try publish("1.0.0", Self.oldTree)
        var full = configuration
        full.transfer.delta = false
        _ = try await Self.update(full)
        try nginx.clearRequests()
    }

    func update() async throws -> UpdateOutcome {
        try await Self.update(configuration)
    }

    static func update(_ configuration: OTAConfiguration, activity: UpdateActivity = UpdateActivity()) async throws -> UpdateOutcome {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let updater = try OTAUpdater(configuration: configuration, logger: logger, activity: activity)
        defer { Task { await updater.shutdown() } }
        return try await updater.update()
    }

    /// The installed release tree (`install_dir`, or `current` in the releases layout).
    var installedRoot: String {
        configuration.installation.layout == .releases ? work.url("install/current") : work.url("install")
    }

    /// Each entry under `root` except the state folder: path → kind, mode, and content or link target.
    static func describe(_ root: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for entry in try FileSystem.walk(root) where !entry.path.hasPrefix(".ota") {
            let full = root + "/" + entry.path
            switch entry.kind {
            case .file: result[entry.path] = "file \(String(entry.mode, radix: 8)) " + (try String(contentsOfFile: full, encoding: .utf8))
            case .directory: result[entry.path] = "dir \(String(entry.mode, radix: 8))"
            case .symlink: result[entry.path] = "link " + (entry.target ?? "")
            case .other: result[entry.path] = "other"
            }
        }
        return result
    }

    /// The tree the full archive extracts to, described like ``describe(_:)``.
    func extracted(_ archive: String) throws -> [String: String] {
        let result = try Extractor().extract(archiveAt: archive, into: work.url("extracted-\(UUID().uuidString)"))
        return try Self.describe(result.root)
    }

    /// The objects requested from nginx (their SHA-256s) and the other paths requested.
    func requests() throws -> (objects: [String], others: [String], objectBytes: Int) {
        let all = try nginx.requests()
        let objects = all.filter { $0.uri.hasPrefix("/targets/objects/") }
        return (objects.map { String($0.uri.split(separator: "/").last!) }, all.filter { !$0.uri.hasPrefix("/targets/objects/") }.map(\.uri),
                objects.reduce(0) { $0 + $1.bytesSent })
    }

    var log: String { (try? String(contentsOfFile: work.url("state/ota.log"), encoding: .utf8)) ?? "" }

    /// The SHA-256 of `text` (hashed as a file, as the publisher hashes contents).
    func sha256(_ text: String) throws -> String {
        try FileDigest.sha256(ofFileAt: try work.write("hash-\(UUID().uuidString)", text))
    }

    /// The SHA-256s of the contents a delta update of 1.0.0 to 1.1.0 must fetch.
    func changedDigests() throws -> Set<String> {
        Set(try Self.changedContents.map { try sha256($0) })
    }

    /// The objects folder of the repository.
    func objectPath(_ sha256: String) -> String { work.url("repo/targets/objects/" + DeltaObjectStore.relativePath(of: sha256)) }
}
