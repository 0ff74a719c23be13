/// Why an archive was refused or could not be extracted.
///
/// The whole archive is rejected for any of these: the staging directory is removed and nothing
/// outside it was created. `entry` names the offending entry when there is one (control characters
/// escaped), and `underlying` keeps the system error for I/O failures such as a full disk.
public struct ArchiveError: OTAError, Equatable {
    /// What went wrong, grouped from container problems to policy violations.
    public enum Code: String, Sendable, CaseIterable {
        /// Not a tar, gzip-compressed tar or zip file.
        case unsupportedFormat
        /// The archive or its compressed stream ends early.
        case truncated
        /// The gzip/deflate data is corrupt.
        case corruptCompression
        /// Bytes that are not another gzip member follow the compressed stream.
        case trailingData
        /// A tar header's checksum does not match.
        case badChecksum
        /// A tar header field cannot be parsed (size, mode, mtime, magic).
        case malformedHeader
        /// A pax (`x`/`g`) or GNU (`L`/`K`) record is malformed or too large.
        case malformedExtendedHeader
        /// A pax `size` disagrees with the ustar size field, or a zip entry's data disagrees with its size.
        case sizeMismatch
        /// Non-zero data after an end-of-archive zero block.
        case dataAfterEnd
        /// Device, FIFO, contiguous, sparse, encrypted or unknown entries.
        case unsupportedEntryType
        /// An absolute path or absolute link target.
        case absolutePath
        /// A `..` component in a path.
        case parentTraversal
        /// An empty name, invalid UTF-8, or NUL/control characters in a name or link target.
        case invalidName
        /// The same normalized path twice.
        case duplicateEntry
        /// A symbolic link whose target leaves the extracted tree.
        case linkEscape
        /// A hard link to a missing earlier entry, to a symlink or directory, or outside the tree.
        case invalidHardLink
        /// An entry whose parent path is a symbolic link from the same archive.
        case writeThroughSymlink
        /// More entries than `max_archive_entries`.
        case tooManyEntries
        /// More file bytes than `max_extracted_bytes`.
        case tooManyBytes
        /// The data expands beyond the allowed ratio to the compressed size (a decompression bomb).
        case expansionRatio
        /// The staging directory already exists or cannot be created.
        case stagingUnavailable
        /// The filesystem ran out of space (or quota) while extracting.
        case diskFull
        /// Another system call failed.
        case io
    }

    /// What went wrong, to switch on.
    public let code: Code
    /// The entry's path as written in the archive (escaped), when the problem concerns one entry.
    public let entry: String?
    /// What exactly is wrong.
    public let detail: String
    /// The failed system call, for `diskFull`, `io` and `stagingUnavailable`.
    public let underlying: SystemError?

    /// An error about `entry` (escaped for display), with the system error behind it if any.
    public init(_ code: Code, entry: String? = nil, _ detail: String, underlying: SystemError? = nil) {
        self.code = code
        self.entry = entry.map(ArchiveError.escaped)
        self.detail = detail
        self.underlying = underlying
    }

    /// One sentence naming the entry, the problem, and what to do.
    public var message: String {
        let subject = entry.map { "archive entry \"\($0)\"" } ?? "archive"
        switch code {
        case .diskFull, .io, .stagingUnavailable:
            let cause = underlying.map { ": \($0.message)" } ?? ""
            return "extracting \(subject) failed: \(detail)\(cause)"
        case .tooManyEntries, .tooManyBytes, .expansionRatio:
            return "\(subject) rejected: \(detail) (raise max_archive_entries/max_extracted_bytes only if this release is trusted)"
        default:
            return "\(subject) rejected: \(detail) (the archive is corrupt or unsafe; nothing was installed — check the release asset)"
        }
    }

    /// `name` with control characters and backslashes escaped, safe to print.
    static func escaped(_ name: String) -> String {
        var result = ""
        for scalar in name.unicodeScalars {
            switch scalar.value {
            case 0x5C: result += "\\\\"
            case 0..<0x20, 0x7F: result += "\\u{\(String(scalar.value, radix: 16))}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
