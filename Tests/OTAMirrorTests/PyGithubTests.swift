import Crypto
import Foundation
import Testing
@testable import OTAMirror

/// A standard GitHub client, PyGithub from PyPI (`pip install PyGithub==2.10.0`, as CI does),
/// against the mirror: repository lookup, listing (paginated), latest, by tag and id, a release's
/// assets (paginated) and an asset download, anonymously and with a token.
@Suite("Mirror with PyGithub", .timeLimit(.minutes(10)),
       .enabled(if: PyGithub.isInstalled, "PyGithub is not installed for python3: run `python3 -m pip install PyGithub==2.10.0`"))
struct PyGithubTests {
    static let payload = "asset b payload\n"

    /// `o/r` with three releases (one a prerelease) and three assets in v1.0.0: with `per_page=2`
    /// both the release list and the asset list take two pages.
    static func makeRoot() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        try directory.write("o/r/v1.0.0/a.bin", "a")
        try directory.write("o/r/v1.0.0/b.tar.gz", payload)
        try directory.write("o/r/v1.0.0/c.txt", "c")
        try directory.write("o/r/v1.0.0/release.json", #"{"name": "First release"}"#)
        try directory.write("o/r/v1.1.0/a.bin", "newer")
        try directory.write("o/r/v2.0.0-rc.1/a.bin", "candidate")
        return directory
    }

    /// Runs the PyGithub script against `apiURL` and decodes what it printed.
    static func runScript(_ apiURL: String, token: String = "") async throws -> [String: Any] {
        let result = try await PyGithub.run(script, arguments: [apiURL, token, "b.tar.gz"])
        #expect(result.status == 0, "python3 failed: \(result.errors)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any], "\(result.output)")
    }

    static let script = """
        import hashlib, json, os, sys, tempfile
        from github import Auth, Github, GithubException
        # timeout only catches a hung server: a loaded 2-core machine can stall a request for many seconds.

        base_url, token, asset_name = sys.argv[1:4]
        github = Github(base_url=base_url, auth=Auth.Token(token) if token else None, per_page=2,
                        seconds_between_requests=0, seconds_between_writes=0, retry=None, timeout=300)
        try:
            repo = github.get_repo("o/r")
            result = {"full_name": repo.full_name, "name": repo.name, "owner": repo.owner.login, "id": repo.id,
                      "private": repo.private, "default_branch": repo.default_branch}
        except GithubException as error:
            print(json.dumps({"status": error.status}))
            sys.exit(0)
        result["releases"] = [release.tag_name for release in repo.get_releases()]
        result["latest"] = repo.get_latest_release().tag_name
        tagged = repo.get_release("v1.0.0")
        result["by_tag"] = [tagged.tag_name, tagged.title]
        result["by_id"] = repo.get_release(tagged.id).tag_name
        assets = list(tagged.get_assets())
        result["assets"] = [[asset.name, asset.size] for asset in assets]
        asset = next(asset for asset in assets if asset.name == asset_name)
        result["asset_by_id"] = repo.get_release_asset(asset.id).name
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, asset.name)
            asset.download_asset(path)
            with open(path, "rb") as file:
                result["download_sha256"] = hashlib.sha256(file.read()).hexdigest()
        print(json.dumps(result))
        """

    static func expectFullWalk(_ result: [String: Any]) {
        #expect(result["full_name"] as? String == "o/r")
        #expect(result["name"] as? String == "r")
        #expect(result["owner"] as? String == "o")
        #expect((result["id"] as? Int ?? 0) > 0)
        #expect(result["default_branch"] as? String == "main")
        #expect(result["releases"] as? [String] == ["v2.0.0-rc.1", "v1.1.0", "v1.0.0"])
        #expect(result["latest"] as? String == "v1.1.0")
        #expect(result["by_tag"] as? [String] == ["v1.0.0", "First release"])
        #expect(result["by_id"] as? String == "v1.0.0")
        let assets = (result["assets"] as? [[Any]])?.map { "\($0[0]) \($0[1])" }
        #expect(assets == ["a.bin 1", "b.tar.gz \(payload.utf8.count)", "c.txt 1"])
        #expect(result["asset_by_id"] as? String == "b.tar.gz")
        let sha256 = SHA256.hash(data: Data(payload.utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(result["download_sha256"] as? String == sha256)
    }

    @Test("get_repo, get_releases (two pages), latest, by tag and id, get_assets (two pages) and download_asset")
    func anonymous() async throws {
        let directory = try Self.makeRoot()
        try await withMirror(root: directory.path) { client in
            let result = try await Self.runScript(client.apiURL)
            Self.expectFullWalk(result)
            #expect(result["private"] as? Bool == false)
        }
    }

    @Test("with --token: Auth.Token works, no token is 404 and a wrong one 401, as for a private GitHub repository")
    func token() async throws {
        let directory = try Self.makeRoot()
        try await withMirror(root: directory.path, configuration: .init(token: "s3cret")) { client in
            let result = try await Self.runScript(client.apiURL, token: "s3cret")
            Self.expectFullWalk(result)
            #expect(result["private"] as? Bool == true)
            #expect(try await Self.runScript(client.apiURL)["status"] as? Int == 404)
            #expect(try await Self.runScript(client.apiURL, token: "wrong")["status"] as? Int == 401)
        }
    }

    @Test("behind a GitHub Enterprise style prefix (/api/v3)")
    func pathPrefix() async throws {
        let directory = try Self.makeRoot()
        try await withMirror(root: directory.path, configuration: .init(pathPrefix: "/api/v3")) { client in
            #expect(client.apiURL.hasSuffix("/api/v3"))
            Self.expectFullWalk(try await Self.runScript(client.apiURL))
        }
    }
}

/// Runs Python scripts that use PyGithub, off the concurrency pool so the in-process mirror keeps answering.
enum PyGithub {
    struct Result: Sendable {
        var status: Int32
        var output: String
        var errors: String
    }

    /// Whether `python3` on `PATH` can import PyGithub.
    static let isInstalled: Bool = (try? runBlocking("import github", arguments: []).status == 0) ?? false

    static func run(_ script: String, arguments: [String]) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Swift.Result { try runBlocking(script, arguments: arguments) }) }.start()
        }
    }

    /// Runs `python3 -c script arguments…` without proxy settings, so requests go straight to 127.0.0.1.
    static func runBlocking(_ script: String, arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.lowercased().hasSuffix("_proxy") }
        process.standardInput = FileHandle.nullDevice
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let errorData = ThreadedRead(errors.fileHandleForReading)
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                      errors: String(decoding: errorData.wait(), as: UTF8.self))
    }
}

/// Reads a pipe to its end on a thread of its own, so two pipes of one process can drain at once.
private final class ThreadedRead: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var data = Data()

    init(_ handle: FileHandle) {
        Thread {
            self.data = handle.readDataToEndOfFile()
            self.done.signal()
        }.start()
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}
