import Foundation
import Testing
@testable import OTAFuzz

/// Replays every committed fuzz input through its harness: the seeds (`Fuzz/Corpus/<harness>/seed-*`)
/// must be accepted (so the harness reaches the parser's success path), every corpus entry and every
/// regression (`Fuzz/Regressions/<harness>/`, one per crash the fuzzers found) must keep all invariants.
@Suite("Fuzz corpora replay")
struct FuzzCorpusTests {
    static let fuzzRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz")

    static func inputs(_ harness: FuzzHarness, in folder: String) -> [URL] {
        let directory = fuzzRoot.appendingPathComponent(folder).appendingPathComponent(harness.rawValue)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { directory.appendingPathComponent($0) }
    }

    @Test("every harness has seeds, and every seed is accepted with all invariants kept", arguments: FuzzHarness.allCases)
    func seedsAreAccepted(harness: FuzzHarness) throws {
        let seeds = Self.inputs(harness, in: "Corpus").filter { $0.lastPathComponent.hasPrefix("seed-") }
        #expect(seeds.count >= 3, "harness \(harness.rawValue) has \(seeds.count) seeds")
        for seed in seeds {
            let result = harness.run(Array(try Data(contentsOf: seed)))
            #expect(result.accepted, "\(seed.lastPathComponent) was rejected: \(result.rejection ?? "no reason")")
            #expect(result.violations.isEmpty, "\(seed.lastPathComponent): \(result.violations)")
        }
    }

    @Test("every corpus entry and regression input keeps all invariants", arguments: FuzzHarness.allCases)
    func corpusKeepsInvariants(harness: FuzzHarness) throws {
        for input in Self.inputs(harness, in: "Corpus") + Self.inputs(harness, in: "Regressions") {
            let result = harness.run(Array(try Data(contentsOf: input)))
            #expect(result.violations.isEmpty, "\(input.path): \(result.violations)")
        }
    }
}
