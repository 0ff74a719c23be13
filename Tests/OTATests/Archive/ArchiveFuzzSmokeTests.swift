import Foundation
import Testing
@testable import OTA
@testable import OTATestSupport

/// Seeded random mutations of a rich archive: the extractor must either succeed with every link
/// inside the tree, or throw an ``ArchiveError`` with staging removed — never crash, hang or escape.
@Suite("Archive: mutation fuzz smoke test")
struct ArchiveFuzzSmokeTests {
    /// SplitMix64, so a failing iteration can be replayed from its seed.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let base = TarBuilder.archive {
        $0.pax([("comment", "fuzz")], global: true)
        $0.directory("top/")
        $0.file("top/a.txt", "alpha", mode: 0o755)
        $0.pax([("path", "top/" + String(repeating: "p", count: 120)), ("mtime", "1600000000")])
        $0.file("top/placeholder", "pax")
        $0.gnuLong("top/" + String(repeating: "g", count: 130))
        $0.file("top/gnu", "gnu")
        $0.symlink("top/lib", to: "a.txt")
        $0.symlink("top/up", to: "../top/a.txt")
        $0.hardLink("top/hard", to: "top/a.txt")
        $0.directory("top/d/")
        $0.file("top/d/e", "echo")
    }

    /// Offsets of the blocks that are valid headers in `bytes`.
    static let headerOffsets: [Int] = stride(from: 0, to: base.count, by: 512).filter { offset in
        base.withUnsafeBytes { TarHeader.checksumMatches(UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + 512)])) }
    }

    static func mutate(seed: UInt64) -> [UInt8] {
        var rng = SeededGenerator(state: seed)
        var bytes = base
        for _ in 0..<Int.random(in: 1...6, using: &rng) {
            let index = Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: bytes[index] = UInt8.random(in: 0...255, using: &rng)
            case 1: bytes[index] = [0, 0x2F, 0x2E, 0x35, 0x32, 0x31, 0x78, 0x0A][Int.random(in: 0..<8, using: &rng)]
            case 2: bytes[index] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
            default: bytes[index] = UInt8(ascii: "0") + UInt8.random(in: 0..<8, using: &rng)
            }
        }
        if Bool.random(using: &rng) {
            // Re-seal the checksums so that mutations reach the deeper checks.
            for offset in headerOffsets where offset + 512 <= bytes.count {
                for index in (offset + 148)..<(offset + 156) { bytes[index] = 0x20 }
                let sum = bytes[offset..<(offset + 512)].reduce(0) { $0 + Int($1) }
                let digits = Array(String(sum, radix: 8).utf8)
                let field = [UInt8](repeating: UInt8(ascii: "0"), count: 6 - digits.count) + digits + [0, 0x20]
                bytes.replaceSubrange((offset + 148)..<(offset + 156), with: field)
            }
        }
        if Int.random(in: 0..<8, using: &rng) == 0 { bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &rng))) }
        return bytes
    }

    /// 250 per format by default; `OTA_FUZZ_ITERATIONS` runs more.
    static let iterations = UInt64(ProcessInfo.processInfo.environment["OTA_FUZZ_ITERATIONS"] ?? "") ?? 250

    @Test("mutated archives (250 plain, 250 gzip): accepted safely or rejected cleanly", arguments: [false, true])
    func mutations(gzip: Bool) throws {
        var accepted = 0
        for seed in UInt64(1)...Self.iterations {
            let fixture = try ExtractionFixture()
            let bytes = Self.mutate(seed: seed &* (gzip ? 7919 : 1))
            let path = try fixture.write(gzip ? Gzip.compress(bytes) : bytes, name: "fuzz")
            do {
                let result = try Extractor().extract(archiveAt: path, into: fixture.staging)
                accepted += 1
                let root = try #require(realpath(fixture.staging, nil).map { String(cString: $0) })
                let items = try FileManager.default.subpathsOfDirectory(atPath: fixture.staging)
                for item in items {
                    let full = fixture.staging + "/" + item
                    guard (try? FileManager.default.destinationOfSymbolicLink(atPath: full)) != nil else { continue }
                    if let resolved = realpath(full, nil).map({ String(cString: $0) }) {
                        #expect(resolved.hasPrefix(root + "/") || resolved == root, "seed \(seed): \(item) → \(resolved)")
                    }
                }
                #expect(result.entryCount >= 1)
            } catch let error as ArchiveError {
                #expect(!fixture.exists("s/staging"), "seed \(seed): staging left after \(error.code)")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.dir.url("s")).allSatisfy { $0 == "staging" }, "seed \(seed)")
        }
        print("fuzz smoke (gzip: \(gzip)): \(accepted) of \(Self.iterations) mutated archives accepted, the rest rejected")
    }
}
