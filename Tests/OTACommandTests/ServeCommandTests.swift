import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import OTATestSupport
import Testing

@Suite("ota serve", .timeLimit(.minutes(10)))
struct ServeCommandTests {
    @Test("a missing root is a one-line error and exit 1")
    func missingRoot() async throws {
        let result = try await CommandRunner.run(["serve", "--root", "/nonexistent/ota-mirror-root", "--port", "0"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: The mirror root /nonexistent/ota-mirror-root does not exist"))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    /// Starts `ota serve --root ROOT --port 0 --quiet arguments…` with one release and returns it with its github_api_url.
    static func startServe(_ arguments: [String] = [], environment: [String: String] = [:]) throws -> (Process, String, URL) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ota-serve-\(UUID().uuidString)")
        let release = root.appendingPathComponent("o/r/v1.0.0")
        try FileManager.default.createDirectory(at: release, withIntermediateDirectories: true)
        try Data("payload".utf8).write(to: release.appendingPathComponent("a.bin"))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandRunner.executable)
        process.arguments = ["serve", "--root", root.path, "--port", "0", "--quiet"] + arguments
        process.environment = ["PATH": "/usr/bin:/bin"].merging(environment) { $1 }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()

        var printed = ""
        while !printed.contains("github_api_url: http"), !printed.hasSuffix("\n\n") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            printed += String(decoding: chunk, as: UTF8.self)
            if printed.contains("token is required") { break }
        }
        guard let line = printed.split(separator: "\n").first(where: { $0.hasPrefix("github_api_url: ") }) else {
            process.terminate()
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "ota serve printed no URL: \(printed)"])
        }
        return (process, String(line.dropFirst("github_api_url: ".count)), root)
    }

    @Test("prints github_api_url, takes the token from $OTA_SERVE_TOKEN, and stops cleanly on SIGTERM")
    func serves() async throws {
        let (process, apiURL, root) = try Self.startServe(environment: ["OTA_SERVE_TOKEN": "env-token"])
        defer { if process.isRunning { process.terminate() } }
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(apiURL.hasPrefix("http://127.0.0.1:"))

        var request = URLRequest(url: URL(string: apiURL + "/repos/o/r/releases/latest")!)
        let (_, anonymous) = try await URLSession.shared.data(for: request)
        #expect((anonymous as? HTTPURLResponse)?.statusCode == 404)
        request.setValue("Bearer env-token", forHTTPHeaderField: "Authorization")
        let (body, authorized) = try await URLSession.shared.data(for: request)
        #expect((authorized as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: body, as: UTF8.self).contains("\"tag_name\":\"v1.0.0\""))

        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
    }

    @Test("--header-timeout and --idle-timeout close stalled connections")
    func timeouts() async throws {
        let (process, apiURL, root) = try Self.startServe(["--header-timeout", "0.2", "--idle-timeout", "0.2"])
        defer { if process.isRunning { process.terminate() } }
        defer { try? FileManager.default.removeItem(at: root) }
        let port = try #require(URLComponents(string: apiURL)?.port)

        let silent = try RawTCPConnection(port: port)
        let received = await silent.readUntilClosed()
        #expect(received.closed && received.bytes.isEmpty)

        let idle = try await RawTCPConnection.answered(port: port, path: "/repos/o/r/releases")
        #expect(await idle.readUntilClosed().closed)
    }

    @Test("--max-connections-per-client closes a client's connection beyond it at once")
    func connectionCap() async throws {
        // Time-outs out of the way: only the cap may close a connection here.
        let (process, apiURL, root) = try Self.startServe(["--max-connections-per-client", "1",
                                                           "--header-timeout", "3600", "--idle-timeout", "3600"])
        defer { if process.isRunning { process.terminate() } }
        defer { try? FileManager.default.removeItem(at: root) }
        let port = try #require(URLComponents(string: apiURL)?.port)

        let kept = try RawTCPConnection(port: port)
        #expect(await kept.get("/repos/o/r/releases") == 200)
        let excess = try RawTCPConnection(port: port)
        #expect(await excess.readUntilClosed().closed)
        #expect(await kept.get("/repos/o/r/releases/latest") == 200)
    }

    @Test("timeouts and the connection cap must be positive (usage error, exit 64)", arguments: [
        ["--header-timeout", "0"], ["--idle-timeout=-1"], ["--idle-timeout", "nan"], ["--header-timeout", "100000"],
        ["--max-connections-per-client", "0"],
    ])
    func invalidLimits(arguments: [String]) async throws {
        let result = try await CommandRunner.run(["serve", "--root", "/tmp", "--port", "0"] + arguments)
        #expect(result.status == 64)
        let option = String(arguments[0].split(separator: "=")[0])
        #expect(result.stderr.contains("Error: \(option) must be"), "\(result.stderr)")
    }
}
