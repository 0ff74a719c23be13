import Crypto
import Foundation
import Logging
@testable import OTA
import OTATestSupport

/// GitHub releases of `octo/app` signed with the real `minisign` tool, with the delta index and pack that
/// `ota sign --index` makes (``DeltaIndexBuilder/buildPack(archiveAt:patchFrom:scratch:)``), served by
/// ``GitHubPackServer``, and a device at 1.0.0 (`source: github`, `public_key` set).
struct GitHubDeltaFixture {
    let work: TemporaryDirectory
    let server: GitHubPackServer
    let publicKey: String

    /// 8 KiB of incompressible bytes per blob (blob04: 1 KiB), so that each object's place in the pack is
    /// known: the pack holds VERSION, then the blobs in path order.
    static func blob(_ number: Int, release: String) -> [UInt8] {
        var state = UInt64(number * 7919 + release.utf8.reduce(0) { $0 &* 31 &+ Int($1) })
        return (0..<(number == 4 ? 1024 : 8192)).map { _ in
            state = state &+ 0x9E37_79B9_7F4A_7C15
            var mixed = (state ^ (state >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            return UInt8(truncatingIfNeeded: mixed ^ (mixed >> 31))
        }
    }

    /// Release 1.0.0: VERSION and blob00…blob11.
    static let oldTree: [String: [UInt8]] = {
        var files: [String: [UInt8]] = ["VERSION": Array("1.0.0\n".utf8)]
        for number in 0..<12 { files[name(number)] = blob(number, release: "1.0.0") }
        return files
    }()

    static func name(_ number: Int) -> String { "assets/blob" + (number < 10 ? "0" : "") + "\(number).bin" }

    /// `oldTree` with VERSION 1.1.0 and the blobs `changed` rewritten.
    static func newTree(changing changed: [Int]) -> [String: [UInt8]] {
        var files = oldTree
        files["VERSION"] = Array("1.1.0\n".utf8)
        for number in changed { files[name(number)] = blob(number, release: "1.1.0") }
        return files
    }

    init(retries: Int = 0, publicKeyLine: Bool = true) throws {
        work = try TemporaryDirectory("github-delta")
        server = try GitHubPackServer(folder: work.url("releases"))
        try Self.minisign(["-G", "-W", "-p", work.url("keys/minisign.pub"), "-s", work.url("keys/minisign.key")], work: work)
        try Self.minisign(["-G", "-W", "-p", work.url("keys/other.pub"), "-s", work.url("keys/other.key")], work: work)
        publicKey = try MinisignPublicKey(fromFile: work.url("keys/minisign.pub")).base64
        let yaml = """
            github_repo: octo/app
            github_api_url: \(server.baseURL)
            asset_pattern: "app-{version}.tar.gz"
            managed_paths: [assets, VERSION]
            \(publicKeyLine ? "public_key: \(publicKey)" : "allow_unsigned: true")
            install_dir: \(work.url("install"))
            state_dir: \(work.url("state"))
            max_retries: \(retries)
            retry_delay: 0
            """
        configuration = try OTAConfiguration.parse(yaml: yaml, environment: ConfigurationEnvironment([:]))
    }

    var configuration: OTAConfiguration

    /// Runs `/usr/bin/minisign`; throws when it is missing or fails.
    @discardableResult
    static func minisign(_ arguments: [String], work: TemporaryDirectory) throws -> Int32 {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/minisign") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "minisign is not installed: apt-get install -y minisign"])
        }
        try FileManager.default.createDirectory(atPath: work.url("keys"), withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/minisign")
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "minisign \(arguments.joined(separator: " ")) failed"])
        }
        return process.terminationStatus
    }

    /// Signs `file` with minisign (`file.minisig`, trusted comment `file:NAME`) by `key` (`minisign` or `other`).
    func sign(_ file: String, key: String = "minisign") throws {
        try Self.minisign(["-S", "-s", work.url("keys/\(key).key"), "-m", file], work: work)
    }

    /// Writes the release folder of `version`: `app-<version>.tar.gz` (one top-level folder) and its
    /// signature and, with `delta`, its index, the index's signature and the pack (and with `patchFrom`, the
    /// index patches and their signatures). Not yet listed.
    @discardableResult
    func build(_ version: String, _ files: [String: [UInt8]], delta: Bool = true, patchFrom: [String] = []) throws -> String {
        let tree = "tree-\(version)/app-\(version)"
        for (path, content) in files { try work.write("\(tree)/\(path)", content) }
        try FileManager.default.createDirectory(atPath: work.url("releases/v\(version)"), withIntermediateDirectories: true)
        let archive = work.url("releases/v\(version)/app-\(version).tar.gz")
        let tar = try Process.run(URL(fileURLWithPath: "/usr/bin/env"), arguments: ["tar", "-czf", archive, "-C", work.url("tree-\(version)"), "app-\(version)"])
        tar.waitUntilExit()
        try sign(archive)
        if delta {
            try FileManager.default.createDirectory(atPath: work.url("scratch"), withIntermediateDirectories: true)
            let output = try DeltaIndexBuilder().buildPack(archiveAt: archive, patchFrom: patchFrom, scratch: work.url("scratch"))
            try sign(output.indexPath)
            for patch in output.indexPatchPaths { try sign(patch) }
        }
        return archive
    }

    /// Builds and lists `version`.
    @discardableResult
    func publish(_ version: String, _ files: [String: [UInt8]], delta: Bool = true, patchFrom: [String] = []) throws -> String {
        let archive = try build(version, files, delta: delta, patchFrom: patchFrom)
        try server.publish("v\(version)")
        return archive
    }

    /// Installs 1.0.0 (`files`) from its full archive, as a device provisioned earlier would have it, and forgets the requests.
    func provision(_ files: [String: [UInt8]] = Self.oldTree) async throws {
        try publish("1.0.0", files)
        var full = configuration
        full.transfer.delta = false
        _ = try await DeltaFixture.update(full)
        _ = server.takeServed()
    }

    func update() async throws -> UpdateOutcome {
        try await DeltaFixture.update(configuration)
    }

    /// The pack table of `version`'s index.
    func table(_ version: String) throws -> DeltaPackTable {
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: work.url("releases/v\(version)/app-\(version).tar.gz.index.gz"))))
        return try DeltaPackedIndex.parse(compressed: bytes, policy: ExtractionPolicy()).1
    }

    /// The pack objects of the contents at `paths` of `files`, in the order of the pack.
    func objects(_ version: String, _ files: [String: [UInt8]], paths: [String]) throws -> [DeltaPackTable.Object] {
        let wanted = Set(paths.map { SHA256Hex.of(files[$0]!) })
        return try table(version).objects.filter { wanted.contains($0.sha256) }
    }

    /// Each installed entry (state folder aside): path → kind, mode and content digest or link target.
    func installed() throws -> [String: String] {
        try Self.describe(work.url("install"))
    }

    /// What the full archive extracts to, described like ``installed()``.
    func extracted(_ archive: String) throws -> [String: String] {
        try Self.describe(try Extractor().extract(archiveAt: archive, into: work.url("extracted-\(UUID().uuidString)")).root)
    }

    static func describe(_ root: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for entry in try FileSystem.walk(root) where !entry.path.hasPrefix(".ota") {
            switch entry.kind {
            case .file: result[entry.path] = "file \(String(entry.mode, radix: 8)) " + (try FileDigest.sha256(ofFileAt: root + "/" + entry.path))
            case .directory: result[entry.path] = "dir \(String(entry.mode, radix: 8))"
            case .symlink: result[entry.path] = "link " + (entry.target ?? "")
            case .other: result[entry.path] = "other"
            }
        }
        return result
    }

    var log: String { (try? String(contentsOfFile: work.url("state/ota.log"), encoding: .utf8)) ?? "" }
}

/// The lowercase hex SHA-256 of bytes in memory.
enum SHA256Hex {
    static func of(_ bytes: [UInt8]) -> String {
        Hex.lowercase(SHA256.hash(data: bytes))
    }
}
