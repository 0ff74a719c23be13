import Crypto
import Foundation
import Testing
@testable import OTA
import OTATestSupport

/// Index patches: a release's index text as a zstd patch against an earlier index text the device keeps,
/// with a header that binds the base and gives the SHA-256 and length of the text made.
@Suite("Delta index patches", .timeLimit(.minutes(10)))
struct DeltaIndexPatchTests {
    /// Two index texts of `count` entries that differ in a few SHA-256s and one added file.
    static func texts(count: Int = 3000) -> (old: [UInt8], new: [UInt8]) {
        func entries(_ release: String) -> DeltaIndex {
            var list: [DeltaIndex.Entry] = [.init(path: "src", kind: .directory, mode: 0o755)]
            for number in 0..<count {
                let changed = number % 400 == 0 ? release : "same"
                let digest = Hex.lowercase(SHA256.hash(data: Array("\(number)-\(changed)".utf8)))
                list.append(.init(path: String(format: "src/module%05d.py", number), kind: .file(size: Int64(number + 1), sha256: digest), mode: 0o644))
            }
            if release == "new" { list.append(.init(path: "src/zz-new.py", kind: .file(size: 1, sha256: String(repeating: "a", count: 64)), mode: 0o644)) }
            return DeltaIndex(entries: list)
        }
        return (Array(entries("old").text().utf8), Array(entries("new").text().utf8))
    }

