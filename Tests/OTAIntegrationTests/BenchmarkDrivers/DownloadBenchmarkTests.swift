import Foundation
import Testing
@testable import OTA

/// Driven by `scripts/bench-download`: with the configuration `OTA_BENCH_CONFIG` (an `ota serve` mirror
/// on loopback, an `asset_pattern` naming one asset), finds the newest release, then times
/// ``OTAUpdater/downloadUpdate(_:progress:)`` — download, SHA-256 while writing, fsync, rename, and the
/// checks (size and the mirror's `digest`) — and prints one machine-readable line with the
/// time and the peak RSS before and after. The downloaded file is deleted afterwards.
/// Disabled unless the variable is set, so a normal test run never pays for it.
@Suite("Transfer: download benchmark (scripts/bench-download)")
struct DownloadBenchmarkTests {
    static let environment = ProcessInfo.processInfo.environment

    @Test("download and verify one asset and report time and peak RSS",
          .enabled(if: environment["OTA_BENCH_CONFIG"] != nil))
    func benchmark() async throws {
        let path = try #require(Self.environment["OTA_BENCH_CONFIG"])
        let configuration = try OTAConfiguration.load(from: path)
        let updater = try OTAUpdater(configuration: configuration)
        let release = try #require(try await updater.checkForUpdates(), "the mirror offers no newer release")
        let before = ExtractionBenchmarkTests.peakRSS()
        let started = ContinuousClock.now
        let verified: VerifiedArtifact
        do {
            verified = try await updater.downloadUpdate(release)
        } catch {
            await updater.shutdown()
            throw error
        }
        let elapsed = ContinuousClock.now - started
        let after = ExtractionBenchmarkTests.peakRSS()
        await updater.shutdown()
        try? FileManager.default.removeItem(atPath: verified.downloaded.path)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let checks = verified.checks.joined(separator: ",").replacingOccurrences(of: " ", with: "_")
        print("OTA_BENCH seconds=\(seconds) bytes=\(verified.downloaded.size) checks=\(checks) hwm_before_kib=\(before) hwm_after_kib=\(after)")
        #expect(verified.checks.contains { $0.contains("sha256") })
    }
}
