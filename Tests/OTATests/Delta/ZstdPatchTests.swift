import Foundation
import Testing
@testable import OTA
import OTATestSupport

/// The zstd patches of delta updates: ours decode with the real `zstd --patch-from`, its decode with ours,
/// and a corrupt, truncated or overlong patch is refused.
@Suite("Delta patches: zstd --patch-from", .timeLimit(.minutes(10)))
struct ZstdPatchTests {
    static let zstdInstalled = FileManager.default.isExecutableFile(atPath: "/usr/bin/zstd")

    /// An old content and a new one that changes a few lines of it.
    static func contents() -> (old: [UInt8], new: [UInt8]) {
        var old = "", new = ""
        for line in 0..<4000 {
            old += "line \(line): \(line * 7919 % 10007)\n"
            new += line % 500 == 0 ? "changed line \(line)\n" : "line \(line): \(line * 7919 % 10007)\n"
        }
        return (Array(old.utf8), Array(new.utf8))
    }

    /// Decodes `patch` against the file at `oldPath` with our decoder, feeding it `chunk` bytes at a time.
    static func decode(_ patch: [UInt8], oldPath: String, limit: Int64, chunk: Int = 7) throws -> [UInt8] {
        let decoder = try ZstdPatchDecoder(oldContentAt: oldPath, limit: limit)
        var output: [UInt8] = []
        var offset = 0
        while offset < patch.count {
            let end = min(patch.count, offset + chunk)
            try Array(patch[offset..<end]).withUnsafeBytes { bytes in
                try decoder.feed(bytes) { output.append(contentsOf: $0) }
            }
            offset = end
        }
        try decoder.finish()
        return output
    }

    static func zstd(_ arguments: [String]) throws -> Int32 {
        let process = try Process.run(URL(fileURLWithPath: "/usr/bin/zstd"), arguments: ["-q", "-f"] + arguments)
        process.waitUntilExit()
        return process.terminationStatus
    }

    @Test("a patch is far smaller than the new content's object and decodes, fed a few bytes at a time, to the new content")
    func roundTrip() throws {
        let work = try TemporaryDirectory("zstd-patch")
        let (old, new) = Self.contents()
        let patch = try ZstdPatch.make(from: old, to: new)
        #expect(patch.count * 10 < Gzip.compress(new).count, "\(patch.count) against \(Gzip.compress(new).count)")
        let oldPath = try work.write("old", String(decoding: old, as: UTF8.self))
        #expect(try Self.decode(patch, oldPath: oldPath, limit: Int64(new.count)) == new)
    }

    @Test("our patch decodes with `zstd -d --patch-from=OLD`, and `zstd --patch-from=OLD`'s decodes with ours",
          .enabled(if: RequiredTools.run(ifInstalled: zstdInstalled)))
    func interoperatesWithTheZstdTool() throws {
        try #require(Self.zstdInstalled, "zstd is not installed: apt-get install zstd")
        let work = try TemporaryDirectory("zstd-interop")
        let (old, new) = Self.contents()
        let oldPath = try work.write("old", String(decoding: old, as: UTF8.self))
        let newPath = try work.write("new", String(decoding: new, as: UTF8.self))
        // Ours, decoded by the tool.
        try Data(ZstdPatch.make(from: old, to: new)).write(to: URL(fileURLWithPath: work.url("ours.zst")))
        #expect(try Self.zstd(["-d", "--patch-from=" + oldPath, work.url("ours.zst"), "-o", work.url("ours.out")]) == 0)
        #expect(FileManager.default.contents(atPath: work.url("ours.out")).map(Array.init) == new)
        // The tool's, decoded by ours.
        #expect(try Self.zstd(["-19", "--patch-from=" + oldPath, newPath, "-o", work.url("tool.zst")]) == 0)
        let tool = try #require(FileManager.default.contents(atPath: work.url("tool.zst")).map(Array.init))
        #expect(try Self.decode(tool, oldPath: oldPath, limit: Int64(new.count)) == new)
    }

    @Test("a corrupt, truncated, overlong or trailing patch, or one against other old content, is refused")
    func refusesBadPatches() throws {
        let work = try TemporaryDirectory("zstd-bad")
        let (old, new) = Self.contents()
        let patch = try ZstdPatch.make(from: old, to: new)
        let oldPath = try work.write("old", String(decoding: old, as: UTF8.self))
        var corrupt = patch
        corrupt[corrupt.count / 2] ^= 0xFF
        #expect(throws: (any Error).self) { try Self.decode(corrupt, oldPath: oldPath, limit: Int64(new.count)) }
        #expect(throws: ArchiveError.self) { try Self.decode(Array(patch.dropLast(3)), oldPath: oldPath, limit: Int64(new.count)) }
        #expect(throws: ArchiveError.self) { try Self.decode(patch, oldPath: oldPath, limit: Int64(new.count) - 1) }
        #expect(throws: ArchiveError.self) { try Self.decode(patch + patch, oldPath: oldPath, limit: Int64(new.count) * 2, chunk: patch.count * 2) }
        // Against other old content the frame may decode, but never to the new content.
        let otherPath = try work.write("other", String(decoding: new, as: UTF8.self))
        #expect((try? Self.decode(patch, oldPath: otherPath, limit: Int64(new.count))) != new)
    }

    @Test("the window covers old and new content together, up to the largest the device accepts")
    func windowLog() {
        #expect(ZstdPatch.windowLog(forBytes: 0) == 10)
        #expect(ZstdPatch.windowLog(forBytes: 1025) == 11)
        #expect(ZstdPatch.windowLog(forBytes: Int(2 * ZstdPatch.maxContentBytes)) == ZstdPatch.maxWindowLog)
    }
}
