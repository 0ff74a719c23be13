/// The outcome of asking for the newest eligible release.
public enum UpdateCheck: Sendable, Equatable {
    /// Nothing newer than `current`; `latest` is the newest eligible release, if any was published.
    case upToDate(current: SemanticVersion, latest: Release?)
    /// `release` is eligible and newer than `current`.
    case available(current: SemanticVersion, release: Release)

    /// The installed version the check compared with.
    public var current: SemanticVersion {
        switch self {
        case .upToDate(let current, _), .available(let current, _): current
        }
    }

    /// The release to install, if any.
    public var availableRelease: Release? {
        if case .available(_, let release) = self { return release }
        return nil
    }

    /// The newest eligible release, whether or not it is newer than the installation.
    public var latestRelease: Release? {
        switch self {
        case .upToDate(_, let latest): latest
        case .available(_, let release): release
        }
    }
}
