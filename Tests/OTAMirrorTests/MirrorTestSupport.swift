import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
@_exported import OTATestSupport
@testable import OTAMirror

/// The recorded GitHub release in `Tests/Fixtures/github_release.json` and a mirror root reproducing it.
enum GitHubFixture {
    static let payload = "hello-world 1.2.0 linux aarch64 payload\n"
    static let assetName = "hello-world-1.2.0-linux-aarch64.tar.gz"

    static var releaseJSON: Data {
        get throws {
            let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            return try Data(contentsOf: tests.appendingPathComponent("Fixtures/github_release.json"))
        }
    }

    static var release: [String: Any] {
        get throws { try JSONSerialization.jsonObject(with: releaseJSON) as! [String: Any] }
    }

    /// `octocat/Hello-World/v1.2.0` with the fixture's asset, a SHA256SUMS, a tarball and release.json.
    static func makeRoot(in directory: TemporaryDirectory) throws {
        let fixture = try release
        let base = "octocat/Hello-World/v1.2.0/"
        try directory.write(base + assetName, payload)
        try directory.write(base + "SHA256SUMS", "41dc8869d41909459f2c1435fd3e591a9b2fd3f34ae16c451b50373bdbe98e2d  \(assetName)\n")
        try directory.write(base + "source.tar.gz", "not really a tarball\n")
        let metadata: [String: Any] = ["name": fixture["name"]!, "body": fixture["body"]!, "prerelease": false, "draft": false,
                                       "published_at": fixture["published_at"]!]
        try directory.write(base + "release.json", try JSONSerialization.data(withJSONObject: metadata))
    }
}

/// A running mirror and a client connected to it.
struct MirrorClient: Sendable {
    let client: TestClient
    let apiURL: String

    func get(_ uri: String, headers: HTTPFields = [:], authority: String? = nil) async throws -> TestClient.Response {
        try await client.execute(TestClient.Request(uri, method: .get, authority: authority, headers: headers))
    }

    func json(_ uri: String, headers: HTTPFields = [:]) async throws -> Any {
        let response = try await get(uri, headers: headers)
        return try JSONSerialization.jsonObject(with: Data(buffer: response.body ?? ByteBuffer()))
    }
}

extension TestClient.Response {
    var text: String { String(buffer: body ?? ByteBuffer()) }
    var data: Data { Data(buffer: body ?? ByteBuffer()) }
}

extension HTTPFields {
    /// The value of the header called `name` (case-insensitive), for names HTTPTypes has no constant for.
    subscript(named name: String) -> String? {
        first { $0.name.canonicalName == name.lowercased() }?.value
    }
}

/// Runs `body` against a mirror of `root` started on 127.0.0.1:0, then stops it.
///
/// The client connects before `body` sends its first request, and a loaded machine can pause a test
/// between two requests for longer than the mirror's request-header (10 s) or idle (60 s) timeout: the
/// mirror would then close the connection and the next request fail with "I/O on closed channel".
/// These tests are not about the timeouts (`MirrorConnectionLimitTests` is), so both are set to the
/// longest accepted value and no wall-clock limit of the server can end a connection during a test.
func withMirror<Value: Sendable>(root: String, configuration: OTAMirror.Configuration = .init(port: 0),
                                 _ body: @Sendable @escaping (MirrorClient) async throws -> Value) async throws -> Value {
    var configuration = configuration
    configuration.host = "127.0.0.1"
    configuration.port = 0
    configuration.requestHeaderTimeout = OTAMirror.Configuration.longestTimeout
    configuration.idleTimeout = OTAMirror.Configuration.longestTimeout
    configuration.logger = Logger(label: "test.mirror", factory: { _ in SwiftLogNoOpLogHandler() })
    let mirror = try OTAMirror(root: root, configuration: configuration)
    return try await mirror.withRunning { apiURL in
        let port = try await mirror.port()
        // The client's timeout bounds a whole request: it only catches a hung server, so it is generous
        // enough for a 6 MiB body through a debug build under coverage on a loaded machine.
        return try await TestClient.withClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(300))) { client in
            try await body(MirrorClient(client: client, apiURL: apiURL))
        }
    }
}
