import Foundation
import Logging
import NIOHTTP1

/// Fetches TUF metadata over ``HTTPTransport``: each file read up to its length limit (announced or
/// not), transient failures retried, `timestamp.json` asked for with `If-None-Match`; a 429 or 503 that
/// asks to wait (``RateLimit``) is waited out when short and otherwise ends the fetch with the time to come back.
struct TUFFetcher: Sendable {
    /// What the repository answered.
    enum Answer: Sendable, Equatable {
        /// The file, with its ETag if the server sent one.
        case file(Data, etag: String?)
        /// 404 or 403: the repository has no such file (the end of the root rotations).
        case notFound
        /// 304: the file is still the one the ETag names.
        case notModified
    }

    let transport: HTTPTransport
    let retry: RetryPolicy
    let logger: Logger

    /// `GET url`, read up to `limit` bytes; `file` names it in errors.
    /// - Parameter etag: sent as `If-None-Match`: a 304 answers ``Answer/notModified``.
    /// - Throws: ``TUFError`` (``TUFError/Code/tooLarge``) beyond `limit`, ``TransferError`` otherwise.
    func fetch(_ url: URL, file: String, limit: Int, etag: String? = nil) async throws -> Answer {
        var headers = HTTPHeaders()
        if let etag { headers.add(name: "If-None-Match", value: etag) }
        let reply = try await retry.run(onRetry: { error, attempt, wait in
            logger.warning("retrying TUF metadata", metadata: ["ota.file": "\(file)", "ota.attempt": "\(attempt)",
                                                               "ota.error": "\(error.message)", "ota.wait": "\(wait)"])
        }) { _ throws(TransferError) -> Reply in
            let response = try await transport.get(url, headers: headers)
            switch response.status {
            case 200:
                if let announced = HeaderValues.contentLength(response.headers), announced > limit { return .tooLarge }
                do throws(TransferError) {
                    return .answer(.file(try await HTTPTransport.collect(response.body, limit: limit, url: response.url),
                                         etag: response.headers.first(name: "etag")))
                } catch where error.code == .responseTooLarge {
                    return .tooLarge
                }
            case 304 where etag != nil:
                return .answer(.notModified)
            case 403, 404:
                return .answer(.notFound)
            default:
                if let until = RateLimit.nextAllowed(status: response.status, headers: response.headers) {
                    throw RateLimit.busy(host: response.url.host, status: response.status, for: "the TUF metadata \(file)", until: until)
                }
                throw TransferError(.httpStatus, "\(response.url.host ?? "the TUF repository") answered HTTP \(response.status) for the TUF metadata \(file)",
                                    status: response.status)
            }
        }
        guard case .answer(let answer) = reply else {
            throw TUFError(.tooLarge, "The TUF metadata \(file) from \(url.host ?? "the repository") is larger than the \(limit) bytes allowed for it, so it was not read; ask the repository's publisher why it is so large.")
        }
        return answer
    }

    /// One attempt's outcome: an answer, or a file over its limit (an error, but not one to retry).
    private enum Reply: Sendable {
        case answer(Answer)
        case tooLarge
    }

    /// Like ``fetch(_:file:limit:etag:)``, where the file must exist: a 404 or 403 is an error naming it.
    func fetchRequired(_ url: URL, file: String, limit: Int) async throws -> Data {
        guard case .file(let data, _) = try await fetch(url, file: file, limit: limit) else {
            throw TransferError(.notFound, "the TUF repository has no \(file) at \(url.absoluteString) (404); check tuf_url and that the repository is published completely", status: 404)
        }
        return data
    }
}
