import Foundation
import Testing
@testable import OTA

/// Driven by `scripts/bench-extract`: extracts `OTA_BENCH_ARCHIVE` into `OTA_BENCH_STAGING` once and
/// prints one machine-readable line with the time and the peak RSS before and after.
/// Disabled unless those variables are set, so a normal test run never pays for it.
@Suite("Archive: extraction benchmark (scripts/bench-extract)")
struct ExtractionBenchmarkTests {
    static let environment = ProcessInfo.processInfo.environment

    /// `VmHWM` (peak resident set) of this process, in KiB.
    static func peakRSS() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? -1
    }

    @Test("extract one archive and report time and peak RSS",
          .enabled(if: environment["OTA_BENCH_ARCHIVE"] != nil && environment["OTA_BENCH_STAGING"] != nil))
    func benchmark() throws {
        let archive = try #require(Self.environment["OTA_BENCH_ARCHIVE"])
        let staging = try #require(Self.environment["OTA_BENCH_STAGING"])
        let before = Self.peakRSS()
        let started = ContinuousClock.now
        let result = try Extractor().extract(archiveAt: archive, into: staging)
        let elapsed = ContinuousClock.now - started
        let after = Self.peakRSS()
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("OTA_BENCH seconds=\(seconds) entries=\(result.entryCount) bytes=\(result.byteCount) hwm_before_kib=\(before) hwm_after_kib=\(after)")
        #expect(result.entryCount > 0)
    }
}
