import Foundation

/// One HTTP request of a delta update's object fetch, and the objects its response body holds.
struct DeltaFetch: Sendable {
    /// One object in the body.
    struct Part: Sendable {
        var object: DeltaObjectFetcher.Request
        /// Where it starts in the body.
        var offset: Int64
        /// Its compressed length, or `nil` when it is the rest of the body (a file of its own).
        var length: Int64?
    }

    var url: URL
    /// The bytes of the file requested (`Range`), or `nil` for the whole file.
    var range: Range<Int64>?
    /// The size of the whole file, when known (a pack's).
    var fileSize: Int64?
    /// The objects, in the order of the body.
    var parts: [Part]

    /// Whether it fetches patches (a fetch holds objects or patches, never both).
    var isPatch: Bool { parts.first?.object.patch != nil }
}

/// Turns the objects and patches a delta update lacks into HTTP requests: one per file in an objects or
/// patches folder; in a pack, byte ranges, with objects (or patches) that lie close together coalesced into one range.
///
/// The gap between two objects of the pack is fetched (and skipped) rather than starting a new range when it
/// is at most ``gapThreshold`` bytes, smallest gaps first, as long as the gaps fetched add up to at most
/// 1/``gapBudgetDivisor`` of the objects' bytes; and a range grows to at most ``maxRangeBytes``. A request
/// costs about 1–2 KB of headers (on GitHub a redirect with a long signed URL, then the storage host's
/// answer) and a round trip or two; on a cellular link with 100 ms of latency at 1 Mbit/s a round trip is
/// worth 12 KB. A gap of up to 4 KiB therefore costs about the bytes of the request it saves and less time;
/// the budget keeps the bytes fetched within 1/16 of the floor when the objects are small; the range limit
/// keeps several connections busy when many adjacent objects are missing (a first install), and a retry short.
struct DeltaFetchPlan {
    static let gapThreshold: Int64 = 4 << 10
    static let maxRangeBytes: Int64 = 1 << 20
    static let gapBudgetDivisor: Int64 = 16

    let objects: DeltaObjectSource
    /// The pack's table, for a pack.
    let table: DeltaPackTable?
    /// The index's patches (where they lie in a pack follows from their order).
    var patches: [DeltaPatch] = []

    /// The requests that fetch `objects`.
    /// - Throws: ``DeltaError/Code/objectUnavailable`` when the pack is not the one the index describes.
    func fetches(for requests: [DeltaObjectFetcher.Request]) throws(DeltaError) -> [DeltaFetch] {
        switch objects {
        case .folder(let url):
            return requests.map { request in
                let fileURL: URL
                if let patch = request.patch?.patch {
                    fileURL = DeltaObjectSource.patchesFolder(besideObjects: url).appendingPathComponent(patch.relativePath)
                } else {
                    fileURL = url.appendingPathComponent(String(request.sha256.prefix(2))).appendingPathComponent(request.sha256)
                }
                return DeltaFetch(url: fileURL, range: nil, fileSize: nil, parts: [.init(object: request, offset: 0, length: nil)])
            }
        case .pack(let url, let name, let size):
            guard let table else { throw DeltaError(.objectUnavailable, "the index of the pack \(name) has no pack section") }
            guard Int64(size) == table.size else {
                throw DeltaError(.objectUnavailable, "the pack \(name) is \(size) bytes, but the signed index describes a pack of \(table.size) bytes (it was replaced or is incomplete)")
            }
            let located = table.bySHA256
            let patches = table.locations(of: self.patches)
            var placed: [(DeltaObjectFetcher.Request, DeltaPackTable.Object)] = []
            var placedPatches: [(DeltaObjectFetcher.Request, DeltaPackTable.Object)] = []
            for request in requests {
                if let patch = request.patch?.patch {
                    guard let object = patches[patch] else { throw DeltaError(.objectUnavailable, "the index does not list the patch \(patch.relativePath)") }
                    placedPatches.append((request, object))
                    continue
                }
                guard let object = located[request.sha256] else {
                    throw DeltaError(.objectUnavailable, "the pack section does not list the object \(request.sha256)")
                }
                placed.append((request, object))
            }
            placed.sort { $0.1.offset < $1.1.offset }
            placedPatches.sort { $0.1.offset < $1.1.offset }
            // Objects and patches are coalesced apart, so that each request's bytes count for one or the other.
            return (Self.coalesce(placed) + Self.coalesce(placedPatches)).map { run in
                let start = run[0].1.offset
                let parts = run.map { DeltaFetch.Part(object: $0.0, offset: $0.1.offset - start, length: $0.1.length) }
                return DeltaFetch(url: url, range: start..<run.last!.1.range.upperBound, fileSize: table.size, parts: parts)
            }
        }
    }

    /// Groups objects sorted by offset into runs fetched by one range each.
    static func coalesce<Item>(_ placed: [(Item, DeltaPackTable.Object)]) -> [[(Item, DeltaPackTable.Object)]] {
        guard let head = placed.first else { return [] }
        // The gaps worth fetching (by the index of the object after them): small ones, smallest first, within the budget.
        var budget = placed.reduce(0) { $0 + $1.1.length } / gapBudgetDivisor
        var bridged = Set<Int>()
        let gaps = placed.indices.dropFirst().map { ($0, placed[$0].1.offset - placed[$0 - 1].1.range.upperBound) }
        for (next, gap) in gaps.sorted(by: { $0.1 < $1.1 }) where gap <= gapThreshold && gap <= budget {
            bridged.insert(next)
            budget -= gap
        }
        var runs = [[head]]
        for next in placed.indices.dropFirst() {
            if bridged.contains(next), placed[next].1.range.upperBound - runs[runs.count - 1][0].1.offset <= maxRangeBytes {
                runs[runs.count - 1].append(placed[next])
            } else {
                runs.append([placed[next]])
            }
        }
        return runs
    }
}
