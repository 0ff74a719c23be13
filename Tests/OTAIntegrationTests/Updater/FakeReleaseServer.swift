import Crypto
import Foundation
@testable import OTA
import OTAArchiveWriter
import OTASigning

/// Publishes releases of `octo/app` from folders, served by a ``FakeHTTPServer`` the way GitHub does:
/// the release list, and each asset's bytes at its API URL.
final class FakeReleaseServer: @unchecked Sendable {
    struct Published {
        var tag: String
        var prerelease: Bool
        var assets: [(name: String, data: Data)]
    }

    private let lock = NSLock()
    private var releases: [Published] = []
    private var assetWriter: (@Sendable (Data, FakeHTTPServer.Connection) -> Void)?
    private(set) var server: FakeHTTPServer!
    let workspace: TemporaryDirectory

    init() throws {
        workspace = try TemporaryDirectory("ota-releases")
        server = try FakeHTTPServer { [unowned self] request, connection in self.handle(request, connection) }
    }

    var baseURL: String { server.baseURL }
    /// Asset downloads served so far.
    var downloads: [String] { server.requests.filter { $0.path.contains("/assets/") }.map(\.path) }

    /// Publishes `tag` with a `app-<version>.tar.gz` of `files` (path → content; a `+x` suffix on the path marks it executable).
    @discardableResult
    func publish(_ tag: String, files: [String: String], prerelease: Bool = false, signer: MinisignSigner? = nil,
                 checksums: Bool = false, extraAssets: [(String, Data)] = []) throws -> Data {
        let version = SemanticVersion(tag: tag)!
        let tree = workspace.url("trees/\(tag)")
        for (path, content) in files {
            let executable = path.hasSuffix("+x")
            let clean = executable ? String(path.dropLast(2)) : path
            try workspace.write("trees/\(tag)/\(clean)", content)
            if executable { chmod(tree + "/" + clean, 0o755) }
        }
        let archiveName = "app-\(version).tar.gz"
        let archivePath = workspace.url("\(archiveName)-\(tag)")
        try TarGzipWriter.write(directory: tree, to: archivePath, prefix: "app-\(version)")
        let archive = try Data(contentsOf: URL(fileURLWithPath: archivePath))
        var assets: [(String, Data)] = [(archiveName, archive)]
        if let signer {
            assets.append((archiveName + ".minisig", try signer.signature(forFileAt: archivePath, trustedComment: "file:\(archiveName)")))
        }
        if checksums {
            let hex = SHA256.hash(data: archive).map { String(format: "%02x", $0) }.joined()
            assets.append(("SHA256SUMS", Data("\(hex)  \(archiveName)\n".utf8)))
        }
        assets += extraAssets
        lock.withLock { releases.append(Published(tag: tag, prerelease: prerelease, assets: assets)) }
        return archive
    }

    /// Publishes `tag` with exactly `assets` (name, bytes), as a release host serving anything would.
    func publish(_ tag: String, assets: [(String, Data)]) {
        lock.withLock { releases.append(Published(tag: tag, prerelease: false, assets: assets)) }
    }

    /// Sends the body of every asset download with `writer` (after a head with its `Content-Length`), so a
    /// test can pace it; `nil`: all at once.
    func writeAssets(with writer: (@Sendable (Data, FakeHTTPServer.Connection) -> Void)?) {
        lock.withLock { assetWriter = writer }
    }

    /// The bytes of asset `name` of the published release `tag`.
    func asset(_ name: String, of tag: String) -> Data? {
        lock.withLock { releases.first { $0.tag == tag }?.assets.first { $0.name == name }?.data }
    }

    private func handle(_ request: FakeHTTPServer.Request, _ connection: FakeHTTPServer.Connection) {
        let published = lock.withLock { releases }
        if request.path == "/repos/octo/app/releases" {
            let json = published.enumerated().map { index, release in
                var object = FakeGitHub.release(release.tag, base: baseURL, prerelease: release.prerelease,
                                                assets: release.assets.map { ($0.name, $0.data.count, "sha256:" + Self.hex($0.data)) }, id: index + 1)
                object.assets = object.assets.enumerated().map { assetIndex, asset in
                    var asset = asset
                    asset.url = "\(baseURL)/repos/octo/app/releases/assets/\(index + 1)/\(assetIndex)"
                    return asset
                }
                return object
            }
            return connection.respond(status: 200, json: FakeGitHub.json(json))
        }
        let parts = request.path.split(separator: "/")
        if parts.count == 7, parts[4] == "assets", let release = Int(parts[5]), let asset = Int(parts[6]),
           published.indices.contains(release - 1), published[release - 1].assets.indices.contains(asset) {
            let data = published[release - 1].assets[asset].data
            if let writer = lock.withLock({ assetWriter }) {
                connection.write("HTTP/1.1 200 OK\r\nContent-Length: \(data.count)\r\nConnection: close\r\n\r\n")
                return writer(data, connection)
            }
            return connection.respond(status: 200, headers: ["ETag": "\"\(release)-\(asset)\""], body: Array(published[release - 1].assets[asset].data))
        }
        connection.respond(status: 404, json: #"{"message":"Not Found"}"#)
    }

    static func hex(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }
}
