import Foundation

/// Everything swift-ota needs to know about one installation and where its releases come from.
///
/// Every property has its documented default (docs/configuration.md) except ``githubRepo``. Load it from YAML with
/// ``load(from:environment:workingDirectory:)``, or build it in code:
///
/// ```swift
/// var config = OTAConfiguration(githubRepo: "octo/monitor")
/// config.installDir = "/home/pi/monitoring"
/// config.restartCommand = "systemctl restart monitoring"
/// try config.validate()
/// ```
///
/// Relative paths: `install_dir` is relative to the working directory (and made absolute when the
/// file is loaded); `version_file`, `managed_paths`, `preserve_paths`, `state_dir`, `backup_path`
/// and `public_key_file` are relative to `install_dir`.
public struct OTAConfiguration: Sendable, Equatable, CustomStringConvertible {
    /// How an update is laid onto the disk.
    public enum Layout: String, Sendable, CaseIterable {
        /// The original layout: each managed path in `install_dir` is swapped by rename.
        case inPlace = "in_place"
        /// `install_dir/releases/<version>/` plus a `current` symlink swapped atomically.
        case releases
    }

    // Keys of the original design.
    /// `owner/repo` on GitHub (or on the mirror). Required.
    public var githubRepo: String
    /// Seconds between background checks.
    public var checkInterval: Int = 3600
    /// Whether the background checker applies the updates it finds.
    public var autoUpdate: Bool = true
    /// Whether to back up the installation before applying.
    public var backupEnabled: Bool = true
    /// Where backups go; `nil` means `<state_dir>/backups`.
    public var backupPath: String?
    /// How many of the newest backups are kept (0 keeps none after a successful update).
    public var maxBackups: Int = 3
    /// Seconds without a received byte after which a request or download attempt fails.
    public var downloadTimeout: Int = 30
    /// Retries of a failed request or download.
    public var maxRetries: Int = 3
    /// Seconds before the first retry; later retries back off exponentially, with jitter.
    public var retryDelay: Int = 5

