/// One raw 512-byte tar header block, decoded field by field (ustar, GNU and v7 layouts).
///
/// Numeric fields accept octal (terminated by space or NUL) and GNU base-256 (high bit set);
/// negative base-256 values and any other byte are rejected as ``ArchiveError/Code/malformedHeader``.
struct TarHeader {
    static let blockSize = 512

    let name: String
    let mode: Int64
    let size: Int64
    let mtime: Int64
    let typeflag: UInt8
    let linkName: String
    /// `name` prefixed with the POSIX ustar `prefix` field when present.
    let fullName: String

    /// Whether the header checksum matches, with the sum of bytes taken as unsigned or signed (like GNU tar).
    static func checksumMatches(_ block: UnsafeRawBufferPointer) -> Bool {
        guard let stored = try? octal(block, 148, 8, field: "chksum") else { return false }
        var unsigned: Int64 = 0
        var signed: Int64 = 0
        for index in 0..<blockSize {
            let byte = (148..<156).contains(index) ? 0x20 : block[index]
            unsigned += Int64(byte)
            signed += Int64(Int8(bitPattern: byte))
        }
        return stored == unsigned || stored == signed
    }

    /// Whether all 512 bytes are zero (an end-of-archive marker).
    static func isZeroBlock(_ block: UnsafeRawBufferPointer) -> Bool {
        block.allSatisfy { $0 == 0 }
    }

    /// Decodes `block`; the checksum is verified first.
    init(_ block: UnsafeRawBufferPointer) throws(ArchiveError) {
        let rawName = Self.text(block, 0, 100)
        guard Self.checksumMatches(block) else {
            throw ArchiveError(.badChecksum, entry: rawName, "the tar header checksum does not match its contents")
        }
        mode = try Self.number(block, 100, 8, field: "mode", entry: rawName)
        size = try Self.number(block, 124, 12, field: "size", entry: rawName)
        mtime = try Self.number(block, 136, 12, field: "mtime", entry: rawName)
        typeflag = block[156]
        linkName = Self.text(block, 157, 100)
        name = rawName
        let magic = Array(block[257..<263])
        let isPOSIX = magic == Array("ustar\0".utf8)
        let prefix = isPOSIX ? Self.text(block, 345, 155) : ""
        fullName = prefix.isEmpty ? rawName : prefix + "/" + rawName
        guard size >= 0 else { throw ArchiveError(.malformedHeader, entry: rawName, "the size field is negative") }
    }

    /// A NUL-terminated text field (bytes after the first NUL are padding).
    static func text(_ block: UnsafeRawBufferPointer, _ offset: Int, _ length: Int) -> String {
        let field = block[offset..<(offset + length)]
        let end = field.firstIndex(of: 0) ?? field.endIndex
        return String(decoding: block[offset..<end], as: UTF8.self)
    }

    static func number(_ block: UnsafeRawBufferPointer, _ offset: Int, _ length: Int, field: String, entry: String) throws(ArchiveError) -> Int64 {
        if block[offset] & 0x80 != 0 {
            guard block[offset] != 0xFF else {
                throw ArchiveError(.malformedHeader, entry: entry, "the \(field) field holds a negative base-256 number")
            }
            var value: Int64 = Int64(block[offset] & 0x7F)
            for index in (offset + 1)..<(offset + length) {
                guard value <= (Int64.max >> 8) else {
                    throw ArchiveError(.malformedHeader, entry: entry, "the \(field) field overflows 63 bits")
                }
                value = (value << 8) | Int64(block[index])
            }
            return value
        }
        do { return try octal(block, offset, length, field: field) } catch {
            throw ArchiveError(.malformedHeader, entry: entry, "the \(field) field is not an octal number")
        }
    }

    struct NotOctal: Error {}

    /// Octal digits, optionally surrounded by spaces, terminated by NUL or space; an all-blank field is 0.
    static func octal(_ block: UnsafeRawBufferPointer, _ offset: Int, _ length: Int, field: String) throws(NotOctal) -> Int64 {
        var index = offset
        let end = offset + length
        while index < end, block[index] == 0x20 { index += 1 }
        var value: Int64 = 0
        var digits = 0
        while index < end, (0x30...0x37).contains(block[index]) {
            guard value <= (Int64.max >> 3) else { throw NotOctal() }
            value = value * 8 + Int64(block[index] - 0x30)
            digits += 1
            index += 1
        }
        while index < end {
            guard block[index] == 0 || block[index] == 0x20 else { throw NotOctal() }
            index += 1
        }
        return value
    }
}
