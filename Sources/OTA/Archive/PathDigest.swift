/// A 128-bit keyed digest of an entry's path, what ``ExtractionSession`` remembers of every entry.
///
/// Remembering 16 bytes instead of the path keeps the extractor's memory small for archives of tens
/// of thousands of entries. Two independent SipHash values (Swift's `Hasher`, keyed per process, so
/// an archive cannot be crafted to collide) make a collision between two different paths among a
/// million entries about 10⁻²⁷ likely — and one would only reject a good archive as a duplicate,
/// never let a real duplicate through: equal paths always have equal digests.
struct PathDigest: Hashable {
    let first: Int
    let second: Int

    init(_ path: String) {
        var hasher = Hasher()
        hasher.combine(path)
        first = hasher.finalize()
        var salted = Hasher()
        salted.combine(0x9E37_79B9_7F4A_7C15 as UInt64)
        salted.combine(path)
        second = salted.finalize()
    }
}
