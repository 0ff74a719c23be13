import Benchmark
import Foundation
import OTA

/// The hot paths of an update, each on inputs made by the real tools (see ``BenchmarkFixtures``).
/// Run them with `scripts/bench` (`OTA_BENCHMARKS=1 swift package benchmark`).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .throughput, .peakMemoryResident, .mallocCountTotal],
        maxDuration: .seconds(10),
        maxIterations: 20
    )

    Benchmark("Extractor: medium release (1,000 files, 16 MiB, .tar.gz)") { benchmark in
        let fixtures = try BenchmarkFixtures.shared.get()
        let staging = fixtures.freshStaging()
        benchmark.startMeasurement()
        let result = try Extractor().extract(archiveAt: fixtures.mediumRelease, into: staging)
        benchmark.stopMeasurement()
        precondition(result.entryCount > BenchmarkFixtures.mediumReleaseFiles, "the release was not extracted whole")
        try fixtures.clearScratch()
    }

    Benchmark("FileDigest: SHA-256 of a 64 MiB file") { benchmark in
        let fixtures = try BenchmarkFixtures.shared.get()
        benchmark.startMeasurement()
        blackHole(try FileDigest.sha256(ofFileAt: fixtures.largeFile))
    }

    Benchmark("TarReader: headers of 10,000 entries (uncompressed tar)") { benchmark in
        let fixtures = try BenchmarkFixtures.shared.get()
        benchmark.startMeasurement()
        let reader = try TarReader(contentsOf: fixtures.headerArchive)
        var count = 0
        while let entry = try reader.next() {
            count += 1
            blackHole(entry)
        }
        benchmark.stopMeasurement()
        precondition(count > BenchmarkFixtures.headerArchiveEntries, "the archive was not read whole")
    }

    Benchmark("Minisign: verify the medium release's signature (prehashed, BLAKE2b + Ed25519)") { benchmark in
        let fixtures = try BenchmarkFixtures.shared.get()
        benchmark.startMeasurement()
        try fixtures.publicKey.verify(fixtures.signature, fileAt: fixtures.mediumRelease, signatureName: fixtures.signatureName)
    }
}
