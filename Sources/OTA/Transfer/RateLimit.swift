import Foundation
import NIOHTTP1

/// GitHub's rate-limit signals in a response (SPEC §6).
///
/// A 403 or 429 with `Retry-After`, or with `X-RateLimit-Remaining: 0` and `X-RateLimit-Reset`, means
/// "not before this time". A wait of up to ``shortWait`` is waited out; a longer one fails at once with
/// the time of the next allowed request.
enum RateLimit {
    /// The longest wait that is simply waited out.
    static let shortWait: TimeInterval = 10

    /// When the next request is allowed, if `status` and `headers` say the limit was hit.
    static func nextAllowed(status: Int, headers: HTTPHeaders, now: Date = Date()) -> Date? {
        guard status == 403 || status == 429 else { return nil }
        if let retryAfter = headers.first(name: "retry-after")?.trimmingCharacters(in: .whitespaces) {
            if let seconds = Int(retryAfter), seconds >= 0 {
                return now.addingTimeInterval(TimeInterval(seconds))
            }
            if let date = httpDate(retryAfter) { return max(date, now) }
        }
        if headers.first(name: "x-ratelimit-remaining") == "0" {
            if let reset = headers.first(name: "x-ratelimit-reset").flatMap(TimeInterval.init) {
                return max(Date(timeIntervalSince1970: reset), now)
            }
            return now.addingTimeInterval(60)
        }
        return status == 429 ? now.addingTimeInterval(60) : nil
    }

    /// The error for a limit that lasts until `date`.
    static func error(repository: String, until date: Date, authenticated: Bool, status: Int? = nil) -> TransferError {
        let sameDay = UTCTime.dateTime(date).prefix(10) == UTCTime.dateTime(Date()).prefix(10)
        let shown = sameDay ? UTCTime.time(date) : UTCTime.dateTime(date)
        let hint = authenticated ? "" : " (set github_token to raise the limit)"
        return TransferError(.rateLimited, "GitHub rate limit exhausted for \(repository); next try after \(shown) UTC\(hint)",
                             status: status, retryAfter: date)
    }

    /// Parses an IMF-fixdate (`Wed, 21 Oct 2015 07:28:00 GMT`).
    static func httpDate(_ text: String) -> Date? {
        UTCTime.date(httpDate: text)
    }
}
