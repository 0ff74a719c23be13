#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import OTA

/// Driven by `scripts/bench-tuf`: with the device configuration `OTA_BENCH_TUF_CONFIG` (`source: tuf`, a
/// repository on loopback), runs `OTA_BENCH_TUF_ROUNDS` (default 5) rounds of a cold refresh — a new
/// `state_dir/tuf`, so root, timestamp, snapshot and targets are all fetched, verified and stored, and the
/// catalog listed — then one unchanged refresh (304), and prints one machine-readable line per round with
/// the CPU time of the process (getrusage: user + system, every thread), the wall time, the releases
/// offered and the peak RSS before and after. Disabled unless the variable is set.
@Suite("TUF: refresh benchmark (scripts/bench-tuf)")
struct TUFRefreshBenchmarkTests {
    static let environment = ProcessInfo.processInfo.environment

    /// User + system CPU time of this process so far, in milliseconds.
    static func cpuMilliseconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let user = Double(usage.ru_utime.tv_sec) * 1000 + Double(usage.ru_utime.tv_usec) / 1000
        let system = Double(usage.ru_stime.tv_sec) * 1000 + Double(usage.ru_stime.tv_usec) / 1000
        return user + system
    }

    /// Runs `body` and returns its CPU and wall milliseconds with its result.
    static func measure<T>(_ body: () async throws -> T) async rethrows -> (cpu: Double, wall: Double, value: T) {
        let cpu = cpuMilliseconds(), started = ContinuousClock.now
        let value = try await body()
        let elapsed = ContinuousClock.now - started
        let wall = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        return (cpuMilliseconds() - cpu, wall, value)
    }

    @Test("cold and unchanged refreshes of a repository: CPU time, wall time and peak RSS",
          .enabled(if: environment["OTA_BENCH_TUF_CONFIG"] != nil))
    func benchmark() async throws {
        var configuration = try OTAConfiguration.load(from: try #require(Self.environment["OTA_BENCH_TUF_CONFIG"]))
        let rounds = Int(Self.environment["OTA_BENCH_TUF_ROUNDS"] ?? "") ?? 5
        let states = configuration.installation.stateDirectory
        for round in 0...rounds {
            configuration.installation.stateDir = states + "/round-\(round)"
            let hwmBefore = ExtractionBenchmarkTests.peakRSS()
            let source = try TUFReleaseSource(source: configuration.source, transfer: configuration.transfer, directory: StateDirectory(installation: configuration.installation), installDirectory: configuration.installation.installDirectory, transport: HTTPTransport(transfer: configuration.transfer, source: configuration.source, logger: TUFDevice.logger(nil)),
                                              logger: TUFDevice.logger(nil))
            let cold = try await Self.measure { try await source.releases() }
            let warm = try await Self.measure { try await source.releases() }
            await source.client.shutdown()
            let hwmAfter = ExtractionBenchmarkTests.peakRSS()
            try? FileManager.default.removeItem(atPath: configuration.installation.stateDirectory)
            // Round 0 warms the caches and the connection code; it is printed but not a measurement.
            print("OTA_BENCH round=\(round) releases=\(cold.value.count) cold_cpu_ms=\(cold.cpu) cold_wall_ms=\(cold.wall) "
                  + "unchanged_cpu_ms=\(warm.cpu) unchanged_wall_ms=\(warm.wall) hwm_before_kib=\(hwmBefore) hwm_after_kib=\(hwmAfter)")
            #expect(cold.value.count == warm.value.count)
        }
    }
}
