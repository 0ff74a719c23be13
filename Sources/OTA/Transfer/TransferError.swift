import Foundation

/// A failure to talk to the release source or to download from it.
public struct TransferError: OTAError {
    public enum Code: Sendable, Hashable {
        /// A URL could not be parsed, or has an unsupported scheme.
        case invalidURL
        /// Plain `http://` to a host other than loopback without `allow_insecure_http`.
        case insecureURL
        /// A redirect was refused (HTTPS → HTTP, too many hops, a loop, no `Location`).
        case redirectRefused
        /// No byte arrived for `download_timeout` seconds, or the response head took longer than
        /// `download_timeout × 6` seconds.
        case timedOut
        /// The transfer ran slower than `min_download_rate` over `download_timeout × 6` seconds.
        case tooSlow
        /// The connection could not be made or broke off.
        case connectionFailed
        /// The rate limit is exhausted; see ``retryAfter``.
        case rateLimited
        /// 401: the token was refused.
        case unauthorized
        /// 404: the repository, release or asset does not exist (or is private and no token was sent).
        case notFound
        /// Any other unsuccessful HTTP status.
        case httpStatus
        /// The response body was larger than allowed or announced (`max_download_bytes`, the release list cap).
        case responseTooLarge
        /// The response could not be understood (bad JSON, missing fields).
        case invalidResponse
        /// Not enough free disk space for the download.
        case insufficientSpace
        /// The download ended with a different size than announced.
        case sizeMismatch
        /// Writing the download to disk failed.
        case fileSystem
    }

    public let code: Code
    public let message: String
    /// The HTTP status, when the server answered.
    public var status: Int?
    /// For ``Code/rateLimited``: the earliest time of the next allowed request.
    public var retryAfter: Date?
    /// The underlying error, when there is one.
    public var underlying: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, status: Int? = nil, retryAfter: Date? = nil, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.status = status
        self.retryAfter = retryAfter
        self.underlying = underlying
    }

    /// Whether another attempt may succeed: connection problems, time-outs, slow transfers, 5xx, 408 and 429.
    public var isTransient: Bool {
        switch code {
        case .timedOut, .tooSlow, .connectionFailed: true
        case .httpStatus: status.map { $0 >= 500 || $0 == 408 || $0 == 429 } ?? false
        default: false
        }
    }
}
