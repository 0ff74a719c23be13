#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import OTA
@testable import OTATestSupport

@Suite("Status API: the socket file", .timeLimit(.minutes(10)))
struct StatusSocketTests {
    /// Leaves a socket file at `path` that nothing listens on, as an agent killed with SIGKILL does.
    static func leaveStaleSocket(at path: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        close(fd)
        try #require(bound == 0)
    }

    @Test("a stale socket left by a killed agent is replaced")
    func staleSocket() async throws {
        let fixture = try StatusAPIFixture()
        try Self.leaveStaleSocket(at: fixture.socket)
        let server = try await fixture.bind()
        let status = try await fixture.serving(server) { try await fixture.request("GET", "/v1/status").status }
        await fixture.updater.shutdown()
        #expect(status == 200)
    }

    @Test("a socket another agent answers on is not taken over")
    func liveSocket() async throws {
        let fixture = try StatusAPIFixture()
        let first = try await fixture.bind()
        let (refusal, status) = try await fixture.serving(first) {
            var refusal: String?
            do { _ = try await fixture.bind() } catch { refusal = (error as? StatusServerError)?.message }
            return (refusal, try await fixture.request("GET", "/v1/status").status)
        }
        #expect(refusal == "status_socket \(fixture.socket) is in use: another agent answers on it; stop it or give this one another status_socket")
        #expect(status == 200)
        await fixture.updater.shutdown()
    }

    @Test("a socket in a folder other users can write, or a path holding something else, is refused with a clear error")
    func refusedPaths() async throws {
        let folder = try TemporaryDirectory("ota-socket")
        try folder.makeDirectory("open")
        chmod(folder.url("open"), 0o777)
        try folder.write("file.sock", "not a socket")
        let fixture = try StatusAPIFixture()
        let open = await #expect(throws: StatusServerError.self) {
            try await StatusServer.bind(path: folder.url("open/ota.sock"), updater: fixture.updater, requests: nil, metrics: fixture.metrics)
        }
        #expect(open?.message == "status_socket \(folder.url("open/ota.sock")) cannot be trusted: \(folder.url("open")) is writable by group or others (mode 0777); run 'chmod go-w \(folder.url("open"))'")
        let file = await #expect(throws: StatusServerError.self) {
            try await StatusServer.bind(path: folder.url("file.sock"), updater: fixture.updater, requests: nil, metrics: fixture.metrics)
        }
        #expect(file?.message == "status_socket \(folder.url("file.sock")) exists and is not a socket; remove it or choose another path")
        #expect(try folder.read("file.sock") == "not a socket")
        await fixture.updater.shutdown()
    }

    @Test("a path longer than a socket address holds is bound through its folder, and reached the same way")
    func longPath() async throws {
        let folder = try TemporaryDirectory("ota-socket")
        let deep = "a-rather-long-folder-name-for-a-socket/" + String(repeating: "x", count: 60)
        try folder.makeDirectory(deep)
        let path = folder.url(deep + "/ota.sock")
        try #require(path.utf8.count > 108)
        let fixture = try StatusAPIFixture()
        let server = try await StatusServer.bind(path: path, updater: fixture.updater, requests: nil, metrics: fixture.metrics,
                                                 logger: StatusAPIFixture.quiet)
        let status = try await fixture.serving(server) {
            var info = stat()
            #expect(lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFSOCK && info.st_mode & 0o777 == 0o660)
            return try await StatusClient(path: path, timeout: StatusAPIFixture.hangGuard).requestInBackground("GET", "/v1/status").status
        }
        await fixture.updater.shutdown()
        #expect(status == 200)
        #expect(!FileManager.default.fileExists(atPath: path), "removed when the server stops")
    }
}
