import Foundation
import Logging
import Testing
@testable import OTAMirror

/// Stalled and excess connections, over real sockets against the real server: the request-header
/// timeout, the idle timeout and the per-client connection cap.
@Suite("Mirror connection limits", .timeLimit(.minutes(10)))
struct MirrorConnectionLimitTests {
    static let request = "GET /repos/o/r/releases HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    static let short = Duration.milliseconds(200)
    static let long = Duration.seconds(60)

    /// Runs `body` with the port of a mirror on 127.0.0.1:0 serving one release.
    static func withMirrorPort(_ configuration: OTAMirror.Configuration, _ body: @Sendable @escaping (Int) async throws -> Void) async throws {
        let directory = try TemporaryDirectory()
        try directory.write("o/r/v1.0.0/a.bin", "payload")
        var configuration = configuration
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.logger = Logger(label: "test.mirror", factory: { _ in SwiftLogNoOpLogHandler() })
        let mirror = try OTAMirror(root: directory.path, configuration: configuration)
        try await mirror.withRunning { _ in try await body(try await mirror.port()) }
    }

    @Test("a connection that sends nothing is closed after the request-header timeout")
    func silentConnection() async throws {
        try await Self.withMirrorPort(.init(requestHeaderTimeout: Self.short, idleTimeout: Self.long)) { port in
            let connection = try RawTCPConnection(port: port)
            let received = await connection.readUntilClosed()
            #expect(received.closed)
            #expect(received.bytes.isEmpty)
        }
    }

    @Test("a partial request head is closed after the header timeout, also while it keeps trickling in")
    func partialHead() async throws {
        try await Self.withMirrorPort(.init(requestHeaderTimeout: Self.short, idleTimeout: Self.long)) { port in
            let stalled = try RawTCPConnection(port: port)
            #expect(stalled.send("GET /repos/o/r/releases HTTP/1.1\r\nHost: 127.0"))
            #expect(await stalled.readUntilClosed().closed)

            // One byte every 50 ms never completes the head within 200 ms: more bytes do not extend it.
            let trickling = try RawTCPConnection(port: port)
            let head = "GET /repos/o/r/releases HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + String(repeating: "a", count: 200)
            #expect(await trickling.trickle(head, interval: .milliseconds(50)))
        }
    }

    @Test("the idle timeout closes a kept-alive connection that sends no new request after a response")
    func idleConnection() async throws {
        try await Self.withMirrorPort(.init(requestHeaderTimeout: Self.long, idleTimeout: Self.short)) { port in
            let connection = try RawTCPConnection(port: port)
            #expect(await connection.get("/repos/o/r/releases") == 200)
            let received = await connection.readUntilClosed()
            #expect(received.closed)
            #expect(received.bytes.isEmpty)
        }
    }

    @Test("between requests the idle timeout applies, not the header timeout; the next head gets the header timeout again")
    func keepAliveOutlivesHeaderTimeout() async throws {
        try await Self.withMirrorPort(.init(requestHeaderTimeout: Self.short, idleTimeout: Self.long)) { port in
            let connection = try await RawTCPConnection.answered(port: port, path: "/repos/o/r/releases")
            // Longer than the header timeout: a header clock running between requests would close it.
            try await Task.sleep(for: Self.short * 3)
            #expect(await connection.get("/repos/o/r/releases/latest") == 200)
            // A partial next head is bound by the header timeout, not by the 60 s idle timeout.
            #expect(connection.send("GET /repos/o/r/releases HTTP/1.1\r\nHo"))
            #expect(await connection.readUntilClosed().closed)
        }
    }

    @Test("a client holding the maximum gets further connections closed at once; one closing frees a slot; other clients are not affected")
    func perClientCap() async throws {
        let (released, slotReleased) = AsyncStream<Void>.makeStream()
        var configuration = OTAMirror.Configuration(requestHeaderTimeout: Self.long, idleTimeout: Self.long, maxConnectionsPerClient: 2)
        configuration.connectionReleased = { slotReleased.yield() }
        try await Self.withMirrorPort(configuration) { port in
            // Each answered request proves the server has counted that connection.
            let first = try RawTCPConnection(port: port)
            #expect(await first.get("/repos/o/r/releases") == 200)
            let second = try RawTCPConnection(port: port)
            #expect(await second.get("/repos/o/r/releases") == 200)

            let third = try RawTCPConnection(port: port)
            let refused = await third.readUntilClosed()
            try #require(refused.closed)
            #expect(refused.bytes.isEmpty)

            let otherClient = try RawTCPConnection(port: port, sourceAddress: "127.0.0.2")
            #expect(await otherClient.get("/repos/o/r/releases") == 200)

            first.close()
            var events = released.makeAsyncIterator()
            _ = await events.next()
            let fourth = try RawTCPConnection(port: port)
            #expect(await fourth.get("/repos/o/r/releases") == 200)
            #expect(await second.get("/repos/o/r/releases/latest") == 200)
        }
    }

    @Test("timeouts and the connection cap are validated", arguments: [
        OTAMirror.Configuration(requestHeaderTimeout: .zero),
        OTAMirror.Configuration(idleTimeout: .seconds(-1)),
        OTAMirror.Configuration(idleTimeout: .seconds(86_401)),
        OTAMirror.Configuration(maxConnectionsPerClient: 0),
    ])
    func validation(configuration: OTAMirror.Configuration) throws {
        let directory = try TemporaryDirectory()
        #expect(throws: MirrorError.self) { try OTAMirror(root: directory.path, configuration: configuration) }
    }
}
