import AsyncHTTPClient
import Foundation
import NIOCore

/// A response body that fails with ``TransferError/Code/tooSlow`` when its average rate over the
/// transfer window falls below the minimum (`min_download_rate` over `download_timeout × 6`).
///
/// AsyncHTTPClient's deadline ends when the response head arrives and its read time-out only notices
/// silence; this bounds a body that never quite stops.
struct TransferBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let body: HTTPClientResponse.Body
    let minimumRate: Int
    let window: Duration
    let url: URL

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: HTTPClientResponse.Body.AsyncIterator
        var floor: TransferRateFloor
        let url: URL

        mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await base.next() else { return nil }
            guard floor.record(chunk.readableBytes, at: .now) else {
                throw TransferError(.tooSlow, "the transfer from \(url.host ?? "the server") ran slower than min_download_rate (\(floor.minimumRate) bytes/s) over \(floor.window); check the network, or lower min_download_rate")
            }
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: body.makeAsyncIterator(),
                      floor: TransferRateFloor(minimumRate: minimumRate, window: window, start: .now), url: url)
    }
}
