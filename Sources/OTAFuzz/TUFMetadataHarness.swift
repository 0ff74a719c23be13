import Foundation
import OTA

/// TUF metadata as a device receives it from a repository: the strict JSON parser, canonical JSON, every
/// metadata reader, and the trust state fed the same bytes as each role.
///
/// Invariants: nothing traps; a document the parser accepts is written back as standard JSON that parses to
/// the same value, and its canonical form is the same whether taken from the document or from what was
/// written (the bytes signatures cover must not depend on how a file was formatted); the trust state
/// refuses what it cannot verify with an error, never by trapping.
enum TUFMetadataHarness {
    static let now = Date(timeIntervalSince1970: 1_900_000_000)

    static func run(_ input: [UInt8]) -> FuzzResult {
        let data = Data(input)
        let value: TUFJSON
        do {
            value = try TUFJSONParser.parse(data, what: "fuzz.json")
        } catch {
            return FuzzResult(accepted: false, rejection: error.message)
        }
        var violations: [String] = []
        let canonical = TUFCanonicalJSON.encode(value)
        do {
            let reread = try TUFJSONParser.parse(TUFJSONWriter.data(value), what: "written.json")
            if reread != value { violations.append("the standard JSON written for a document parses to another value") }
            if TUFCanonicalJSON.encode(reread) != canonical { violations.append("the canonical form changed after writing and reading the document") }
        } catch {
            violations.append("the standard JSON written for an accepted document is refused: \(error.message)")
        }
        _ = try? TUFRoot(data, file: "root.json")
        _ = try? TUFTimestamp(data, file: "timestamp.json")
        _ = try? TUFSnapshot(data, file: "snapshot.json")
        _ = try? TUFTargets(data, file: "targets.json")
        if var trust = try? TUFTrustedMetadata(trustedRoot: data, now: now) {
            _ = try? trust.updateRoot(data)
            _ = try? trust.updateTimestamp(data)
            _ = try? trust.updateSnapshot(data)
            _ = try? trust.updateTargets(data)
            _ = try? trust.updateDelegatedTargets(data, role: "delegated", delegator: "targets")
        }
        return FuzzResult(accepted: true, violations: violations)
    }
}
