/// Where releases come from, and which file of a release this device installs.
///
/// ``GitHubReleaseSource`` (GitHub, GitHub Enterprise, Gitea, Forgejo or an `ota serve` mirror) is one
/// conformer; a signed repository is another. A source reports what is published and chooses the artifact
/// of a release with what proves it; choosing among releases is ``ReleaseSelector``'s job and fetching the
/// artifact is the ``Downloader``'s, so a new kind of source implements only the first three requirements.
public protocol ReleaseSource: Sendable {
    /// Every published release whose version is a semantic version (drafts and pre-releases included, and
    /// releases the source withholds from this device, marked in ``Release/withheld``), newest first by
    /// SemVer precedence.
    func releases() async throws -> [Release]

    /// The file of `release` this device installs (its platform's asset, say); sends no request.
    /// - Throws: ``SelectionError`` when the release has no file for this device.
    func artifact(for release: Release) throws(SelectionError) -> Artifact

    /// What proves a download of `artifact`: the checks to run and the material they need (a checksums
    /// file, signatures, signed hashes), fetched now, before the artifact itself is downloaded.
    /// - Throws: ``VerificationError`` when nothing could prove it and the configuration does not allow
    ///   that (no key and no `allow_unsigned`), or ``TransferError`` when the material cannot be fetched.
    func proof(for artifact: Artifact) async throws -> ArtifactProof

    /// Refuses at once, sending no request, when ``proof(for:)`` would refuse every artifact (a GitHub source
    /// without a key or `allow_unsigned`): what `ota update --dry-run` checks. Has a default: nothing refused.
    /// - Throws: ``VerificationError``.
    func requireProofPossible() throws

    /// Why `version`, which the last ``releases()`` did not list, is no release of this device, when the
    /// source knows a reason: a clause to follow the version, such as `is published for linux-armv7 only;
    /// this device is linux-aarch64 (platform)`. Has a default: `nil`.
    func unlistedReason(for version: SemanticVersion) -> String?
}

extension ReleaseSource {
    /// Nothing refused in advance.
    public func requireProofPossible() throws {}

    /// No reason known: `nil`.
    public func unlistedReason(for version: SemanticVersion) -> String? { nil }
}