    // Keys added by swift-ota.
    /// Token for private repositories and higher rate limits (default: `$GITHUB_TOKEN`).
    public var githubToken: Secret?
    /// A file holding the token (e.g. `/etc/ota/token`, mode 0600), read when the configuration is loaded.
    /// Without `github_token` and `github_token_file`, systemd's `$CREDENTIALS_DIRECTORY/github_token`
    /// is used when present, then `$GITHUB_TOKEN`.
    public var githubTokenFile: String?
    /// The API root: `https://api.github.com`, `https://host/api/v3` or an `ota serve` mirror.
    public var githubAPIURL: String = "https://api.github.com"
    /// The installation being updated.
    public var installDir: String = "."
    /// The `VERSION` file, relative to ``installDir``.
    public var versionFile: String = "VERSION"
    /// What a backup holds and an `in_place` update replaces, relative to ``installDir``.
    public var managedPaths: [String] = ["src", "config", "VERSION"]
    /// Files carried from the current install into the new one, relative to ``installDir``.
    public var preservePaths: [String] = []
    /// The installation layout.
    public var layout: Layout = .inPlace
    /// State, journal, downloads, staging and log; `nil` means `<install_dir>/.ota`.
    public var stateDir: String?
    /// Whether pre-releases are eligible.
    public var includePrereleases: Bool = false
    /// The release asset to install (`{version}`, `{tag}`, `{os}`, `{arch}` placeholders);
    /// `nil` installs the source tarball.
    public var assetPattern: String?
    /// minisign public key (the base64 line of `minisign.pub`); when set, releases must be signed.
    public var publicKey: String?
    /// Path of a `minisign.pub` file, as an alternative to ``publicKey``.
    public var publicKeyFile: String?
    /// Whether releases may be installed without a minisign signature when no key is configured
    /// (``publicKey`` and ``publicKeyFile`` unset); without it, updates are refused.
    public var allowUnsigned: Bool = false
    /// Whether an older version may be installed.
    public var allowDowngrade: Bool = false
    /// Whether `http://` may be used for hosts other than loopback.
    public var allowInsecureHTTP: Bool = false
    /// Command run after applying (`sh -c`, in `install_dir`).
    public var restartCommand: String?
    /// Command run after the restart; a non-zero exit or a timeout rolls the update back.
    public var healthCheck: String?
    /// Seconds the health check may take.
    public var healthCheckTimeout: Int = 60
    /// Hook run before anything changes; a non-zero exit cancels the update.
    public var preUpdate: String?
    /// Hook run after the new version is in place, before the restart.
    public var postUpdate: String?
    /// Random spread of the check interval, as a fraction (0.1 = ±10 %).
    public var checkJitter: Double = 0.1
    /// Largest total size an archive may expand to, in bytes.
    public var maxExtractedBytes: Int = 4 << 30
    /// Largest number of entries an archive may hold.
    public var maxArchiveEntries: Int = 100_000
    /// Largest download without an announced size (the source tarball), in bytes.
    public var maxDownloadBytes: Int = 2 << 30
    /// Lowest average transfer rate, in bytes per second over `download_timeout × 6` seconds; 0 = no floor.
    public var minDownloadRate: Int = 1024
    /// Fetch only the changed files when the release publishes a delta index (falls back to the full archive).
    public var delta: Bool = true
    /// Windows of the device's local time in which installs may start (`Mon-Fri 02:00-04:00`, see
    /// ``MaintenanceWindow``); empty: at any time. Checks and downloads happen outside them too.
    public var maintenanceWindow: [String] = []
    /// Where releases come from.
    public var source: Source = .github
    /// The base URL of a signed TUF repository (`metadata/` and `targets/` below it).
    public var tufURL: String?
    /// The TUF repository's metadata URL, when not `<tuf_url>/metadata`.
    public var tufMetadataURL: String?
    /// The TUF repository's targets URL, when not `<tuf_url>/targets`.
    public var tufTargetsURL: String?
    /// The trusted initial `root.json` shipped with the device, relative to ``installDir``; never taken from a release.
    public var tufRoot: String?
    /// The product's name in target paths (`<product>/<version>/<file>`); `nil` means `github_repo`'s repository name.
    public var product: String?
    /// The platform whose artifacts this device installs; `nil` means `linux-<arch>`.
    public var platform: String?
    /// The release channel the device follows.
    public var channel: String = "stable"

    /// The file this configuration was loaded from, if any (it is always preserved across updates).
    public var sourceFile: String?

    /// A configuration for `githubRepo` with every other key at its default.
    public init(githubRepo: String) {
        self.githubRepo = githubRepo
    }

    // MARK: Resolved paths

    /// ``installDir`` as an absolute path (relative to the working directory).
    public var installDirectory: String { Self.absolute(installDir, against: FileManager.default.currentDirectoryPath) }
    /// The absolute path of the installed `VERSION` file: `install_dir/<version_file>` for `in_place`,
    /// `install_dir/current/<version_file>` for `releases`.
    public var versionFilePath: String {
        switch layout {
        case .inPlace: Self.absolute(versionFile, against: installDirectory)
        case .releases: Self.absolute("current/" + versionFile, against: installDirectory)
        }
    }
    /// The absolute state directory.
    public var stateDirectory: String { Self.absolute(stateDir ?? ".ota", against: installDirectory) }
    /// The absolute backup directory (`<state_dir>/backups` by default).
    public var backupDirectory: String { backupPath.map { Self.absolute($0, against: installDirectory) } ?? stateDirectory + "/backups" }
    /// The absolute path of ``publicKeyFile``, if set.
    public var publicKeyFilePath: String? { publicKeyFile.map { Self.absolute($0, against: installDirectory) } }

    /// `path` if absolute, else `base/path`, with `.` components and trailing slashes removed.
    static func absolute(_ path: String, against base: String) -> String {
        let joined = path.hasPrefix("/") ? path : base + "/" + path
        var parts: [Substring] = []
        for part in joined.split(separator: "/") where part != "." {
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    // MARK: Description

    /// Every key and value, one `key: value` per line, with the token redacted — also where another
    /// value happens to contain it.
    public var description: String {
        let text = Self.keys.map { "\($0.name): \($0.show(self))" }.joined(separator: "\n")
        return githubToken?.redacting(in: text) ?? text
    }
}
