import Foundation
import NIOHTTP1

/// A server's "not before" signals in a response: GitHub's rate limits, and `Retry-After` from any server.
///
/// A 403 or 429 with `Retry-After`, or with `X-RateLimit-Remaining: 0` and `X-RateLimit-Reset`, a 429
/// without them, and a 503 with `Retry-After` (seconds or an HTTP date) mean "not before this time" —
/// from GitHub, an `ota serve` mirror, or the static host of a TUF repository alike. A wait of up to
/// ``shortWait`` is waited out; a longer one fails at once with the time of the next allowed request, and
/// the agent comes back then. No wait is ever longer than ``longestWait``: a server that asks for more
/// (a reset in 2100, `Retry-After: 9223372036854775807`) gets an hour.
package enum RateLimit {
    /// The longest wait that is simply waited out.
    static let shortWait: TimeInterval = 10
    /// The longest wait a server can impose, whatever it asks for.
    package static let longestWait: TimeInterval = 3600

    /// When the next request is allowed, if `status` and `headers` say the limit was hit: a time from
    /// `now` to `now + longestWait`.
    package static func nextAllowed(status: Int, headers: HTTPHeaders, now: Date = Date()) -> Date? {
        guard status == 403 || status == 429 || status == 503 else { return nil }
        let latest = now.addingTimeInterval(longestWait)
        if let retryAfter = headers.first(name: "retry-after")?.trimmingCharacters(in: .whitespaces) {
            if let seconds = HeaderValues.nonNegativeInteger(retryAfter) {
                return now.addingTimeInterval(min(TimeInterval(seconds), longestWait))
            }
            if let date = httpDate(retryAfter) { return min(max(date, now), latest) }
        }
        guard status != 503 else { return nil }
        if headers.first(name: "x-ratelimit-remaining")?.trimmingCharacters(in: .whitespaces) == "0" {
            if let reset = headers.first(name: "x-ratelimit-reset").flatMap({ HeaderValues.nonNegativeInteger($0) }) {
                return min(max(Date(timeIntervalSince1970: TimeInterval(reset)), now), latest)
            }
            return now.addingTimeInterval(60)
        }
        return status == 429 ? now.addingTimeInterval(60) : nil
    }

    /// A stored "not before" time, if it is still ahead of `now` and believable: a time more than
    /// ``longestWait`` ahead (written by an older version, or before the clock was set back) is dropped.
    package static func pending(_ stored: Date?, now: Date = Date()) -> Date? {
        guard let stored, stored > now, stored <= now.addingTimeInterval(longestWait) else { return nil }
        return stored
    }

    /// The error for a limit of the release list of `repository` that lasts until `date`.
    package static func error(repository: String, until date: Date, authenticated: Bool, status: Int? = nil) -> TransferError {
        if status == 503 {
            return TransferError(.rateLimited, "the release server for \(repository) is unavailable (HTTP 503); next try after \(shown(date)) UTC",
                                 status: status, retryAfter: date)
        }
        let hint = authenticated ? "" : " (set github_token to raise the limit)"
        return TransferError(.rateLimited, "GitHub rate limit exhausted for \(repository); next try after \(shown(date)) UTC\(hint)",
                             status: status, retryAfter: date)
    }

    /// The error for a server (`host`) that answered `status` for `what` and asked not to be asked again
    /// before `date`. Up to ``shortWait`` away it is transient, for the retry loop to wait out; further
    /// away it is ``TransferError/Code/rateLimited``, which ends the attempt at once for the agent to come
    /// back at that time.
    package static func busy(host: String?, status: Int, for what: String, until date: Date, now: Date = Date()) -> TransferError {
        let message = "\(host ?? "the server") answered HTTP \(status) for \(what); next try after \(shown(date)) UTC"
        guard date.timeIntervalSince(now) > shortWait else {
            // A 403 is final to the retry loop; as a short rate limit it is retried like a 429.
            return TransferError(.httpStatus, message, status: status == 403 ? 429 : status, retryAfter: date)
        }
        return TransferError(.rateLimited, message, status: status, retryAfter: date)
    }

    /// `date` as an error shows it: the time of day when it is today, else the date too.
    static func shown(_ date: Date) -> String {
        let sameDay = UTCTime.dateTime(date).prefix(10) == UTCTime.dateTime(Date()).prefix(10)
        return sameDay ? UTCTime.time(date) : UTCTime.dateTime(date)
    }

    /// Parses an IMF-fixdate (`Wed, 21 Oct 2015 07:28:00 GMT`).
    static func httpDate(_ text: String) -> Date? {
        UTCTime.date(httpDate: text)
    }
}