    /// Writes `text` gzip-compressed, as a kept index.
    static func keep(_ text: [UInt8], in work: TemporaryDirectory, name: String = "kept.index.gz") throws -> String {
        let path = work.url(name)
        try Data(Gzip.compress(text)).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Applies `patch` to the kept index `kept`; the text made, inflated again.
    static func apply(_ patch: [UInt8], kept: String, work: TemporaryDirectory, limit: Int64 = 32 << 20) throws -> [UInt8] {
        let destination = work.url("made-\(UUID().uuidString).index.gz")
        _ = try DeltaIndexPatch.apply(patch, to: try DeltaIndexBase(keptIndexAt: kept, limit: limit), writingTo: destination, limit: limit)
        return try Gzip.decompress(Array(try Data(contentsOf: URL(fileURLWithPath: destination))), limit: limit)
    }

    @Test("a patch makes the new text from the kept old one, in far fewer bytes than the gzip index; the header gives both digests")
    func roundTrip() throws {
        let work = try TemporaryDirectory("index-patch")
        let (old, new) = Self.texts()
        let patch = try DeltaIndexPatch.make(from: old, to: new)
        let compressed = Gzip.compress(new).count
        #expect(patch.count * 10 < compressed, "\(patch.count) bytes against \(compressed)")
        let (header, _) = try DeltaIndexPatch.Header.read(patch)
        #expect(header == .init(base: Hex.lowercase(SHA256.hash(data: old)), baseLength: Int64(old.count),
                                text: Hex.lowercase(SHA256.hash(data: new)), textLength: Int64(new.count)))
        #expect(try Self.apply(patch, kept: try Self.keep(old, in: work), work: work) == new)
    }

    @Test("the zstd frame after the header decodes with `zstd -d --patch-from=OLD`",
          .enabled(if: RequiredTools.run(ifInstalled: ZstdPatchTests.zstdInstalled)))
    func frameDecodesWithTheZstdTool() throws {
        try #require(ZstdPatchTests.zstdInstalled, "zstd is not installed: apt-get install zstd")
        let work = try TemporaryDirectory("index-patch-zstd")
        let (old, new) = Self.texts()
        let patch = try DeltaIndexPatch.make(from: old, to: new)
        let (_, frame) = try DeltaIndexPatch.Header.read(patch)
        try Data(old).write(to: URL(fileURLWithPath: work.url("old")))
        try Data(patch[frame...]).write(to: URL(fileURLWithPath: work.url("frame.zst")))
        #expect(try ZstdPatchTests.zstd(["-d", "--patch-from=" + work.url("old"), work.url("frame.zst"), "-o", work.url("new")]) == 0)
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: work.url("new")))) == new)
    }

    @Test("a frame `zstd --patch-from` makes, behind a header, is applied by the device",
          .enabled(if: RequiredTools.run(ifInstalled: ZstdPatchTests.zstdInstalled)))
    func appliesTheZstdToolsFrame() throws {
        try #require(ZstdPatchTests.zstdInstalled, "zstd is not installed: apt-get install zstd")
        let work = try TemporaryDirectory("index-patch-zstd-tool")
        let (old, new) = Self.texts()
        try Data(old).write(to: URL(fileURLWithPath: work.url("old")))
        try Data(new).write(to: URL(fileURLWithPath: work.url("new")))
        #expect(try ZstdPatchTests.zstd(["-19", "--patch-from=" + work.url("old"), work.url("new"), "-o", work.url("frame.zst")]) == 0)
        let header = DeltaIndexPatch.Header(base: Hex.lowercase(SHA256.hash(data: old)), baseLength: Int64(old.count),
                                            text: Hex.lowercase(SHA256.hash(data: new)), textLength: Int64(new.count))
        let patch = header.line + Array(try Data(contentsOf: URL(fileURLWithPath: work.url("frame.zst"))))
        #expect(try Self.apply(patch, kept: try Self.keep(old, in: work), work: work) == new)
    }

    @Test("a patch of another base, a corrupt frame, a header whose text digest or length is not the text's, or a text beyond the bound is refused, and nothing is left",
          arguments: ["other base", "corrupt", "text digest", "text length", "bound", "no header"])
    func refusals(damage: String) throws {
        let work = try TemporaryDirectory("index-patch-refused")
        let (old, new) = Self.texts()
        var patch = try DeltaIndexPatch.make(from: old, to: new)
        var kept = try Self.keep(old, in: work)
        var limit: Int64 = 32 << 20
        let (header, frame) = try DeltaIndexPatch.Header.read(patch)
        switch damage {
        case "other base":
            kept = try Self.keep(old + Array("\n".utf8), in: work, name: "other.index.gz")
        case "corrupt":
            patch[frame + (patch.count - frame) / 2] ^= 0xFF
        case "text digest":
            var forged = header
            forged.text = Hex.lowercase(SHA256.hash(data: old))
            patch = forged.line + Array(patch[frame...])
        case "text length":
            var forged = header
            forged.textLength += 1
            patch = forged.line + Array(patch[frame...])
        case "bound":
            limit = Int64(new.count - 1)
        default:
            patch = Array(patch[frame...])
        }
        if damage == "bound" {
            try #require(Int64(old.count) <= limit && Int64(new.count) > limit)
        }
        let destination = work.url("made.index.gz")
        #expect(throws: DeltaError.self) {
            _ = try DeltaIndexPatch.apply(patch, to: try DeltaIndexBase(keptIndexAt: kept, limit: limit), writingTo: destination, limit: limit)
        }
        #expect(!FileSystem.exists(destination))
    }

    @Test("index patch names carry the first 16 hex digits of the base, and only names of that form are read back")
    func names() {
        let base = String(repeating: "0123456789abcdef", count: 4)
        let name = DeltaIndexPatch.fileName(ofIndex: "app-1.1.0.tar.gz.index.gz", base: base)
        #expect(name == "app-1.1.0.tar.gz.index.0123456789abcdef.patch")
        #expect(DeltaIndexPatch.basePrefix(ofPatchNamed: name, index: "app-1.1.0.tar.gz.index.gz") == "0123456789abcdef")
        #expect(DeltaIndexPatch.basePrefix(ofPatchNamed: name, index: "app-1.2.0.tar.gz.index.gz") == nil)
        #expect(DeltaIndexPatch.basePrefix(ofPatchNamed: "app-1.1.0.tar.gz.index.0123456789ABCDEF.patch", index: "app-1.1.0.tar.gz.index.gz") == nil)
        #expect(DeltaIndexPatch.basePrefix(ofPatchNamed: "app-1.1.0.tar.gz.index.gz.minisig", index: "app-1.1.0.tar.gz.index.gz") == nil)
    }
}
