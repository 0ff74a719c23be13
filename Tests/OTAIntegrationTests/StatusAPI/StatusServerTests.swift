#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import OTA
@testable import OTATestSupport

@Suite("Status API: endpoints and clients", .timeLimit(.minutes(10)))
struct StatusServerTests {
    @Test("GET /v1/status: the ota status --json object with state, progress and inhibited; the socket is mode 0660")
    func status() async throws {
        let fixture = try StatusAPIFixture()
        let inhibit = try InhibitStore(directory: StateDirectory(installation: fixture.base.configuration.installation)).add(reason: "kiosk", seconds: nil)
        let server = try await fixture.bind()
        try await fixture.serving(server) {
            var info = stat()
            #expect(lstat(fixture.socket, &info) == 0 && info.st_mode & S_IFMT == S_IFSOCK && info.st_mode & 0o777 == 0o660)
            let response = try await fixture.request("GET", "/v1/status")
            #expect(response.status == 200 && response.headers["content-type"] == "application/json")
            let json = try fixture.json(response)
            #expect(json["current_version"] as? String == "1.0.0" && json["github_repo"] as? String == "octo/app")
            #expect(json["state"] as? String == "idle")
            #expect(json["progress"] is NSNull && json["message"] is NSNull)
            let inhibited = try #require(json["inhibited"] as? [[String: Any]])
            #expect(inhibited.count == 1 && inhibited.first?["id"] as? String == inhibit.id && inhibited.first?["reason"] as? String == "kiosk")
            #expect(inhibited.first?["until"] is NSNull)
        }
        await fixture.updater.shutdown()
        #expect(!FileManager.default.fileExists(atPath: fixture.socket), "the socket is removed when the server stops")
    }

    @Test("an unknown path is 404, a known path with the wrong method 405 with Allow", arguments: [
        ("GET", "/v1/nothing", 404, nil), ("GET", "/", 404, nil), ("POST", "/v1/status", 405, "GET"), ("DELETE", "/metrics", 405, "GET"),
        ("GET", "/v1/check", 405, "POST"), ("PUT", "/v1/update", 405, "POST"),
    ] as [(String, String, Int, String?)])
    func notFoundAndWrongMethod(method: String, path: String, status: Int, allow: String?) async throws {
        let fixture = try StatusAPIFixture()
        let server = try await fixture.bind()
        let response = try await fixture.serving(server) { try await fixture.request(method, path) }
        await fixture.updater.shutdown()
        #expect(response.status == status)
        #expect(response.headers["allow"] == allow)
        #expect(try fixture.json(response)["error"] is String)
    }

    @Test("POST /v1/check and /v1/update without a background checker: 503")
    func requestsWithoutService() async throws {
        let fixture = try StatusAPIFixture()
        let server = try await fixture.bind(requests: nil)
        let answers = try await fixture.serving(server) {
            [try await fixture.request("POST", "/v1/check").status, try await fixture.request("POST", "/v1/update").status]
        }
        await fixture.updater.shutdown()
        #expect(answers == [503, 503])
    }

    @Test("a client that connects and sends nothing, and one that never reads its events, hold up neither another client nor the agent")
    func silentClients() async throws {
        let fixture = try StatusAPIFixture()
        try fixture.base.server.publish("v1.1.0", files: UpdateFixture.newFiles)
        var limits = StatusServer.Limits()
        limits.requestTimeout = .seconds(120)
        let server = try await fixture.bind(limits: limits)
        try await fixture.serving(server) {
            let silent = try RawTCPConnection(unixSocket: fixture.socket)
            let deaf = try RawTCPConnection(unixSocket: fixture.socket)
            #expect(deaf.send("GET /v1/events HTTP/1.1\r\nHost: x\r\n\r\n"))
            #expect(try await fixture.request("GET", "/v1/status").status == 200)
            let outcome = try await fixture.updater.update()
            #expect(outcome == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))
            #expect(try fixture.json(try await fixture.request("GET", "/v1/status"))["current_version"] as? String == "1.1.0")
            silent.close()
            deaf.close()
        }
        await fixture.updater.shutdown()
    }

    @Test("a client that sends no request within the request timeout is dropped without an answer")
    func requestTimeout() async throws {
        let fixture = try StatusAPIFixture()
        var limits = StatusServer.Limits()
        limits.requestTimeout = .milliseconds(300)
        let server = try await fixture.bind(limits: limits)
        let dropped = try await fixture.serving(server) {
            let silent = try RawTCPConnection(unixSocket: fixture.socket)
            silent.send("GET /v1/sta")
            return await silent.readUntilClosed(timeout: StatusAPIFixture.hangGuard)
        }
        await fixture.updater.shutdown()
        #expect(dropped.closed && dropped.bytes.isEmpty, "closed without an answer: \(dropped.text)")
    }

    @Test("a request larger than maxRequestBytes is cut off without an answer")
    func oversizedRequest() async throws {
        let fixture = try StatusAPIFixture()
        var limits = StatusServer.Limits()
        limits.maxRequestBytes = 1024
        let server = try await fixture.bind(limits: limits)
        try await fixture.serving(server) {
            let client = try RawTCPConnection(unixSocket: fixture.socket)
            client.send("GET /v1/status HTTP/1.1\r\nHost: x\r\nX-Padding: " + String(repeating: "a", count: 4096) + "\r\n\r\n")
            let received = await client.readUntilClosed(timeout: StatusAPIFixture.hangGuard)
            #expect(received.closed && !received.text.contains("200 OK"), "\(received.text.prefix(200))")
            #expect(try await fixture.request("GET", "/v1/status").status == 200)
        }
        await fixture.updater.shutdown()
    }

    @Test("connections beyond maxConnections are closed at once; the open ones are still served")
    func connectionCap() async throws {
        let fixture = try StatusAPIFixture()
        var limits = StatusServer.Limits()
        limits.maxConnections = 2
        let server = try await fixture.bind(limits: limits)
        try await fixture.serving(server) {
            // Two clients following the events hold both connections (each has its first event once admitted).
            var followers: [RawTCPConnection] = []
            for _ in 0..<2 {
                let follower = try RawTCPConnection(unixSocket: fixture.socket)
                #expect(follower.send("GET /v1/events HTTP/1.1\r\nHost: x\r\n\r\n"))
                let first = await follower.read(timeout: StatusAPIFixture.hangGuard) { String(decoding: $0, as: UTF8.self).contains("\"state\":\"idle\"") }
                #expect(first.text.hasPrefix("HTTP/1.1 200 OK"), "\(first.text)")
                followers.append(follower)
            }
            let third = try RawTCPConnection(unixSocket: fixture.socket)
            let refused = await third.readUntilClosed(timeout: StatusAPIFixture.hangGuard)
            #expect(refused.closed && refused.bytes.isEmpty, "\(refused.text)")
            _ = try await fixture.updater.check()
            let more = await followers[1].read(timeout: StatusAPIFixture.hangGuard) { String(decoding: $0, as: UTF8.self).contains("\"state\":\"checking\"") }
            #expect(more.text.contains("\"state\":\"checking\""), "the admitted clients are still served: \(more.text)")
            for follower in followers { follower.close() }
        }
        await fixture.updater.shutdown()
    }
}
