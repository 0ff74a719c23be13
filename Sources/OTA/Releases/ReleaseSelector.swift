/// Chooses the release to install.
///
/// Eligible: not a draft; offered to this device (not ``Release/withheld``: yanked, halted, outside its
/// rollout, another channel); a pre-release (GitHub's flag or a SemVer pre-release tag) only with
/// `include_prereleases`. The newest eligible release by SemVer precedence is offered when it is
/// strictly newer than the installed version. Nothing older than the version floor (the highest version
/// the device has installed) is offered or installed unless `allow_downgrade` is set or the install is forced.
///
/// Two signed or explicit instructions override that: a device running a **yanked** version is offered the
/// newest eligible release even when it is older, and even below the floor (a yanked floor is no floor);
/// a **pinned** device installs the pinned version and nothing else (``check(_:current:pinned:)``).
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
        !release.isDraft && release.withheld == nil && (includePrereleases || !(release.isPrerelease || release.version.isPrerelease))
    }

    /// Whether `releases` list `version` as yanked by its publisher.
    public func isYanked(_ version: SemanticVersion, in releases: [Release]) -> Bool {
        releases.contains { $0.version == version && $0.withheld == .yanked }
    }

    /// The newest eligible release at or above `floor` compared with `current`. When `current` is yanked, the
    /// newest eligible release whatever its version and the floor; a yanked `floor` does not count.
    public func check(_ releases: [Release], current: SemanticVersion, floor: SemanticVersion? = nil) -> UpdateCheck {
        if isYanked(current, in: releases) {
            let newest = releases.filter(isEligible).max { $0.version < $1.version }
            return newest.map { .available(current: current, release: $0) } ?? .upToDate(current: current, latest: nil)
        }
        let floor = floor.flatMap { isYanked($0, in: releases) ? nil : $0 }
        let newest = releases.filter { isEligible($0) && !isBelow(floor, $0.version) }.max { $0.version < $1.version }
        if let newest, newest.version > current {
            return .available(current: current, release: newest)
        }
        return .upToDate(current: current, latest: newest)
    }

    /// The release a device pinned to `pin` installs: nothing when `current` is `pin` (up to date), else the
    /// release with exactly that version, wherever its rollout, channel, a halt, a yank or the version floor
    /// stand — a pin is an explicit instruction on the device.
    /// - Throws: ``SelectionError`` naming `pinned_version` when no release has that version.
    public func check(_ releases: [Release], current: SemanticVersion, pinned pin: SemanticVersion) throws(SelectionError) -> UpdateCheck {
        let release = releases.first { !$0.isDraft && $0.version == pin }
        if current == pin { return .upToDate(current: current, latest: release) }
        guard let release else {
            let known = releases.filter { !$0.isDraft }.prefix(5).map(\.version.description).joined(separator: ", ")
            throw SelectionError(.unknownVersion, "pinned_version \(pin) is not a release published for this device\(known.isEmpty ? "" : " (newest: \(known))"); pin a published version with `ota pin VERSION`, or follow new releases again with `ota unpin`")
        }
        return .available(current: current, release: release)
    }

    /// The release with exactly `version` (`ota update --version V`).
    ///
    /// - Parameters:
    ///   - version: the version to install.
    ///   - releases: the published releases.
    ///   - current: the installed version.
    ///   - floor: the highest version the device has installed, if known.
    ///   - force: also allow an older or equal version (a reinstall or downgrade).
    /// - Throws: ``SelectionError`` when no non-draft release has that version, or when it is yanked, not
    ///   newer than `current` or below `floor` and neither `force` nor `allow_downgrade` is set. A release
    ///   withheld only by its rollout, channel or a halt is installed: the version was asked for.
    public func release(_ version: SemanticVersion, in releases: [Release], current: SemanticVersion, floor: SemanticVersion? = nil,
                        force: Bool = false) throws(SelectionError) -> Release {
        guard let release = releases.first(where: { !$0.isDraft && $0.version == version }) else {
            let known = releases.filter { !$0.isDraft }.prefix(5).map(\.version.description).joined(separator: ", ")
            throw SelectionError(.unknownVersion, "no published release has version \(version)\(known.isEmpty ? "" : " (newest: \(known))")")
        }
        if release.withheld == .yanked && !force {
            throw SelectionError(.downgradeRefused, "\(version) was yanked by its publisher; pass --force to install it anyway")
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
