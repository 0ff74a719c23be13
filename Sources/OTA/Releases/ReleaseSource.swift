/// Where releases come from: GitHub (or a GitHub-compatible mirror) today; a signed static manifest
/// or Eclipse hawkBit later.
///
/// A source reports what is published; choosing among releases is ``ReleaseSelector``'s job, and
/// fetching files is the ``Downloader``'s, so a new kind of source only implements this.
public protocol ReleaseSource: Sendable {
    /// Every published release whose tag is a semantic version (drafts and pre-releases included),
    /// newest first by SemVer precedence.
    func releases() async throws -> [Release]
}
