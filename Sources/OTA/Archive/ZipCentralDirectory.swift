import Foundation

/// The facts ZIPFoundation keeps private, read from the zip's central directory ourselves:
/// the file type bits of the unix mode (to refuse FIFOs and devices), encryption and the method.
struct ZipCentralDirectory {
    struct Record {
        let madeByUnix: Bool
        let flags: UInt16
        let method: UInt16
        let externalAttributes: UInt32
        let name: [UInt8]
        /// As the central directory declares it (0xFFFF_FFFF: in a zip64 extra field).
        let compressedSize: UInt32
        /// As the central directory declares it (0xFFFF_FFFF: in a zip64 extra field).
        let uncompressedSize: UInt32
        /// Where the entry's local header starts (0xFFFF_FFFF: in a zip64 extra field).
        let localHeaderOffset: UInt32
        /// The extra fields of the central record.
        let extra: [UInt8]

        /// The compressed size and local header offset, from the zip64 extended information field
        /// (id 1) where the 32-bit fields say 0xFFFF_FFFF; `nil` when that field is missing or short.
        var zip64Resolved: (compressedSize: UInt64, localHeaderOffset: UInt64)? {
            var compressed = UInt64(compressedSize), offset = UInt64(localHeaderOffset)
            guard compressed == 0xFFFF_FFFF || offset == 0xFFFF_FFFF else { return (compressed, offset) }
            var position = 0
            while position + 4 <= extra.count {
                let id = ZipCentralDirectory.u16(extra, position), length = Int(ZipCentralDirectory.u16(extra, position + 2))
                let body = position + 4
                guard body + length <= extra.count else { return nil }
                if id == 1 {
                    var field = body
                    func next() -> UInt64? {
                        guard field + 8 <= body + length else { return nil }
                        defer { field += 8 }
                        return ZipCentralDirectory.u64(extra, field)
                    }
                    if uncompressedSize == 0xFFFF_FFFF { guard next() != nil else { return nil } }
                    if compressed == 0xFFFF_FFFF { guard let value = next() else { return nil }; compressed = value }
                    if offset == 0xFFFF_FFFF { guard let value = next() else { return nil }; offset = value }
                    return (compressed, offset)
                }
                position = body + length
            }
            return nil
        }

        var unixMode: UInt32 { madeByUnix ? externalAttributes >> 16 : 0 }
        var isEncrypted: Bool { flags & 1 != 0 }
    }

    let records: [Record]

    /// Reads the end-of-central-directory record (zip64 too) and every central directory record.
    init(fileHandle: FileHandle, fileSize: Int64, maxEntries: Int) throws(ArchiveError) {
        func malformed(_ why: String) -> ArchiveError { ArchiveError(.malformedHeader, "the zip central directory is malformed: \(why)") }
        func read(_ offset: Int64, _ count: Int) throws(ArchiveError) -> [UInt8] {
            try Self.read(fileHandle, fileSize: fileSize, at: offset, count: count)
        }
        let tailSize = Int(min(fileSize, 22 + 65_535))
        let tail = try read(fileSize - Int64(tailSize), tailSize)
        guard let eocd = stride(from: tail.count - 22, through: 0, by: -1).first(where: { Self.u32(tail, $0) == 0x0605_4B50 }) else {
            throw malformed("no end-of-central-directory record")
        }
        var count = Int64(Self.u16(tail, eocd + 10))
        var size = Int64(Self.u32(tail, eocd + 12))
        var offset = Int64(Self.u32(tail, eocd + 16))
        if count == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
            let eocdPosition = fileSize - Int64(tailSize) + Int64(eocd)
            let locator = try read(eocdPosition - 20, 20)
            guard Self.u32(locator, 0) == 0x0706_4B50 else { throw malformed("the zip64 locator is missing") }
            let zip64 = try read(Int64(Self.u64(locator, 8)), 56)
            guard Self.u32(zip64, 0) == 0x0606_4B50 else { throw malformed("the zip64 end record is missing") }
            count = Int64(Self.u64(zip64, 32))
            size = Int64(Self.u64(zip64, 40))
            offset = Int64(Self.u64(zip64, 48))
        }
        guard count >= 0, count <= Int64(maxEntries) else {
            throw ArchiveError(.tooManyEntries, "the zip archive has \(count) entries, more than \(maxEntries)")
        }
        guard size >= 0, size <= 256 << 20 else { throw malformed("the central directory is \(size) bytes") }
        let directory = try read(offset, Int(size))
        var records: [Record] = []
        var position = 0
        for _ in 0..<count {
            guard position + 46 <= directory.count, Self.u32(directory, position) == 0x0201_4B50 else {
                throw malformed("record \(records.count + 1) is missing or cut")
            }
            let nameLength = Int(Self.u16(directory, position + 28))
            let extraLength = Int(Self.u16(directory, position + 30))
            let commentLength = Int(Self.u16(directory, position + 32))
            let end = position + 46 + nameLength + extraLength + commentLength
            guard end <= directory.count else { throw malformed("record \(records.count + 1) is cut") }
            let system = directory[position + 5]
            records.append(Record(
                madeByUnix: system == 3 || system == 19,
                flags: Self.u16(directory, position + 8),
                method: Self.u16(directory, position + 10),
                externalAttributes: Self.u32(directory, position + 38),
                name: Array(directory[(position + 46)..<(position + 46 + nameLength)]),
                compressedSize: Self.u32(directory, position + 20),
                uncompressedSize: Self.u32(directory, position + 24),
                localHeaderOffset: Self.u32(directory, position + 42),
                extra: Array(directory[(position + 46 + nameLength)..<(position + 46 + nameLength + extraLength)])))
            position = end
        }
        self.records = records
    }

    /// Exactly `count` bytes at `offset`, which must lie inside the file.
    static func read(_ fileHandle: FileHandle, fileSize: Int64, at offset: Int64, count: Int) throws(ArchiveError) -> [UInt8] {
        // Written so that a forged offset near Int64.max cannot overflow.
        guard offset >= 0, count >= 0, Int64(count) <= fileSize, offset <= fileSize - Int64(count) else {
            throw ArchiveError(.truncated, "the zip file ends early")
        }
        do {
            try fileHandle.seek(toOffset: UInt64(offset))
            let data = try fileHandle.read(upToCount: count) ?? Data()
            guard data.count == count else { throw ArchiveError(.truncated, "the zip file ends early") }
            return [UInt8](data)
        } catch let error as ArchiveError { throw error } catch {
            throw ArchiveError(.io, "cannot read the zip file (\(error))")
        }
    }

    static func u16(_ bytes: [UInt8], _ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
    static func u32(_ bytes: [UInt8], _ at: Int) -> UInt32 { UInt32(u16(bytes, at)) | UInt32(u16(bytes, at + 2)) << 16 }
    static func u64(_ bytes: [UInt8], _ at: Int) -> UInt64 { UInt64(u32(bytes, at)) | UInt64(u32(bytes, at + 4)) << 32 }
}
