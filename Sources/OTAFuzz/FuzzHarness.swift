/// The parsers of untrusted bytes that `scripts/fuzz` fuzzes, each with the invariants it must keep.
///
/// ``run(_:)`` never traps on its own: it returns whether the parser accepted the input and the
/// invariants the input broke (none when all held). The libFuzzer entry point (`ota-fuzz`, built by `scripts/fuzz`) turns a violation into a
/// crash; the test suite replays every committed corpus and regression input through the same call.
public enum FuzzHarness: String, CaseIterable, Sendable {
    /// Raw bytes as a `.tar`, extracted into a sandbox.
    case tar
    /// Raw bytes as a `.tar` whose 512-byte blocks get valid header checksums first, so mutations
    /// of header fields get past the checksum check.
    case tarStructured = "tar-structured"
    /// Raw bytes as a gzip stream (a gzip header is put in front when missing), extracted.
    case gzip
    /// Raw bytes as a `.zip`, extracted.
    case zip
    /// A GitHub "list releases" JSON body, decoded, converted and selected from.
    case githubJSON = "github-json"
    /// A `SHA256SUMS` file.
    case checksums
    /// A minisign signature, public key or signed message (first byte chooses), verified.
    case minisign
    /// Up to three SemVer strings separated by newlines.
    case semver
    /// A YAML configuration file.
    case config
    /// HTTP response header lines (rate limits, lengths, ranges, validators) and release sizes.
    case httpHeaders = "http-headers"
    /// TUF metadata (root, timestamp, snapshot, targets): strict JSON, canonical JSON, the trust state.
    case tufMetadata = "tuf-metadata"
    /// A delta index in its text form, under small limits.
    case deltaIndex = "delta-index"
    /// A packed delta index (the index and its pack section) in its text form, under small limits.
    case deltaPack = "delta-pack"
    /// An index patch file (header line and zstd frame), applied to a fixed kept index text under a 64 KiB limit.
    case deltaIndexPatch = "delta-index-patch"

    /// Checks one input.
    public func run(_ input: [UInt8]) -> FuzzResult {
        switch self {
        case .tar: ArchiveHarness.run(input)
        case .tarStructured: ArchiveHarness.run(ArchiveHarness.sealingChecksums(input))
        case .gzip: ArchiveHarness.run(ArchiveHarness.withGzipMagic(input))
        case .zip: ArchiveHarness.run(ArchiveHarness.withZipMagic(input))
        case .githubJSON: GitHubJSONHarness.run(input)
        case .checksums: ChecksumsHarness.run(input)
        case .minisign: MinisignHarness.run(input)
        case .semver: SemVerHarness.run(input)
        case .config: ConfigHarness.run(input)
        case .httpHeaders: HTTPHeadersHarness.run(input)
        case .tufMetadata: TUFMetadataHarness.run(input)
        case .deltaIndex: DeltaIndexHarness.run(input)
        case .deltaPack: DeltaPackHarness.run(input)
        case .deltaIndexPatch: DeltaIndexPatchHarness.run(input)
        }
    }
}

/// What one input did.
public struct FuzzResult: Sendable, Equatable {
    /// Whether the parser accepted it (extracted, decoded, parsed, verified, loaded).
    public var accepted: Bool
    /// The invariants it broke, one sentence each; empty when all held.
    public var violations: [String]
    /// Why the parser refused it, when it says (for replays).
    public var rejection: String?

    public init(accepted: Bool, violations: [String] = [], rejection: String? = nil) {
        self.accepted = accepted
        self.violations = violations
        self.rejection = rejection
    }
}
