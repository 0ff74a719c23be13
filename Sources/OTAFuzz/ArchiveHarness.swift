#if canImport(Glibc)
import Glibc
#endif
import Foundation
import OTA

/// Extracts fuzzed archives in a throw-away sandbox and checks the archive safety policy from the outside.
///
/// Invariants: the extractor either succeeds or throws an `ArchiveError` (never traps); on failure the
/// staging directory is gone and the sandbox holds exactly what it held before; on success nothing
/// was created beside the staging directory, the tree holds only files, folders and symbolic links,
/// no file is setuid/setgid/sticky, and every link — resolved on the real filesystem, following the
/// links of the tree — stays inside the release root.
enum ArchiveHarness {
    /// Small limits keep every execution fast; the checks are the same as with the defaults.
    static let policy = ExtractionPolicy(maxEntries: 2_000, maxExtractedBytes: 64 << 20, ratioExemptBytes: 1 << 20)

    static func run(_ input: [UInt8]) -> FuzzResult {
        let sandbox: FuzzSandbox
        do { sandbox = try FuzzSandbox() } catch { return FuzzResult(accepted: false, violations: ["cannot create the sandbox: \(error)"]) }
        defer { sandbox.remove() }
        let archive = sandbox.path + "/archive"
        let box = sandbox.path + "/box"
        let staging = box + "/staging"
        guard FileManager.default.createFile(atPath: archive, contents: Data(input)),
              mkdir(box, 0o755) == 0, mkdir(box + "/outside", 0o755) == 0,
              FileManager.default.createFile(atPath: box + "/outside/keep", contents: Data("keep".utf8)) else {
            return FuzzResult(accepted: false, violations: ["cannot prepare the sandbox at \(sandbox.path)"])
        }
        var violations: [String] = []
        let expected: Set<String>
        var accepted = false
        var rejection: String?
        do {
            let result = try Extractor(policy: policy).extract(archiveAt: archive, into: staging)
            expected = ["outside", "staging"]
            accepted = true
            let prefix = staging + "/"
            if result.root != staging && !result.root.hasPrefix(prefix) {
                violations.append("the release root \(result.root) is not inside the staging directory")
            } else {
                violations += TreeInspector(root: result.root).violations()
            }
        } catch {
            expected = ["outside"]
            rejection = error.message
            if error.message.isEmpty { violations.append("an ArchiveError without a message: \(error.code)") }
        }
        let present = Set((try? FileManager.default.contentsOfDirectory(atPath: box)) ?? [])
        if present != expected {
            violations.append("the sandbox holds \(present.sorted()) instead of \(expected.sorted())")
        }
        let outside = (try? FileManager.default.contentsOfDirectory(atPath: box + "/outside")) ?? []
        let keep = FileManager.default.contents(atPath: box + "/outside/keep")
        if outside != ["keep"] || keep != Data("keep".utf8) {
            violations.append("the folder beside staging changed: \(outside)")
        }
        return FuzzResult(accepted: accepted, violations: violations, rejection: rejection)
    }

    /// Writes a valid checksum into every header block — found by walking the archive with the
    /// size field of each header (octal or base-256; unreadable counts as 0) — so that mutated header
    /// fields reach the checks behind the checksum. Data blocks are left alone.
    static func sealingChecksums(_ input: [UInt8]) -> [UInt8] {
        var bytes = input
        var offset = 0
        while offset + 512 <= bytes.count {
            guard bytes[offset..<(offset + 512)].contains(where: { $0 != 0 }) else { offset += 512; continue }
            for index in (offset + 148)..<(offset + 156) { bytes[index] = 0x20 }
            let sum = bytes[offset..<(offset + 512)].reduce(0) { $0 + Int($1) }
            let digits = Array(String(sum, radix: 8).utf8)
            let field = [UInt8](repeating: UInt8(ascii: "0"), count: max(0, 6 - digits.count)) + digits + [0, 0x20]
            bytes.replaceSubrange((offset + 148)..<(offset + 156), with: field.suffix(8))
            let size = headerSize(bytes[(offset + 124)..<(offset + 136)])
            offset += 512 + Int((min(size, Int64(bytes.count)) + 511) / 512) * 512
        }
        return bytes
    }

    /// The size field of a header: octal digits (spaces and NULs around them), or base-256 when the
    /// first byte has its high bit set.
    static func headerSize(_ field: ArraySlice<UInt8>) -> Int64 {
        if let first = field.first, first & 0x80 != 0 {
            return field.dropFirst().reduce(Int64(first & 0x7F)) { value, byte in
                value > Int64.max >> 9 ? Int64.max >> 1 : value << 8 | Int64(byte)
            }
        }
        var value: Int64 = 0
        for byte in field where byte != 0x20 && byte != 0 {
            guard (0x30...0x37).contains(byte), value < Int64.max >> 4 else { return 0 }
            value = value * 8 + Int64(byte - 0x30)
        }
        return value
    }

    /// The input behind a gzip header when it does not start with the gzip magic.
    static func withGzipMagic(_ input: [UInt8]) -> [UInt8] {
        if input.count >= 2, input[0] == 0x1F, input[1] == 0x8B { return input }
        return [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0x03] + input
    }

    /// The input behind a zip local header signature when it does not start with one, so that it is
    /// read as a zip (the central directory at the end decides what is in it).
    static func withZipMagic(_ input: [UInt8]) -> [UInt8] {
        if input.count >= 4, input[0] == 0x50, input[1] == 0x4B, input[2] == 3 || input[2] == 5 { return input }
        return [0x50, 0x4B, 3, 4] + input
    }
}
