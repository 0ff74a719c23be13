import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

@Suite("ota serve", .timeLimit(.minutes(1)))
struct ServeCommandTests {
    @Test("a missing root is a one-line error and exit 1")
    func missingRoot() async throws {
        let result = try await CommandRunner.run(["serve", "--root", "/nonexistent/ota-mirror-root", "--port", "0"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: The mirror root /nonexistent/ota-mirror-root does not exist"))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test("prints github_api_url, takes the token from $OTA_SERVE_TOKEN, and stops cleanly on SIGTERM")
    func serves() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ota-serve-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let release = root.appendingPathComponent("o/r/v1.0.0")
        try FileManager.default.createDirectory(at: release, withIntermediateDirectories: true)
        try Data("payload".utf8).write(to: release.appendingPathComponent("a.bin"))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandRunner.executable)
        process.arguments = ["serve", "--root", root.path, "--port", "0", "--quiet"]
        process.environment = ["PATH": "/usr/bin:/bin", "OTA_SERVE_TOKEN": "env-token"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        var printed = ""
        while !printed.contains("github_api_url: http"), !printed.hasSuffix("\n\n") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            printed += String(decoding: chunk, as: UTF8.self)
            if printed.contains("token is required") { break }
        }
        let line = try #require(printed.split(separator: "\n").first { $0.hasPrefix("github_api_url: ") })
        let apiURL = String(line.dropFirst("github_api_url: ".count))
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
}
