import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Fetches the objects a delta update lacks, a few requests at a time, each object inflated, hashed and
/// written straight into the staged tree, and checked against the size and SHA-256 the index gives.
///
/// A request is a whole object file or a byte range of a pack (``DeltaFetchPlan``). A range must be
/// answered with `206` and exactly the `Content-Range` asked for; a server that ignores `Range` (`200` with
/// the whole pack) or answers another range fails the fetch at once (the update falls back to the full
/// archive). Transient failures are retried as downloads are (`max_retries`).
struct DeltaObjectFetcher: Sendable {
    /// One object to fetch and where its content goes.
    struct Request: Sendable {
        var sha256: String
        var size: Int64
        /// The staged file to create (it must not exist).
        var destination: String
        var mode: UInt32
        /// The patch to fetch instead of the object, and the local file holding its old content.
        var patch: (patch: DeltaPatch, oldPath: String)?
    }

    /// What a fetch cost.
    struct Outcome: Sendable, Equatable {
        /// Bytes of response bodies received for objects (compressed objects, and the gaps of coalesced ranges).
        var bytes: Int64
        /// Bytes of response bodies received for patches.
        var patchBytes: Int64 = 0
        /// HTTP requests sent, retries included.
        var requests: Int
    }

    let transport: HTTPTransport
    let retry: RetryPolicy
    /// Requests sent at once (connections).
    var connections = 4
    /// Told the bytes of content each response adds as its objects are inflated (and, negative, what an
    /// attempt that failed had added), from the fetching tasks.
    var progress: (@Sendable (Int64) -> Void)?

    /// Sends every fetch, at most ``connections`` at a time.
    /// - Throws: ``DeltaError/Code/objectUnavailable`` for the first object that cannot be fetched or is wrong.
    func fetch(_ fetches: [DeltaFetch]) async throws(DeltaError) -> Outcome {
        let counter = TransferCounter()
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                var pending = fetches[...]
                for _ in 0..<min(connections, pending.count) {
                    let fetch = pending.removeFirst()
                    group.addTask { try await run(fetch, counter: counter) }
                }
                while try await group.next() != nil {
                    if let fetch = pending.popFirst() { group.addTask { try await run(fetch, counter: counter) } }
                }
            }
        } catch let error as DeltaError {
            throw error
        } catch {
            throw DeltaError(.objectUnavailable, "a delta object could not be fetched: \(error.localizedMessage)")
        }
        return counter.outcome
    }

    /// One request with its retries; the staged files of its objects are removed again when it fails.
    private func run(_ fetch: DeltaFetch, counter: TransferCounter) async throws {
        let name = Self.describe(fetch)
        var headers = HTTPHeaders()
        headers.add(name: "Accept", value: "application/octet-stream")
        if let range = fetch.range { headers.add(name: "Range", value: "bytes=\(range.lowerBound)-\(range.upperBound - 1)") }
        do throws(TransferError) {
            try await retry.run { _ throws(TransferError) in
                for part in fetch.parts { unlink(part.object.destination) }
                counter.request()
                let response = try await transport.get(fetch.url, headers: headers)
                try check(response, fetch, name: name)
                var added: Int64 = 0
                do {
                    do {
                        try await DeltaBodySplitter(fetch).write(response.body, received: { counter.add(Int64($0), patch: fetch.isPatch) },
                                                                 inflated: { added += $0; progress?($0) })
                    } catch {
                        if added > 0 { progress?(-added) }
                        throw error
                    }
                } catch let error as TransferError {
                    throw error
                } catch let error as DeltaError {
                    throw TransferError(.invalidResponse, error.message)
                } catch {
                    throw TransferError(.invalidResponse, "\(name) from \(fetch.url.host ?? "the server") is corrupt: \(error.localizedMessage)")
                }
            }
        } catch {
            for part in fetch.parts { unlink(part.object.destination) }
            throw DeltaError(.objectUnavailable, "the delta \(name) could not be fetched from \(fetch.url.absoluteString): \(error.message)")
        }
    }

    /// Requires the status and, for a range, the `Content-Range` that answer the request exactly.
    private func check(_ response: HTTPTransport.Response, _ fetch: DeltaFetch, name: String) throws(TransferError) {
        let server = response.url.host ?? "the server"
        guard let range = fetch.range else {
            guard response.status == 200 else { throw Downloader.statusError(response, name: name) }
            return
        }
        switch response.status {
        case 206:
            let answered = HeaderValues.contentRange(response.headers)
            guard let answered, Int64(answered.first) == range.lowerBound, Int64(answered.last) == range.upperBound - 1,
                  answered.total.map({ Int64($0) == fetch.fileSize }) ?? true else {
                let header = response.headers.first(name: "content-range") ?? "none"
                throw TransferError(.invalidResponse, "\(server) answered the request for bytes \(range.lowerBound)-\(range.upperBound - 1) with another range (Content-Range: \(header))")
            }
        case 200 where range.lowerBound == 0 && range.upperBound == fetch.fileSize:
            break
        case 200:
            throw TransferError(.invalidResponse, "\(server) ignored the Range request (200 with the whole file): it cannot serve a pack's byte ranges")
        default:
            throw Downloader.statusError(response, name: name)
        }
    }

    /// `object <sha256>`, `patch <new sha256>.<old sha256>`, or `bytes a-b of the pack (n objects)`.
    private static func describe(_ fetch: DeltaFetch) -> String {
        let kind = fetch.isPatch ? "patch" : "object"
        guard let range = fetch.range else {
            let object = fetch.parts.first?.object
            return kind + " " + (object?.patch.map { $0.patch.newSHA256 + "." + $0.patch.oldSHA256 } ?? object?.sha256 ?? "")
        }
        return "bytes \(range.lowerBound)-\(range.upperBound - 1) of the pack (\(fetch.parts.count) \(kind)s)"
    }
}

/// Bytes and requests across concurrent fetches.
final class TransferCounter: Sendable {
    private let value = Mutex(DeltaObjectFetcher.Outcome(bytes: 0, requests: 0))

    func add(_ count: Int64, patch: Bool = false) {
        value.withLock { outcome in
            if patch { outcome.patchBytes += count } else { outcome.bytes += count }
        }
    }
    func request() { value.withLock { $0.requests += 1 } }
    var outcome: DeltaObjectFetcher.Outcome { value.withLock { $0 } }
}
