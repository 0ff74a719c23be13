import Crypto
import Foundation
import OTA

/// Strong entity tags and the conditional-request rules the mirror applies (RFC 9110 §13).
enum EntityTag {
    /// A strong ETag (`"<hex>"`) for response bytes: SHA-256 of the body, truncated to 32 hex digits.
    static func forBody(_ bytes: some DataProtocol) -> String {
        let digest = SHA256.hash(data: Data(bytes))
        return "\"" + Hex.lowercase(digest.prefix(16)) + "\""
    }

    /// A strong ETag for a file whose SHA-256 is `sha256` (hex).
    static func forFile(sha256: String) -> String { "\"" + sha256 + "\"" }

    /// Whether `If-None-Match` matches `etag` (weak comparison, `*` matches anything).
    static func noneMatchHits(_ header: String?, etag: String) -> Bool {
        guard let header else { return false }
        let opaque = weakless(etag)
        for candidate in header.split(separator: ",") {
            let value = candidate.trimmingCharacters(in: .whitespaces)
            if value == "*" || weakless(value) == opaque { return true }
        }
        return false
    }

    /// Whether `If-Range` allows a partial answer: a strong ETag equal to `etag`, or exactly the
    /// `Last-Modified` date sent. Anything else (weak tag, other tag, other date) means "send it all".
    static func ifRangeAllowsPartial(_ header: String?, etag: String, lastModified: String) -> Bool {
        guard let header = header?.trimmingCharacters(in: .whitespaces) else { return true }
        if header.hasPrefix("W/") { return false }
        if header.hasPrefix("\"") { return header == etag }
        return header == lastModified
    }

    private static func weakless(_ tag: String) -> String {
        tag.hasPrefix("W/") ? String(tag.dropFirst(2)) : tag
    }
}
