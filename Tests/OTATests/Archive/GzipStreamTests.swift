import Foundation
import Testing
@testable import OTA
@testable import OTATestSupport

@Suite("Archive: gzip streams")
struct GzipStreamTests {
    /// A tar with enough incompressible data that cuts land in every part of the stream.
    static let payload: [UInt8] = {
        var generator = SystemRandomNumberGenerator()
        let random = (0..<40_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return TarBuilder.archive {
            $0.file("README", String(repeating: "readme ", count: 300))
            $0.add(TarBuilder.Header(name: "random.bin", size: random.count), data: random)
            $0.file("z/last", "end")
        }
    }()

    @Test("a .tar.gz cut at any of many offsets is rejected as truncated")
    func truncatedAtManyOffsets() throws {
        let compressed = Gzip.compress(Self.payload)
        var offsets = Array(stride(from: 2, to: compressed.count, by: max(1, compressed.count / 40)))
        offsets += [2, 10, 11, compressed.count - 8, compressed.count - 4, compressed.count - 1]
        for cut in offsets {
            let fixture = try ExtractionFixture()
            let path = try fixture.write(Array(compressed.prefix(cut)), name: "cut.tar.gz")
            let error = try #require(throws: ArchiveError.self) { _ = try Extractor().extract(archiveAt: path, into: fixture.staging) }
            #expect(error.code == .truncated, "cut at \(cut) of \(compressed.count): \(error.message)")
            #expect(!fixture.exists("s/staging"))
        }
    }

    @Test("a corrupt byte in the deflate data is detected")
    func corruptByte() throws {
        var compressed = Gzip.compress(Self.payload)
        // Inside the stored (incompressible) block holding random.bin: only the CRC can notice.
        compressed[compressed.count / 2] ^= 0x5A
        let fixture = try ExtractionFixture()
        let path = try fixture.write(compressed, name: "corrupt.tgz")
        try fixture.expectRejection(archiveAt: path, code: .corruptCompression, entry: nil)
    }

    @Test("a corrupt gzip trailer (CRC) is detected")
    func corruptTrailer() throws {
        var compressed = Gzip.compress(Self.payload)
        compressed[compressed.count - 6] ^= 0xFF
        let fixture = try ExtractionFixture()
        try fixture.expectRejection(archiveAt: try fixture.write(compressed, name: "crc.tgz"), code: .corruptCompression, entry: nil)
    }

    @Test("garbage after the gzip member is rejected")
    func trailingGarbage() throws {
        let fixture = try ExtractionFixture()
        let path = try fixture.write(Gzip.compress(Self.payload) + Array("GARBAGE".utf8), name: "trailing.tgz")
        try fixture.expectRejection(archiveAt: path, code: .trailingData, entry: nil)
    }

    @Test("concatenated gzip members are one stream, as with gzip -d")
    func concatenatedMembers() throws {
        let fixture = try ExtractionFixture()
        let half = Self.payload.count / 2
        let path = try fixture.write(Gzip.compress(Array(Self.payload[..<half])) + Gzip.compress(Array(Self.payload[half...])), name: "multi.tgz")
        let result = try Extractor().extract(archiveAt: path, into: fixture.staging)
        #expect(result.entryCount == 3)
        #expect(try fixture.dir.read("s/staging/z/last") == "end")
    }

    @Test("a 1 GiB gzip bomb is stopped early by the expansion ratio", .timeLimit(.minutes(10)))
    func bombStoppedByRatio() throws {
        let fixture = try ExtractionFixture()
        let path = fixture.dir.url("bomb.tar.gz")
        let header = TarBuilder.header(TarBuilder.Header(name: "zeros", size: 1 << 30))
        try Gzip.writeZeroBomb(to: path, header: header, zeroCount: 1 << 30)
        let compressedSize = try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(compressedSize < 2 << 20)
        let started = ContinuousClock.now
        let error = try fixture.expectRejection(archiveAt: path, code: .expansionRatio, entry: nil)
        let elapsed = ContinuousClock.now - started
        #expect(elapsed < .seconds(20), "took \(elapsed)")
        #expect(error.message.contains("stopped early"))
    }

    @Test("a gzip bomb declaring a huge file is refused at its header, before inflating it")
    func bombStoppedBySize() throws {
        let fixture = try ExtractionFixture()
        let path = fixture.dir.url("bomb2.tar.gz")
        let header = TarBuilder.header(TarBuilder.Header(name: "zeros", size: 1 << 30))
        try Gzip.writeZeroBomb(to: path, header: header, zeroCount: 1 << 30)
        let started = ContinuousClock.now
        try fixture.expectRejection(archiveAt: path, code: .tooManyBytes, entry: "zeros", policy: ExtractionPolicy(maxExtractedBytes: 10 << 20))
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    @Test("a stream of zeros after the end marker is a bomb too")
    func zeroPaddingBomb() throws {
        let fixture = try ExtractionFixture()
        let path = fixture.dir.url("zeros.tar.gz")
        try Gzip.writeZeroBomb(to: path, header: TarBuilder.archive { $0.file("a", "x") }, zeroCount: 256 << 20)
        try fixture.expectRejection(archiveAt: path, code: .expansionRatio, entry: nil, policy: ExtractionPolicy(maxExpansionRatio: 50, ratioExemptBytes: 1 << 20))
    }

    @Test("the ratio limit is computed with a floor and without overflow")
    func inflationLimit() {
        let policy = ExtractionPolicy(maxExpansionRatio: 200, ratioExemptBytes: 16 << 20)
        #expect(policy.inflationLimit(compressedSize: 1000) == 16 << 20)
        #expect(policy.inflationLimit(compressedSize: 1 << 20) == 200 << 20)
        #expect(policy.inflationLimit(compressedSize: Int64.max / 2) == Int64.max)
    }
}
