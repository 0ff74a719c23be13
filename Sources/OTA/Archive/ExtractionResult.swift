/// What ``Extractor`` produced.
public struct ExtractionResult: Sendable, Equatable {
    /// The folder holding the release tree: the staging directory, or the stripped top-level folder inside it.
    public let root: String
    /// The staging directory that was created (remove it when done with `root`).
    public let stagingDirectory: String
    /// Entries extracted (files, folders, links), counting stripped ones.
    public let entryCount: Int
    /// Bytes of regular-file data written.
    public let byteCount: Int64
    /// The single shared top-level folder that was stripped, e.g. `owner-repo-1a2b3c4/`.
    public let strippedPrefix: String?
    /// The format detected from the content.
    public let format: ArchiveFormat
}
