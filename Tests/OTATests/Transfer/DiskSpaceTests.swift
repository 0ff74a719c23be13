import Foundation
import Testing
@testable import OTA

@Suite("Transfer: disk space sizes in messages")
struct DiskSpaceTests {
    @Test("sizes are bytes below 1 kB, else one decimal of the largest unit reached",
          arguments: [(0, "0 B"), (999, "999 B"), (1000, "1.0 kB"), (1049, "1.0 kB"), (1050, "1.1 kB"), (1250, "1.2 kB"),
                      (1350, "1.4 kB"), (999_949, "999.9 kB"), (999_950, "1000.0 kB"), (2_550_000, "2.5 MB"),
                      (1_234_567_890, "1.2 GB"), (1 << 40, "1.1 TB"), (Int64.max, "9223372.0 TB")] as [(Int64, String)])
    func format(bytes: Int64, text: String) {
        #expect(DiskSpace.format(bytes) == text)
    }

    @Test("tenths are rounded as printf's %.1f rounds, exact and near ties included")
    func tenthsLikePrintf() {
        var generator = ArchiveFuzzSmokeTests.SeededGenerator(state: 0x07A5)
        var failures: [Double] = []
        for _ in 0..<20_000 {
            let whole = Double(Int.random(in: 1..<10_000_000, using: &generator))
            let values = [
                Double.random(in: 1..<10_000_000, using: &generator),
                whole + 0.25, whole + 0.75,                        // exact ties: to even
                (whole * 100 + 5) / 100, (whole * 100 + 15) / 100, // decimal ties, stored a hair off
                whole * 1000 / 1000 / 1000,                        // as DiskSpace divides
            ]
            for value in values where value >= 1 {
                let tenths = DiskSpace.roundedTenths(value)
                if "\(tenths / 10).\(tenths % 10)" != String(format: "%.1f", value) { failures.append(value) }
            }
        }
        #expect(failures.isEmpty, "differs for \(failures.prefix(10))")
    }
}
