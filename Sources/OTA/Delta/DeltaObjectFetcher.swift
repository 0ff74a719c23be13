import Crypto
import Foundation
import NIOCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Fetches the objects a delta update lacks, a few at a time, each inflated, hashed and written straight
/// into the staged tree, and checked against the size and SHA-256 the index gives.
struct DeltaObjectFetcher: Sendable {
    /// One object to fetch and where its content goes.
    struct Request: Sendable {
        var sha256: String
        var size: Int64
        /// The staged file to create (it must not exist).
        var destination: String
        var mode: UInt32
    }

    let transport: HTTPTransport
    let retry: RetryPolicy
    /// The objects folder's URL (`…/targets/objects`).
    let objectsURL: URL
    /// Objects fetched at once (connections).
    var connections = 4
    /// Told the bytes of content each object adds as it is inflated (and, negative, what a failed attempt
    /// had added), from the fetching tasks.
    var progress: (@Sendable (Int64) -> Void)?

    /// Fetches every request; returns the compressed bytes received.
    /// - Throws: ``DeltaError/Code/objectUnavailable`` for the first object that cannot be fetched or is wrong.
    func fetch(_ requests: [Request]) async throws(DeltaError) -> Int64 {
        let received = ByteCounter()
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                var pending = requests[...]
                for _ in 0..<min(connections, pending.count) {
                    let request = pending.removeFirst()
                    group.addTask { try await fetchOne(request, received: received) }
                }
                while try await group.next() != nil {
                    if let request = pending.popFirst() { group.addTask { try await fetchOne(request, received: received) } }
                }
            }
        } catch let error as DeltaError {
            throw error
        } catch {
            throw DeltaError(.objectUnavailable, "a delta object could not be fetched: \(error.localizedMessage)")
        }
        return received.total
    }

    /// The URL of an object: `<objects>/<first two hex digits>/<sha256>`.
    func url(of sha256: String) -> URL {
        objectsURL.appendingPathComponent(String(sha256.prefix(2))).appendingPathComponent(sha256)
    }

    private func fetchOne(_ request: Request, received: ByteCounter) async throws {
        let url = url(of: request.sha256)
        let name = "object " + request.sha256
        // gzip never grows content by more than a few bytes per 16 KiB block, plus its header and trailer.
        let compressedLimit = request.size + request.size / 64 + 1024
        do throws(TransferError) {
            try await retry.run { _ throws(TransferError) in
                unlink(request.destination)
                let response = try await transport.get(url)
                guard response.status == 200 else { throw Downloader.statusError(response, name: name) }
                do {
                    try await write(response.body, request, compressedLimit: compressedLimit, received: received)
                } catch let error as TransferError {
                    throw error
                } catch let error as DeltaError {
                    throw TransferError(.invalidResponse, error.message)
                } catch {
                    throw TransferError(.invalidResponse, "\(name) from \(url.host ?? "the server") is corrupt: \(error.localizedMessage)")
                }
            }
        } catch {
            unlink(request.destination)
            throw DeltaError(.objectUnavailable, "the delta \(name) could not be fetched from \(url.absoluteString): \(error.message)")
        }
    }

    private func write(_ body: TransferBody, _ request: Request, compressedLimit: Int64, received: ByteCounter) async throws {
        let fd = open(request.destination, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DeltaError(.stagingFailed, SystemError.last("create \(request.destination)").message) }
        defer { close(fd) }
        let decoder = try GzipStreamDecoder(limit: request.size)
        var hasher = SHA256()
        var compressed: Int64 = 0
        var reported: Int64 = 0
        var verified = false
        defer { if reported > 0 && !verified { progress?(-reported) } }
        for try await chunk in body {
            compressed += Int64(chunk.readableBytes)
            received.add(Int64(chunk.readableBytes))
            guard compressed <= compressedLimit else {
                throw DeltaError(.objectUnavailable, "the object \(request.sha256) is larger than \(compressedLimit) bytes compressed")
            }
            try chunk.withUnsafeReadableBytes { bytes in
                try decoder.feed(bytes) { output in
                    hasher.update(bufferPointer: output)
                    try Syscall.writeAll(fd, output, "write \(request.destination)")
                }
            }
            if decoder.totalOut > reported {
                progress?(decoder.totalOut - reported)
                reported = decoder.totalOut
            }
        }
        try decoder.finish()
        let digest = Hex.lowercase(hasher.finalize())
        guard decoder.totalOut == request.size, digest == request.sha256 else {
            throw DeltaError(.objectUnavailable, "the object \(request.sha256) holds \(decoder.totalOut) bytes with SHA-256 \(digest), not the \(request.size) bytes the index says")
        }
        guard fchmod(fd, mode_t(request.mode)) == 0 else { throw DeltaError(.stagingFailed, SystemError.last("chmod \(request.destination)").message) }
        verified = true
    }
}

/// Bytes received across concurrent fetches.
final class ByteCounter: Sendable {
    private let value = Mutex<Int64>(0)

    func add(_ count: Int64) { value.withLock { $0 += count } }
    var total: Int64 { value.withLock { $0 } }
}
