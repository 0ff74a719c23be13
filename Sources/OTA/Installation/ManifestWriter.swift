#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Writes a backup's `backup.json` (``BackupManifest``) entry by entry while walking and hashing
/// the trees it describes, so that its memory does not grow with the number of files.
///
/// The file is written as a temporary beside `path` and renamed into place by ``finish()``, after
/// an fsync; ``discard()`` removes the temporary. The JSON is the shape ``BackupManifest`` decodes
/// (one record a line): `{"version": …, "created_at": …, "files": [{…}, …]}`.
final class ManifestWriter {
    let path: String
    private let temporary: String
    private var fd: Int32
    private var output: [UInt8] = []
    private var entries = 0
    /// One read buffer for hashing every file.
    private let readBuffer: UnsafeMutableRawBufferPointer

    /// Creates the temporary file and writes the header.
    init(path: String, version: SemanticVersion, createdAt: Date) throws(SystemError) {
        self.path = path
        temporary = FileSystem.parent(path) + "/.\(PathName.lastComponent(of: path)).tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SystemError.last("create \(temporary)") }
        self.fd = fd
        readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: FileDigest.chunkSize, alignment: 16)
        output.reserveCapacity(Self.flushSize + 4096)
        append("{\n  \"version\" : ")
        appendString(version.description)
        append(",\n  \"created_at\" : ")
        appendString(UTCTime.iso8601(createdAt))
        append(",\n  \"files\" : [")
    }

    deinit {
        if fd >= 0 { close(fd) }
        readBuffer.deallocate()
    }

    /// Records the entry at `source` as `relative` and, when it is a directory and `recursive`,
    /// every entry under it (parents before children, names sorted), hashing each regular file.
    func add(_ source: String, as relative: String, recursive: Bool = true) throws(SystemError) {
        guard let info = FileSystem.lstatInfo(source) else { throw SystemError.last("stat \(source)") }
        let kind = FileSystem.kind(of: info)
        // Like a copy, a backup holds only what a restore can recreate.
        guard kind != .other else { throw SystemError("back up \(source) (not a file, directory or symlink)", errno: EINVAL) }
        append(entries == 0 ? "\n    {\"path\": " : ",\n    {\"path\": ")
        entries += 1
        appendString(relative)
        append(", \"type\": \"\(kind.rawValue)\", \"mode\": \"\(Hex.octalMode(info.st_mode & 0o7777))\"")
        switch kind {
        case .file:
            let digest = try sha256(source)
            append(", \"size\": \(Int(info.st_size)), \"sha256\": \"\(digest)\"}")
        case .symlink:
            append(", \"target\": ")
            appendString(try FileSystem.readLink(source))
            append("}")
        case .directory, .other:
            append("}")
        }
        if output.count >= Self.flushSize { try flush() }
        guard kind == .directory, recursive else { return }
        for name in try FileSystem.names(in: source) {
            try add(source + "/" + name, as: relative + "/" + name)
        }
    }

    /// Closes the JSON, fsyncs it and renames it to `path` (the caller makes the folder durable).
    func finish() throws(SystemError) {
        append("\n  ]\n}\n")
        do throws(SystemError) {
            try flush()
            guard fsync(fd) == 0 else { throw SystemError.last("fsync \(temporary)") }
            let closing = fd
            fd = -1
            guard close(closing) == 0 else { throw SystemError.last("close \(temporary)") }
            try FileSystem.rename(temporary, path)
        } catch {
            discard()
            throw error
        }
    }

    /// Removes the temporary file (after a failure).
    func discard() {
        if fd >= 0 { close(fd); fd = -1 }
        unlink(temporary)
    }

    private static let flushSize = 64 << 10

    private func flush() throws(SystemError) {
        try Syscall.writeAll(fd, output, "write \(temporary)")
        output.removeAll(keepingCapacity: true)
    }

    private func append(_ text: String) { output.append(contentsOf: text.utf8) }

    /// A JSON string literal: quotes, backslashes and control characters escaped.
    private func appendString(_ text: String) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                output.append(UInt8(ascii: "\\"))
                output.append(byte)
            case 0..<0x20:
                output.append(contentsOf: Array("\\u00".utf8))
                Hex.appendLowercase(byte, to: &output)
            default:
                output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// The lowercase hex SHA-256 of a file, read through the shared buffer.
    private func sha256(_ path: String) throws(SystemError) -> String {
        try FileDigest.sha256(ofFileAt: path, reusing: readBuffer)
    }
}
