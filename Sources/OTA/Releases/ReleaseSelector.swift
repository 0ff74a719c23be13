/// Chooses the release to install.
///
/// Eligible: not a draft; a pre-release (GitHub's flag or a SemVer pre-release tag) only with
/// `include_prereleases`. The newest eligible release by SemVer precedence is offered when it is
/// strictly newer than the installed version. Nothing older than the version floor (the highest version
/// the device has installed) is offered or installed unless `allow_downgrade` is set or the install is forced.
public struct ReleaseSelector: Sendable {
    public var includePrereleases: Bool
    public var allowDowngrade: Bool

    public init(includePrereleases: Bool = false, allowDowngrade: Bool = false) {
        self.includePrereleases = includePrereleases
        self.allowDowngrade = allowDowngrade
    }

    /// The selector of `include_prereleases` and `allow_downgrade`.
    public init(source: OTAConfiguration.Source) {
        self.init(includePrereleases: source.includePrereleases, allowDowngrade: source.allowDowngrade)
    }

    /// Whether `release` may be installed at all.
    public func isEligible(_ release: Release) -> Bool {
        !release.isDraft && (includePrereleases || !(release.isPrerelease || release.version.isPrerelease))
    }

    /// The newest eligible release at or above `floor` compared with `current`.
    public func check(_ releases: [Release], current: SemanticVersion, floor: SemanticVersion? = nil) -> UpdateCheck {
        let newest = releases.filter { isEligible($0) && !isBelow(floor, $0.version) }.max { $0.version < $1.version }
        if let newest, newest.version > current {
            return .available(current: current, release: newest)
        }
        return .upToDate(current: current, latest: newest)
    }

    /// The release with exactly `version` (`ota update --version V`).
    ///
    /// - Parameters:
    ///   - version: the version to install.
    ///   - releases: the published releases.
    ///   - current: the installed version.
    ///   - floor: the highest version the device has installed, if known.
    ///   - force: also allow an older or equal version (a reinstall or downgrade).
    /// - Throws: ``SelectionError`` when no non-draft release has that version, or when it is not newer
    ///   than `current` or is below `floor` and neither `force` nor `allow_downgrade` is set.
    public func release(_ version: SemanticVersion, in releases: [Release], current: SemanticVersion, floor: SemanticVersion? = nil,
                        force: Bool = false) throws(SelectionError) -> Release {
        guard let release = releases.first(where: { !$0.isDraft && $0.version == version }) else {
            let known = releases.filter { !$0.isDraft }.prefix(5).map(\.version.description).joined(separator: ", ")
            throw SelectionError(.unknownVersion, "no published release has version \(version)\(known.isEmpty ? "" : " (newest: \(known))")")
        }
        if release.version <= current && !force && !allowDowngrade {
            let what = release.version == current ? "is already installed" : "is older than the installed \(current)"
            throw SelectionError(.downgradeRefused, "\(version) \(what); pass --force (or set allow_downgrade: true) to install it anyway")
        }
        if !force { try requireFloor(floor, for: release) }
        return release
    }

    /// Refuses `release` when it is below `floor`, unless `allow_downgrade` is set.
    public func requireFloor(_ floor: SemanticVersion?, for release: Release) throws(SelectionError) {
        guard let floor, isBelow(floor, release.version) else { return }
        throw SelectionError(.downgradeRefused, "\(release.version) is older than \(floor), the highest version this device has installed; pass --force (or set allow_downgrade: true) to install it anyway")
    }

    private func isBelow(_ floor: SemanticVersion?, _ version: SemanticVersion) -> Bool {
        guard let floor, !allowDowngrade else { return false }
        return version < floor
    }
}

/// Why no release or asset could be chosen.
public struct SelectionError: OTAError, Equatable {
    public enum Code: Sendable, Hashable {
        /// `--version V` names no published release.
        case unknownVersion
        /// The chosen version is not newer and downgrades are not allowed.
        case downgradeRefused
        /// No asset matches `asset_pattern`, or the release has no source tarball.
        case noMatchingAsset
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
