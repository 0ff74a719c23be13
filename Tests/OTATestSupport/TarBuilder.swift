import COTASystem
import Foundation
import OTA

/// Builds tar streams byte by byte, so tests can craft any header, valid or not.
struct TarBuilder {
    private(set) var bytes: [UInt8] = []

    /// Options for one raw header; `edit` runs before the checksum is computed unless `keepChecksum`.
    struct Header {
        var name: String
        var type: UInt8 = UInt8(ascii: "0")
        var size: Int = 0
        var mode: Int = 0o644
        var mtime: Int = 1_700_000_000
        var linkName: String = ""
        var prefix: String = ""
        var gnuMagic = false
        var base256Size = false
        var edit: (inout [UInt8]) -> Void = { _ in }
        var checksumDelta = 0
    }

    static func header(_ h: Header) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, _ offset: Int, _ length: Int) {
            let utf8 = Array(text.utf8)
            precondition(utf8.count <= length, "field too long: \(text)")
            block.replaceSubrange(offset..<(offset + utf8.count), with: utf8)
        }
        func octal(_ value: Int, _ offset: Int, _ length: Int) {
            put(String(repeating: "0", count: max(0, length - 1 - String(value, radix: 8).count)) + String(value, radix: 8), offset, length - 1)
        }
        put(h.name, 0, 100)
        octal(h.mode, 100, 8)
        octal(0, 108, 8)
        octal(0, 116, 8)
        if h.base256Size {
            block[124] = 0x80
            var value = h.size
            for index in stride(from: 135, to: 124, by: -1) { block[index] = UInt8(value & 0xFF); value >>= 8 }
        } else {
            octal(h.size, 124, 12)
        }
        octal(h.mtime, 136, 12)
        block[156] = h.type
        put(h.linkName, 157, 100)
        if h.gnuMagic { put("ustar  ", 257, 8) } else { put("ustar", 257, 6); put("00", 263, 2) }
        put("root", 265, 32)
        put("root", 297, 32)
        put(h.prefix, 345, 155)
        h.edit(&block)
        for index in 148..<156 { block[index] = 0x20 }
        let sum = block.reduce(0) { $0 + Int($1) } + h.checksumDelta
        put(String(repeating: "0", count: max(0, 6 - String(sum, radix: 8).count)) + String(sum, radix: 8), 148, 6)
        block[154] = 0
        block[155] = 0x20
        return block
    }

    mutating func raw(_ data: [UInt8]) { bytes += data }

    /// Appends a header and its padded data; names or link names over 100 bytes get a pax record first.
    mutating func add(_ h: Header, data: [UInt8] = []) {
        var h = h
        var records: [(String, String)] = []
        if h.name.utf8.count > 100 { records.append(("path", h.name)); h.name = "long-name-placeholder" }
        if h.linkName.utf8.count > 100 { records.append(("linkpath", h.linkName)); h.linkName = "long-link-placeholder" }
        if !records.isEmpty { pax(records) }
        bytes += Self.header(h)
        bytes += data
        bytes += [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
    }

    mutating func file(_ name: String, _ text: String = "", mode: Int = 0o644) {
        let data = Array(text.utf8)
        add(Header(name: name, size: data.count, mode: mode), data: data)
    }

    mutating func directory(_ name: String, mode: Int = 0o755) {
        add(Header(name: name, type: UInt8(ascii: "5"), mode: mode))
    }

    mutating func symlink(_ name: String, to target: String) {
        add(Header(name: name, type: UInt8(ascii: "2"), mode: 0o777, linkName: target))
    }

    mutating func hardLink(_ name: String, to target: String) {
        add(Header(name: name, type: UInt8(ascii: "1"), linkName: target))
    }

    /// A pax extended header (`x`, or `g` when `global`) from key/value pairs.
    mutating func pax(_ pairs: [(String, String)], global: Bool = false) {
        var data: [UInt8] = []
        for (key, value) in pairs {
            let body = " \(key)=\(value)\n"
            var length = body.utf8.count + 1
            while String(length).count + body.utf8.count != length { length += 1 }
            data += Array("\(length)\(body)".utf8)
        }
        paxRaw(data, global: global)
    }

    mutating func paxRaw(_ data: [UInt8], global: Bool = false, name: String = "PaxHeaders/x") {
        add(Header(name: global ? "pax_global_header" : name, type: UInt8(ascii: global ? "g" : "x"), size: data.count), data: data)
    }

    /// A GNU `L` (long name) or `K` (long link) record.
    mutating func gnuLong(_ text: String, link: Bool = false) {
        let data = Array(text.utf8) + [0]
        add(Header(name: "././@LongLink", type: UInt8(ascii: link ? "K" : "L"), size: data.count, gnuMagic: true), data: data)
    }

    mutating func end() { bytes += [UInt8](repeating: 0, count: 1024) }

    /// Convenience: a finished archive.
    static func archive(_ build: (inout TarBuilder) -> Void) -> [UInt8] {
        var builder = TarBuilder()
        build(&builder)
        builder.end()
        return builder.bytes
    }
}

/// gzip helpers for hostile inputs; `Gzip.compress` is the product's.
extension Gzip {
    /// One gzip member holding `header` + `zeroCount` zero bytes, deflated in 1 MiB steps (constant memory).
    static func zeroMember(header: [UInt8], zeroCount: Int64) -> [UInt8] {
        var stream = z_stream()
        precondition(ota_deflate_init_gzip(&stream, 9) == Z_OK)
        defer { deflateEnd(&stream) }
        var member: [UInt8] = []
        var out = [UInt8](repeating: 0, count: 256 * 1024)
        func pump(_ input: [UInt8], flush: Int32) {
            var input = input
            input.withUnsafeMutableBufferPointer { inBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                var status: Int32 = Z_OK
                repeat {
                    out.withUnsafeMutableBufferPointer { o in
                        stream.next_out = o.baseAddress
                        stream.avail_out = uInt(o.count)
                        status = deflate(&stream, flush)
                        member += o[0..<(o.count - Int(stream.avail_out))]
                    }
                } while stream.avail_out == 0 || (flush == Z_FINISH && status != Z_STREAM_END)
            }
        }
        pump(header, flush: Z_NO_FLUSH)
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        var left = zeroCount
        while left > 0 {
            let n = Int(min(left, Int64(zeros.count)))
            pump(Array(zeros[0..<n]), flush: Z_NO_FLUSH)
            left -= Int64(n)
        }
        pump([], flush: Z_FINISH)
        return member
    }

    /// Writes a gzip bomb: `header` then `zeroCount` zeros, as concatenated 64 MiB members
    /// (one member is deflated and repeated, so building a 1 GiB bomb takes well under a second).
    static func writeZeroBomb(to path: String, header: [UInt8], zeroCount: Int64) throws {
        let step: Int64 = 64 << 20
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.write(contentsOf: zeroMember(header: header, zeroCount: min(step, zeroCount)))
        var left = zeroCount - min(step, zeroCount)
        let full = zeroMember(header: [], zeroCount: step)
        while left > 0 {
            try handle.write(contentsOf: left >= step ? full : zeroMember(header: [], zeroCount: left))
            left -= min(step, left)
        }
    }
}
