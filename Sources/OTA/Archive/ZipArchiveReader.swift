import COTASystem
import Foundation
import ZIPFoundation

/// Feeds the entries of a zip archive to an ``ExtractionSession``: ZIPFoundation decodes the data,
/// our policy decides everything else, since ZIPFoundation's own `extract(_:to:)` applies none of the
/// checks of docs/design.md, "Archive safety".
///
/// Entry types come from the unix mode in the external attributes (FIFOs, devices and sockets are
/// refused); symbolic links follow the tar link rules; encrypted entries are refused; total inflated
/// bytes are bounded by the policy's expansion ratio against the zip file size, checked per chunk.
struct ZipArchiveReader {
    let path: String
    let fileSize: Int64
    let policy: ExtractionPolicy

    func extract(into session: ExtractionSession) throws(ArchiveError) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ArchiveError(.io, "cannot open \(path)") }
        defer { try? handle.close() }
        let directory = try ZipCentralDirectory(fileHandle: handle, fileSize: fileSize, maxEntries: policy.maxEntries)
        let archive: Archive
        do { archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read) } catch {
            throw ArchiveError(.malformedHeader, "ZIPFoundation cannot read the zip archive (\(error))")
        }
        let limit = policy.inflationLimit(compressedSize: fileSize)
        var inflated: Int64 = 0
        var index = 0
        for zipEntry in archive {
            guard index < directory.records.count else { throw ArchiveError(.malformedHeader, "the zip archive lists more entries than its central directory") }
            let record = directory.records[index]
            index += 1
            let name = try Self.name(of: record, zipEntry: zipEntry)
            guard !record.isEncrypted else { throw ArchiveError(.unsupportedEntryType, entry: name, "encrypted zip entries are not supported") }
            let entry = try Self.entry(for: zipEntry, record: record, name: name)
            if case .symbolicLink = entry.kind {
                let target = try linkTarget(record: record, zipEntry: zipEntry, handle: handle, name: name)
                try session.add(ArchiveEntry(path: name, kind: .symbolicLink(target: target), mode: entry.mode, modificationTime: entry.modificationTime, size: 0)) { _ throws(ArchiveError) in }
                continue
            }
            if case .file = entry.kind { _ = try dataStart(of: record, zipEntry: zipEntry, handle: handle, name: name) }
            try session.add(entry) { sink throws(ArchiveError) in
                do {
                    _ = try archive.extract(zipEntry, skipCRC32: false) { data in
                        inflated += Int64(data.count)
                        guard inflated <= limit else {
                            throw ArchiveError(.expansionRatio, entry: name, "the zip data inflates to more than \(limit) bytes (\(policy.maxExpansionRatio):1 of the \(fileSize)-byte archive); stopped early")
                        }
                        try data.withUnsafeBytes { raw in try Result { () throws(ArchiveError) in try sink(raw) }.get() }
                    }
                } catch let error as ArchiveError { throw error } catch {
                    throw ArchiveError(.corruptCompression, entry: name, "the zip data cannot be read (\(error))")
                }
            }
        }
        guard index == directory.records.count else {
            throw ArchiveError(.malformedHeader, "ZIPFoundation read \(index) of the \(directory.records.count) entries of the central directory")
        }
    }

    /// The entry name: the raw bytes as UTF-8 when they are valid UTF-8 (what Linux tools write even
    /// without the UTF-8 flag), else ZIPFoundation's CP437 decoding. Control bytes are refused on the
    /// raw bytes, because CP437 decoding turns them into printable symbols.
    static func name(of record: ZipCentralDirectory.Record, zipEntry: Entry) throws(ArchiveError) -> String {
        if let control = record.name.first(where: { $0 < 0x20 || $0 == 0x7F }) {
            let shown = String(decoding: record.name, as: UTF8.self)
            throw ArchiveError(.invalidName, entry: shown, "the name contains a control character (\\u{\(String(control, radix: 16))})")
        }
        if let utf8 = String(validating: record.name, as: UTF8.self) {
            guard zipEntry.path(using: .utf8) == utf8 else {
                throw ArchiveError(.malformedHeader, entry: utf8, "the local and central zip headers disagree")
            }
            return utf8
        }
        return zipEntry.path
    }

    static func entry(for zipEntry: Entry, record: ZipCentralDirectory.Record, name: String) throws(ArchiveError) -> ArchiveEntry {
        let seconds = (zipEntry.fileAttributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let mtime = Int64(exactly: seconds.rounded(.down)) ?? 0
        let type = record.unixMode & 0o170000
        let permissions = record.unixMode & 0o7777
        let isFolderName = name.hasSuffix("/")
        switch type {
        case _ where type == 0o040000 || (type == 0 && isFolderName):
            return ArchiveEntry(path: name, kind: .directory, mode: permissions == 0 ? 0o755 : permissions, modificationTime: mtime, size: 0)
        case 0o100000, 0:
            // A forged zip64 size can exceed Int64 (found by the zip fuzzer: the conversion trapped).
            guard let size = Int64(exactly: zipEntry.uncompressedSize) else {
                throw ArchiveError(.malformedHeader, entry: name, "the entry declares \(zipEntry.uncompressedSize) bytes, more than any file can hold")
            }
            return ArchiveEntry(path: name, kind: .file, mode: permissions == 0 ? 0o644 : permissions, modificationTime: mtime, size: size)
        case 0o120000:
            return ArchiveEntry(path: name, kind: .symbolicLink(target: ""), mode: 0o777, modificationTime: mtime, size: 0)
        default:
            throw ArchiveError(.unsupportedEntryType, entry: name, "zip entry of file type 0o\(String(type, radix: 8)) is not allowed (only files, folders and links)")
        }
    }

    /// Where the entry's data starts, after checking that all of it lies inside the file.
    ///
    /// ZIPFoundation trusts the declared sizes and offsets: reading past the end of the file, it
    /// counts empty chunks as read or keeps asking zlib for more — a forged 460-byte zip kept it
    /// spinning for minutes (found by the zip fuzzer) — and it reads a link's data in one allocation
    /// of the size the *local* header claims (4 GiB, also found by the fuzzer). So every entry's
    /// local header is read here and its data range checked against the file first.
    func dataStart(of record: ZipCentralDirectory.Record, zipEntry: Entry, handle: FileHandle, name: String) throws(ArchiveError) -> Int64 {
        guard let (compressed, offset) = record.zip64Resolved else {
            throw ArchiveError(.malformedHeader, entry: name, "the zip64 sizes of the entry are missing from its central record")
        }
        var declared = [compressed, zipEntry.compressedSize]
        if record.method == 0 { declared += [zipEntry.uncompressedSize] }
        let header = try ZipCentralDirectory.read(handle, fileSize: fileSize, at: Int64(clamping: offset), count: 30)
        guard ZipCentralDirectory.u32(header, 0) == 0x0403_4B50 else {
            throw ArchiveError(.malformedHeader, entry: name, "the entry's local header is missing")
        }
        let start = Int64(clamping: offset) + 30 + Int64(ZipCentralDirectory.u16(header, 26)) + Int64(ZipCentralDirectory.u16(header, 28))
        for size in declared where size > UInt64(fileSize) || start + Int64(size) > fileSize {
            throw ArchiveError(.truncated, entry: name, "the entry declares \(size) bytes of data from offset \(start), past the end of the \(fileSize)-byte zip file")
        }
        return start
    }

    /// The target of a link entry (stored or deflated, at most 4096 bytes), read here from the range
    /// ``dataStart(of:zipEntry:handle:name:)`` checked.
    private func linkTarget(record: ZipCentralDirectory.Record, zipEntry: Entry, handle: FileHandle, name: String) throws(ArchiveError) -> String {
        guard record.compressedSize <= 1 << 16 else {
            throw ArchiveError(.malformedHeader, entry: name, "the link entry declares \(record.compressedSize) bytes of data; a link target is at most 4096 bytes")
        }
        let start = try dataStart(of: record, zipEntry: zipEntry, handle: handle, name: name)
        let raw = try ZipCentralDirectory.read(handle, fileSize: fileSize, at: start, count: Int(record.compressedSize))
        let bytes = record.method == 8 ? try Self.inflateRaw(raw, name: name) : raw
        guard bytes.count <= 4096 else { throw ArchiveError(.invalidName, entry: name, "the link target is longer than 4096 bytes") }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func inflateRaw(_ input: [UInt8], name: String) throws(ArchiveError) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ArchiveError(.io, "zlib could not be initialised")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: 4097)
        var input = input
        let status = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                return inflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw ArchiveError(.corruptCompression, entry: name, "the link target's deflate data is corrupt or too long") }
        return Array(output[0..<Int(stream.total_out)])
    }
}
