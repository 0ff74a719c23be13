import OTA

/// The packed delta index of a GitHub release (the index followed by its pack section, ``DeltaPackedIndex``)
/// in its text form, under the limits of ``DeltaIndexHarness``.
///
/// Invariants: the text handed over a byte at a time gives the same index and table, or the same error, as
/// in one piece. When accepted: the index keeps ``DeltaIndexHarness``'s invariants and is the one the index
/// lines parse to alone; the table has one object per distinct content, in pack order (that of the first
/// file holding each); the offsets start at 0 and each follows the one before, the last ending where the
/// index's patches begin (they fill the pack up to its size); each length is above 0 and at most its content's size + size/64 + 1 KiB; and the text and gzip
/// forms written back parse to the same index and table.
enum DeltaPackHarness {
    static let policy = DeltaIndexHarness.policy

    static func run(_ input: [UInt8]) -> FuzzResult {
        let whole = outcome { () throws(ArchiveError) in try DeltaPackedIndex.parse(text: input, policy: policy) }
        let pieces = outcome { () throws(ArchiveError) in try DeltaPackedIndex.parse(text: input, chunk: 1, policy: policy) }
        var violations: [String] = []
        if whole != pieces { violations.append("a byte at a time the text gives \(pieces), in one piece \(whole)") }
        guard case .accepted(let index, let table) = whole else {
            if case .refused(let message) = whole { return FuzzResult(accepted: false, violations: violations, rejection: message) }
            return FuzzResult(accepted: false, violations: violations)
        }
        violations += DeltaIndexHarness.violations(of: index)
        do {
            if try DeltaIndexParser(policy: policy).parse(text: indexLines(of: input)) != index {
                violations.append("the index lines parse alone to another index")
            }
        } catch {
            violations.append("the index lines alone are refused: \(error.message)")
        }
        violations += tableViolations(table, of: index)
        let text = Array((index.text() + table.text()).utf8)
        if outcome({ () throws(ArchiveError) in try DeltaPackedIndex.parse(text: text, policy: policy) }) != whole {
            violations.append("the index and table written back as text parse to something else")
        }
        let encoded = DeltaPackedIndex.encoded(index: index, table: table)
        if outcome({ () throws(ArchiveError) in try DeltaPackedIndex.parse(compressed: encoded, policy: policy) }) != whole {
            violations.append("the index and table written back in the gzip form parse to something else")
        }
        return FuzzResult(accepted: true, violations: violations)
    }

    /// The invariants of an accepted `table` against its `index`.
    static func tableViolations(_ table: DeltaPackTable, of index: DeltaIndex) -> [String] {
        var contents: [(sha256: String, size: Int64)] = []
        var seen = Set<String>()
        for entry in index.entries {
            if case .file(let size, let sha256) = entry.kind, seen.insert(sha256).inserted { contents.append((sha256, size)) }
        }
        var violations: [String] = []
        if table.objects.map(\.sha256) != contents.map(\.sha256) {
            violations.append("the table lists \(table.objects.count) objects, not the index's \(contents.count) distinct contents in pack order")
        }
        var end: Int64 = 0
        for (object, content) in zip(table.objects, contents) {
            if object.offset != end { violations.append("the object \(object.sha256) starts at \(object.offset), not at \(end)") }
            let bound = content.size + content.size / 64 + 1024
            if object.length <= 0 || object.length > bound {
                violations.append("the object \(object.sha256) is \(object.length) bytes, outside 1...\(bound) for \(content.size) bytes of content")
            }
            let (sum, overflow) = end.addingReportingOverflow(object.length)
            if overflow { violations.append("the objects' lengths overflow"); return violations }
            end = sum
        }
        // The index's patches follow the objects, up to the pack's size.
        let patchBytes = index.patches.reduce(Int64(0)) { $0 &+ $1.length }
        if end &+ patchBytes != table.size {
            violations.append("the objects end at \(end) and the patches take \(patchBytes) bytes, not up to the pack's size \(table.size)")
        }
        return violations
    }

    /// The lines of `text` before the first one (after the first) starting with `ota-pack`, each with its newline.
    static func indexLines(of text: [UInt8]) -> [UInt8] {
        var lines = text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if let section = lines.indices.dropFirst().first(where: { lines[$0].starts(with: "ota-pack".utf8) }) {
            lines.removeSubrange(section...)
        }
        return lines.flatMap { Array($0) + [UInt8(ascii: "\n")] }
    }

    enum Outcome: Equatable, CustomStringConvertible {
        case accepted(DeltaIndex, DeltaPackTable)
        case refused(String)

        var description: String {
            switch self {
            case .accepted(let index, let table): "an index of \(index.entries.count) entries and a table of \(table.objects.count) objects"
            case .refused(let message): "the error \"\(message)\""
            }
        }
    }

    static func outcome(_ parse: () throws(ArchiveError) -> (DeltaIndex, DeltaPackTable)) -> Outcome {
        do throws(ArchiveError) {
            let (index, table) = try parse()
            return .accepted(index, table)
        } catch {
            return .refused(error.message)
        }
    }
}
