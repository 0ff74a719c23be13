import Foundation

/// Line splitting for the small text files of verification (checksums, signatures).
///
/// Lines are split at LF bytes, not at Swift `Character`s: `"\r\n"` is a single `Character`, and
/// other Unicode line separators must stay inside a file name.
enum TextLines {
    /// The lines of `data` split at LF, each without one trailing CR; `nil` when it is not UTF-8.
    static func split(_ data: Data) -> [String]? {
        var lines: [String] = []
        for var line in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
            if line.last == 0x0D { line = line.dropLast() }
            guard let text = String(validating: line, as: UTF8.self) else { return nil }
            lines.append(text)
        }
        return lines
    }
}
