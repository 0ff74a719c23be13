import Foundation

/// How to answer a `Range` request header for a file of a known size (RFC 9110 §14).
///
/// Supported: one range in the forms `bytes=a-b`, `bytes=a-` and `bytes=-n`. A header that is not a
/// byte range, is malformed, or asks for several ranges is ignored (the whole file, 200), which
/// RFC 9110 allows. A range starting at or after the end of the file, a suffix of zero bytes, or any
/// range of an empty file is unsatisfiable (416 with `Content-Range: bytes */size`).
enum ByteRange: Equatable, Sendable {
    /// Send the whole file with 200.
    case full
    /// Send these bytes with 206 and `Content-Range: bytes a-b/size`.
    case partial(ClosedRange<Int>)
    /// Answer 416.
    case unsatisfiable

    init(header: String?, size: Int) {
        guard let header else { self = .full; return }
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("bytes=") else { self = .full; return }
        let spec = trimmed.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { self = .full; return }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        switch (Self.number(first), Self.number(last)) {
        case (nil, let suffix?) where first.isEmpty:
            guard suffix > 0, size > 0 else { self = .unsatisfiable; return }
            self = .partial(max(0, size - suffix)...(size - 1))
        case (let start?, nil) where last.isEmpty:
            self = start < size ? .partial(start...(size - 1)) : .unsatisfiable
        case (let start?, let end?):
            guard start <= end else { self = .full; return }
            self = start < size ? .partial(start...min(end, size - 1)) : .unsatisfiable
        default:
            self = .full
        }
    }

    /// A non-negative decimal number of at most 18 digits (larger ones are malformed, not overflow).
    private static func number(_ text: String) -> Int? {
        guard !text.isEmpty, text.count <= 18, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int(text)
    }
}
