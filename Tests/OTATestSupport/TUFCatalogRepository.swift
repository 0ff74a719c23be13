import Foundation

/// A release repository made and changed by python-tuf (`scripts/tuf-catalog.py`), served unchanged by a
/// private nginx (``NginxServer``): `<url>/metadata/` and `<url>/targets/`. The device's initial root is
/// ``initialRoot``. Missing python-tuf or nginx fails the test with how to install them.
public final class TUFCatalogRepository: @unchecked Sendable {
    /// One target: its path, bytes and `custom` object (JSON-serialisable), if any.
    public struct Target {
        public var path: String
        public var contents: Data
        public var custom: [String: Any]?

        public init(path: String, contents: Data, custom: [String: Any]? = nil) {
            self.path = path
            self.contents = contents
            self.custom = custom
        }
    }

    public static let installHint = "python-tuf is not installed for python3: run `python3 -m pip install 'tuf>=6' 'securesystemslib[crypto]'` (CI does this in .ci/run)"

    public let directory: TemporaryDirectory
    public let nginx: NginxServer
    /// The repository folder (`metadata/`, `targets/`, `keys/`, `root.json`).
    public var path: String { directory.url("repo") }
    /// The repository's base URL.
    public var url: String { nginx.baseURL }
    /// The initial `root.json` a device ships with.
    public var initialRoot: String { directory.url("repo/root.json") }

    /// A new repository holding `targets`, served at once.
    public init(_ targets: [Target], consistentSnapshot: Bool = true) throws {
        directory = try TemporaryDirectory("tuf-catalog")
        try Self.run(["init", directory.url("repo")], input: Self.spec(targets, consistentSnapshot: consistentSnapshot, in: directory))
        nginx = try NginxServer(root: directory.url("repo"))
    }

    /// Replaces the targets with `targets` (new targets, snapshot and timestamp versions).
    public func publish(_ targets: [Target]) throws {
        try Self.run(["publish", path], input: Self.spec(targets, consistentSnapshot: true, in: directory))
    }

    /// Runs `tuf-catalog.py COMMAND <repository> ARGUMENTS…` (`timestamp`, `rotate-root`, `forge-targets`, `tamper`).
    public func change(_ command: String, _ arguments: [String] = []) throws {
        try Self.run([command, path] + arguments, input: Data())
    }

    /// The metadata file `name` as served.
    public func metadata(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: path + "/metadata/" + name))
    }

    /// The served file of target `path` (under consistent snapshots `HASH.NAME`; the first match).
    public func servedTargetFile(_ targetPath: String) throws -> String {
        let folder = path + "/targets/" + (targetPath as NSString).deletingLastPathComponent
        let name = (targetPath as NSString).lastPathComponent
        let match = try FileManager.default.contentsOfDirectory(atPath: folder).sorted().first { $0 == name || $0.hasSuffix("." + name) }
        guard let match else { throw NginxError("no served file for target \(targetPath) in \(folder)") }
        return folder + "/" + match
    }

    /// A release target `<product>/<version>/<file>` with `custom.ota`.
    public static func release(_ product: String, _ version: String, file: String? = nil, contents: Data, signedVersion: String? = nil,
                               platform: String = "any", channels: [String] = ["stable"], yanked: Bool = false,
                               rollout: [String: Any]? = nil, notes: String? = nil) -> Target {
        var ota: [String: Any] = ["version": signedVersion ?? version, "platform": platform, "channels": channels, "yanked": yanked,
                                  "published_at": "2026-12-01T10:00:00Z", "index": NSNull()]
        if let rollout { ota["rollout"] = rollout }
        if let notes { ota["notes"] = notes }
        return Target(path: "\(product)/\(version)/\(file ?? "\(product)-\(version).tar.gz")", contents: contents, custom: ["ota": ota])
    }

    /// A `.tar.gz` made by GNU tar of `files` (path → content) under the folder `<prefix>/`.
    public static func tarball(prefix: String, files: [String: String]) throws -> Data {
        let work = try TemporaryDirectory("tuf-tarball")
        for (file, content) in files { try work.write("tree/\(prefix)/\(file)", content) }
        let status = try execute("/usr/bin/env", ["tar", "-czf", work.url("archive.tar.gz"), "-C", work.url("tree"), prefix], input: Data()).status
        guard status == 0 else { throw NginxError("tar failed (\(status))") }
        return try Data(contentsOf: URL(fileURLWithPath: work.url("archive.tar.gz")))
    }

    private static func spec(_ targets: [Target], consistentSnapshot: Bool, in directory: TemporaryDirectory) throws -> Data {
        var entries: [[String: Any]] = []
        for (index, target) in targets.enumerated() {
            let file = try directory.write("inputs/\(index)-\(UUID().uuidString)", target.contents)
            var entry: [String: Any] = ["path": target.path, "file": file]
            if let custom = target.custom { entry["custom"] = custom }
            entries.append(entry)
        }
        return try JSONSerialization.data(withJSONObject: ["consistent_snapshot": consistentSnapshot, "targets": entries])
    }

    private static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/tuf-catalog.py").path
    }

    private static func run(_ arguments: [String], input: Data) throws {
        let check = try execute("/usr/bin/env", ["python3", "-c", "import tuf.api.metadata, securesystemslib.signer, cryptography"], input: Data())
        guard check.status == 0 else { throw NginxError("\(installHint)\n\(check.errors)") }
        let result = try execute("/usr/bin/env", ["python3", script] + arguments, input: input)
        guard result.status == 0 else { throw NginxError("tuf-catalog.py \(arguments.first ?? "") failed (\(result.status)): \(result.errors)") }
    }

    private static func execute(_ executable: String, _ arguments: [String], input: Data) throws -> (status: Int32, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdin = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = FileHandle.nullDevice
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: errors, as: UTF8.self))
    }
}
