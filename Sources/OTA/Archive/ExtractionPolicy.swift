/// The limits an archive must respect to be extracted.
///
/// Defaults: 100,000 entries, 4 GiB of file data, and a 200:1 expansion ratio against the compressed
/// (archive file) size. The ratio is not applied to the first 16 MiB of inflated data
/// (`ratioExemptBytes`): tiny archives of many empty files legitimately compress better than 200:1.
/// A gzip stream is cut off as soon as it inflates past `max(ratioExemptBytes, ratio × compressed size)`,
/// so a bomb costs at most that much work and no disk.
public struct ExtractionPolicy: Sendable, Equatable {
    /// Most entries (files, directories, links) one archive may hold (`max_archive_entries`).
    public var maxEntries: Int
    /// Most bytes of regular-file data one archive may expand to (`max_extracted_bytes`).
    public var maxExtractedBytes: Int64
    /// Most inflated bytes per compressed byte (for `.tar.gz` and `.zip`).
    public var maxExpansionRatio: Int64
    /// Inflated sizes up to this many bytes are never refused for their ratio.
    public var ratioExemptBytes: Int64
    /// Whether a single top-level folder shared by every entry is stripped (GitHub source tarballs).
    public var stripSingleTopLevelFolder: Bool

    /// A write failure injected after this many file bytes (tests of the disk-full path only).
    struct WriteFault: Sendable, Equatable {
        var afterBytes: Int64
        var errno: Int32
    }
    var writeFault: WriteFault?

    /// A policy; every limit has the default documented above.
    public init(
        maxEntries: Int = 100_000,
        maxExtractedBytes: Int64 = 4 << 30,
        maxExpansionRatio: Int64 = 200,
        ratioExemptBytes: Int64 = 16 << 20,
        stripSingleTopLevelFolder: Bool = true
    ) {
        self.maxEntries = maxEntries
        self.maxExtractedBytes = maxExtractedBytes
        self.maxExpansionRatio = maxExpansionRatio
        self.ratioExemptBytes = ratioExemptBytes
        self.stripSingleTopLevelFolder = stripSingleTopLevelFolder
    }

    /// The policy of the `limits` part: `max_archive_entries` and `max_extracted_bytes`, other limits at their defaults.
    public init(limits: OTAConfiguration.Limits) {
        self.init(maxEntries: limits.maxArchiveEntries, maxExtractedBytes: Int64(limits.maxExtractedBytes))
    }

    /// The most bytes a compressed stream of `compressedSize` bytes may inflate to.
    func inflationLimit(compressedSize: Int64) -> Int64 {
        let (product, overflow) = max(compressedSize, 1).multipliedReportingOverflow(by: maxExpansionRatio)
        return max(ratioExemptBytes, overflow ? Int64.max : product)
    }
}
