import Foundation
import OTATestSupport
import Testing

/// `ota serve --tuf DIR`: the real binary serving a folder as static files.
@Suite("ota serve --tuf", .timeLimit(.minutes(10)))
struct PublishServeTests {
    /// Starts `ota serve --tuf DIR --port 0` and returns it with the printed tuf_url.
    static func startServe(_ directory: String) throws -> (Process, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandRunner.executable)
        process.arguments = ["serve", "--tuf", directory, "--port", "0", "--quiet"]
        process.environment = ["PATH": "/usr/bin:/bin"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var printed = ""
        while !printed.contains("\ntuf_url: ") || !printed.hasSuffix("\n") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            printed += String(decoding: chunk, as: UTF8.self)
        }
        guard let line = printed.split(separator: "\n").first(where: { $0.hasPrefix("tuf_url: ") }) else {
            process.terminate()
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "ota serve --tuf printed no URL: \(printed)"])
        }
        return (process, String(line.dropFirst("tuf_url: ".count)))
    }

    /// Sends `request` on a new connection (`Connection: close`) and returns the whole response.
    static func exchange(port: Int, _ request: String) async throws -> String {
        let connection = try RawTCPConnection(port: port)
        connection.send(request.replacingOccurrences(of: "\n", with: "\r\n") + "Host: 127.0.0.1\r\nConnection: close\r\n\r\n")
        return await connection.readUntilClosed().text
    }

    static func header(_ name: String, in response: String) -> String? {
        response.split(separator: "\r\n").first { $0.lowercased().hasPrefix(name.lowercased() + ":") }
            .map { $0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces) }
    }

    @Test("files with a strong ETag (304 on If-None-Match) and ranges (206); `..`, hidden files and symlinks out of DIR are 404")
    func servesStaticFiles() async throws {
        let directory = try TemporaryDirectory("ota-serve-tuf")
        try directory.write("repo/metadata/timestamp.json", #"{"signed":{}}"#)
        try directory.write("repo/metadata/.timestamp.json.tmp-1", "half written")
        try directory.write("secret.txt", "outside the repository")
        try FileManager.default.createSymbolicLink(atPath: directory.url("repo/metadata/link.json"), withDestinationPath: directory.url("secret.txt"))
        try FileManager.default.createSymbolicLink(atPath: directory.url("repo/metadata/inside.json"), withDestinationPath: "timestamp.json")
        let (process, url) = try Self.startServe(directory.url("repo"))
        defer { process.terminate(); process.waitUntilExit() }
        let port = try #require(URLComponents(string: url)?.port)

        let full = try await Self.exchange(port: port, "GET /metadata/timestamp.json HTTP/1.1\n")
        #expect(full.hasPrefix("HTTP/1.1 200"))
        #expect(full.hasSuffix(#"{"signed":{}}"#))
        let etag = try #require(Self.header("ETag", in: full))
        let conditional = try await Self.exchange(port: port, "GET /metadata/timestamp.json HTTP/1.1\nIf-None-Match: \(etag)\n")
        #expect(conditional.hasPrefix("HTTP/1.1 304"))
        let range = try await Self.exchange(port: port, "GET /metadata/timestamp.json HTTP/1.1\nRange: bytes=2-7\n")
        #expect(range.hasPrefix("HTTP/1.1 206"))
        #expect(Self.header("Content-Range", in: range) == "bytes 2-7/13")
        #expect(range.hasSuffix("signed"))
        #expect(try await Self.exchange(port: port, "GET /metadata/inside.json HTTP/1.1\n").hasPrefix("HTTP/1.1 200"))

        for path in ["/../secret.txt", "/metadata/../../secret.txt", "/metadata/%2e%2e/%2e%2e/secret.txt", "/metadata/link.json",
                     "/metadata/.timestamp.json.tmp-1", "/metadata", "/", "/metadata//timestamp.json"] {
            let response = try await Self.exchange(port: port, "GET \(path) HTTP/1.1\n")
            #expect(response.hasPrefix("HTTP/1.1 404"), "\(path): \(response.prefix(40))")
            #expect(!response.contains("outside the repository") && !response.contains("half written"), "\(path)")
        }
    }

    @Test("--root and --tuf together, or neither, is a usage error (exit 64)", arguments: [["--root", "/tmp", "--tuf", "/tmp"], []])
    func exactlyOneFolder(arguments: [String]) async throws {
        let result = try await CommandRunner.run(["serve", "--port", "0"] + arguments)
        #expect(result.status == 64)
        #expect(result.stderr.contains("Pass exactly one of --root DIR"), "\(result.stderr)")
    }

    @Test("a missing --tuf folder is a one-line error, exit 1")
    func missingFolder() async throws {
        let result = try await CommandRunner.run(["serve", "--tuf", "/nonexistent/ota-tuf", "--port", "0"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: The folder /nonexistent/ota-tuf does not exist"), "\(result.stderr)")
    }
}
