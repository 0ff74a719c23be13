#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing
@testable import OTA
@testable import OTATestSupport

/// The status API's time limits measure the other side only: the server's request deadline stops once
/// the request is complete, its write deadline runs only while the client leaves the answer unread, and
/// the client reports a socket timeout as one.
@Suite("Status API: time limits", .timeLimit(.minutes(10)))
struct StatusAPITimeoutTests {
    static func channel(timeout: Duration) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(RequestDeadline(timeout: timeout))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    static let head = HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: "/v1/status"))

    @Test("a complete request keeps its connection however long the answer takes")
    func completeRequest() throws {
        let channel = try Self.channel(timeout: .seconds(5))
        try channel.writeInbound(Self.head)
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        channel.embeddedEventLoop.advanceTime(by: .minutes(10))
        #expect(channel.isActive)
        _ = try channel.finish()
    }

    @Test("a connection whose request is not complete by the deadline is closed", arguments: [false, true])
    func incompleteRequest(sendHead: Bool) throws {
        let channel = try Self.channel(timeout: .seconds(5))
        if sendHead { try channel.writeInbound(Self.head) }
        channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }

    static func writeChannel(timeout: Duration) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(WriteStallDeadline(timeout: timeout))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    static func setWritable(_ writable: Bool, _ channel: EmbeddedChannel) {
        channel.isWritable = writable
        channel.pipeline.fireChannelWritabilityChanged()
    }

    @Test("a client that leaves its answer unread for the write timeout is dropped")
    func stalledReader() throws {
        let channel = try Self.writeChannel(timeout: .seconds(5))
        Self.setWritable(false, channel)
        channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }

    @Test("a client that reads, however slowly, and a long wait for the next event keep the connection")
    func slowReader() throws {
        let channel = try Self.writeChannel(timeout: .seconds(5))
        // Nothing to write for a long time: no clock runs.
        channel.embeddedEventLoop.advanceTime(by: .minutes(10))
        #expect(channel.isActive)
        // The buffer fills and drains, again and again, each time within the limit.
        for _ in 0..<5 {
            Self.setWritable(false, channel)
            channel.embeddedEventLoop.advanceTime(by: .seconds(4))
            Self.setWritable(true, channel)
            channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        }
        #expect(channel.isActive)
        _ = try channel.finish()
    }

    @Test("a socket that accepts and never answers is a timeout error naming the socket")
    func silentServer() throws {
        let folder = try TemporaryDirectory("ota-sock")
        let path = folder.url("s.sock")
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0 && listen(fd, 4) == 0)
        // The kernel completes the connection from the backlog; nothing ever reads or writes.
        let error = #expect(throws: SystemError.self) { try StatusClient(path: path, timeout: .milliseconds(100)).request("GET", "/v1/status") }
        #expect(error?.errno == ETIMEDOUT)
        #expect(error?.message.hasPrefix("read from \(path) (no progress within") == true, "\(error?.message ?? "")")
    }
}
