#if canImport(Glibc)
import Glibc
#endif

/// The container formats the extractor reads, recognised by content rather than by file name.
public enum ArchiveFormat: String, Sendable {
    /// A plain (ustar, pax or GNU) tar archive.
    case tar
    /// A gzip-compressed tar archive (`.tar.gz`, `.tgz`).
    case tarGzip
    /// A zip archive.
    case zip

    /// Detects the format from the first bytes: gzip magic `1f 8b`, zip magic `PK\3\4` (or the
    /// empty-archive `PK\5\6`), otherwise a tar header (a `ustar` magic, or a v7 header with a valid
    /// checksum; the reader verifies every checksum anyway).
    ///
    /// - Important: the file name is never trusted; a `.zip` that holds a tarball is read as a tarball.
    public static func detect(prefix bytes: [UInt8]) -> ArchiveFormat? {
        if bytes.count >= 2, bytes[0] == 0x1F, bytes[1] == 0x8B { return .tarGzip }
        if bytes.count >= 4, bytes[0] == 0x50, bytes[1] == 0x4B,
           (bytes[2] == 3 && bytes[3] == 4) || (bytes[2] == 5 && bytes[3] == 6) { return .zip }
        if bytes.count >= TarHeader.blockSize {
            let valid = bytes.withUnsafeBytes { TarHeader.checksumMatches(UnsafeRawBufferPointer(rebasing: $0[0..<TarHeader.blockSize])) }
            let ustar = Array(bytes[257..<262]) == Array("ustar".utf8)
            if valid || ustar { return .tar }
        }
        return nil
    }

    /// Detects the format of the file at `path` (see ``detect(prefix:)``).
    public static func detect(fileAt path: String) throws(ArchiveError) -> ArchiveFormat {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ArchiveError(.io, "cannot open \(path)", underlying: .last("open \(path)")) }
        defer { close(fd) }
        let prefix: [UInt8]
        do { prefix = try Syscall.readAll(fd, limit: TarHeader.blockSize, "read \(path)") } catch {
            throw ArchiveError(.io, "cannot read \(path)", underlying: error)
        }
        guard let format = detect(prefix: prefix) else {
            if prefix.isEmpty { throw ArchiveError(.truncated, "\(path) is empty") }
            throw ArchiveError(.unsupportedFormat, "\(path) is neither a tar, a gzip-compressed tar nor a zip archive")
        }
        return format
    }
}
