extension OTAConfiguration {
    /// How large a release archive may expand (against gzip and zip bombs).
    ///
    /// Read by ``ExtractionPolicy``.
    public struct Limits: Sendable, Equatable {
        /// Largest total size an archive may expand to, in bytes (`max_extracted_bytes`).
        public var maxExtractedBytes = 4 << 30
        /// Largest number of entries an archive may hold (`max_archive_entries`).
        public var maxArchiveEntries = 100_000

        /// Every limit at its default.
        public init() {}
    }
}
