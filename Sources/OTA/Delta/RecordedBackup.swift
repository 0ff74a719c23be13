import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An `in_place` backup the agent recorded, and the SHA-256 of each of its files as its manifest keeps them:
/// a delta update finds contents in backups by these hashes instead of reading the files.
///
/// The manifest read is the agent's own record (`state_dir/backup-manifests/NAME.json`, see ``BackupStore``),
/// never the `backup.json` beside the files. It is read a line at a time (``ManifestWriter`` writes one
/// file a line), and only the lines whose SHA-256 is wanted are decoded: memory does not grow with it.
struct RecordedBackup: Sendable {
    /// The backup folder.
    let folder: String
    /// The backup's name, which names its record.
    let name: String
    /// The `state_dir` holding the record.
    let directory: StateDirectory

    /// The agent's record of its manifest.
    var record: String { directory.backupRecordPath(name) }

    /// A regular file the record lists.
    struct File {
        var path: String
        var size: Int64
        var digest: ContentDigest
    }

    /// The record's modification time (when the agent wrote it, after hashing every file), `nil` when it is gone.
    var recordedAt: timespec? { FileSystem.lstatInfo(record).map(\.st_mtim) }

    /// Hands `body` each regular file of the record whose SHA-256 `isWanted` accepts. A record that cannot be
    /// read (a symlink planted in its place among them), or a line that is not a file record, is skipped (the
    /// backup then offers nothing, or less).
    func forEachFile(where isWanted: (ContentDigest) -> Bool, _ body: (File) throws -> Void) rethrows {
        let opened = try? directory.open(StateDirectory.Entry.backupRecord(name), in: StateDirectory.Entry.backupRecords, flags: O_RDONLY)
        guard let fd = opened else { return }
        defer { close(fd) }
        let decoder = JSONDecoder()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
        defer { buffer.deallocate() }
        var partial: [UInt8] = []
        while true {
            guard let count = try? Syscall.read(fd, into: buffer, "read \(record)"), count > 0 else { return }
            var start = 0
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[..<count])
            while let end = chunk[start...].firstIndex(of: UInt8(ascii: "\n")) {
                partial.append(contentsOf: chunk[start..<end])
                if let file = Self.file(in: partial, isWanted: isWanted, decoder: decoder) { try body(file) }
                partial.removeAll(keepingCapacity: true)
                start = end + 1
            }
            partial.append(contentsOf: chunk[start...])
            // No line of a record is this long (a path is at most PATH_MAX): not a record this agent wrote.
            guard partial.count <= 64 << 10 else { return }
        }
    }

    private static let digestKey = Array("\"sha256\": \"".utf8)

    /// The file of one line (`{"path": …, "type": "file", …, "sha256": "…"}` with an optional trailing comma)
    /// when its SHA-256 is wanted; only such lines are decoded.
    static func file(in line: [UInt8], isWanted: (ContentDigest) -> Bool, decoder: JSONDecoder) -> File? {
        guard let keyStart = line.firstRange(of: digestKey)?.upperBound, line.count >= keyStart + 64,
              let digest = ContentDigest(hex: line[keyStart..<keyStart + 64]), isWanted(digest) else { return nil }
        var json = line.drop { $0 == UInt8(ascii: " ") }
        if json.last == UInt8(ascii: ",") { json = json.dropLast() }
        guard let file = try? decoder.decode(BackupManifest.File.self, from: Data(json)), file.type == "file",
              let size = file.size, file.sha256.flatMap({ ContentDigest(hex: $0) }) == digest else { return nil }
        return File(path: file.path, size: Int64(size), digest: digest)
    }
}
