import NIOCore
import NIOHTTP1

/// Writes the status API's answers to one client (``WriteStallDeadline`` drops a client that stops reading).
struct StatusResponseWriter {
    let outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    let channel: any Channel

    /// The head and body of a complete response, `Connection: close`.
    func send(_ response: StatusResponse) async throws {
        var head = HTTPResponseHead(version: .http1_1, status: response.status)
        head.headers.add(name: "Content-Type", value: response.contentType)
        head.headers.add(name: "Content-Length", value: "\(response.body.count)")
        head.headers.add(name: "Connection", value: "close")
        if let allow = response.allow { head.headers.add(name: "Allow", value: allow) }
        try await write([.head(head), .body(.byteBuffer(ByteBuffer(bytes: response.body))), .end(nil)])
    }

    /// `GET /v1/events`: a chunked response of JSON lines, the current state first, then one line per
    /// event of `activity`, until the client goes away or the server stops.
    func streamEvents(_ activity: UpdateActivity) async throws {
        var head = HTTPResponseHead(version: .http1_1, status: .ok)
        head.headers.add(name: "Content-Type", value: "application/x-ndjson")
        head.headers.add(name: "Cache-Control", value: "no-store")
        head.headers.add(name: "Connection", value: "close")
        try await write([.head(head)])
        let events = activity.events()
        try await withThrowingTaskGroup(of: Void.self) { group in
            // A client that hangs up ends the stream at once, not at the next event.
            group.addTask { [channel] in try await channel.closeFuture.get() }
            group.addTask {
                for await event in events {
                    try await write([.body(.byteBuffer(ByteBuffer(bytes: event.jsonLine())))])
                }
                try await write([.end(nil)])
            }
            try await group.next()
            group.cancelAll()
        }
    }

    private func write(_ parts: [HTTPServerResponsePart]) async throws {
        try await outbound.write(contentsOf: parts)
    }
}
