import Foundation

/// Everything swift-ota needs to know about one installation and where its releases come from, in one
/// part per concern; each stage of an update takes only its part.
///
/// | part | keys | read by |
/// |---|---|---|
/// | ``source`` | `source`, `github_*`, `tuf_*`, `product`, `platform`, `channel`, `asset_pattern`, `public_key*`, `allow_unsigned`, `include_prereleases`, `allow_downgrade` | release sources, ``ReleaseSelector``, ``ArtifactVerifier`` |
/// | ``transfer`` | `download_timeout`, `max_retries`, `retry_delay`, `max_download_bytes`, `min_download_rate`, `allow_insecure_http` | ``Downloader``, the release sources' HTTP |
/// | ``schedule`` | `check_interval`, `check_jitter`, `auto_update`, `maintenance_window` | ``CheckSchedule``, ``UpdateService``, ``InstallGate`` |
/// | ``installation`` | `install_dir`, `version_file`, `layout`, `managed_paths`, `preserve_paths`, `state_dir`, `backup_*`, `max_backups` | the installers, ``StateDirectory``, ``BackupStore`` |
/// | ``hooks`` | `pre_update`, `post_update`, `restart_command`, `health_check`, `health_check_timeout`, `pre_update_timeout`, `post_update_timeout`, `restart_command_timeout` | ``HookRunner`` |
/// | ``limits`` | `max_extracted_bytes`, `max_archive_entries` | ``ExtractionPolicy`` |
///
/// The file stays flat (`check_interval: 600`); every value is converted once, when it is read: durations to
/// `Duration`, URLs to `URL`, kinds and layouts to enums, `maintenance_window` to a ``MaintenanceSchedule``.
/// Load it from YAML with ``load(from:environment:workingDirectory:)``, or build it in code:
///
/// ```swift
/// var config = OTAConfiguration(githubRepo: "octo/monitor")
/// config.installation.installDir = "/home/pi/monitoring"
/// config.hooks.restartCommand = "systemctl restart monitoring"
/// config.schedule.checkInterval = .seconds(600)
/// try config.validate()
/// ```
public struct OTAConfiguration: Sendable, Equatable, CustomStringConvertible {
    /// Where releases come from, which one is installed, and what proves it.
    public var source = Source()
    /// Time-outs, retries and limits of requests and downloads.
    public var transfer = Transfer()
    /// When the background checker runs and installs.
    public var schedule = Schedule()
    /// The installation being updated, its layout, state and backups.
    public var installation = Installation()
    /// The commands run around an update.
    public var hooks = Hooks()
    /// How large a release archive may expand.
    public var limits = Limits()
    /// Where the status API listens and the metrics file goes.
    public var observability = Observability()

    /// The file this configuration was loaded from, if any (it is always preserved across updates).
    public var sourceFile: String?

    /// A configuration for `githubRepo` with every other key at its default.
    public init(githubRepo: String) {
        source.githubRepo = githubRepo
    }

    /// The absolute path of `public_key_file`, if set (relative to `install_dir`).
    public var publicKeyFilePath: String? { source.publicKeyFilePath(in: installation.installDirectory) }
    /// The absolute path of `tuf_root`, if set (relative to `install_dir`).
    public var tufRootPath: String? { source.tufRootPath(in: installation.installDirectory) }

    /// The device's own configuration and trust files, absolute: the configuration file in use, a `.env`
    /// beside it, `public_key_file`, `tuf_root` and `github_token_file`. An update never takes them from a release.
    public var deviceFiles: [String] {
        let workingDirectory = FileManager.default.currentDirectoryPath
        var files: [String] = []
        if let sourceFile {
            let absolute = Self.absolute(sourceFile, against: workingDirectory)
            files += [absolute, FileSystem.parent(absolute) + "/.env"]
        }
        if let key = publicKeyFilePath { files.append(key) }
        if let root = tufRootPath { files.append(root) }
        if let token = source.githubTokenFile { files.append(Self.absolute(token, against: workingDirectory)) }
        return files
    }

    /// `path` if absolute, else `base/path`, with `.` components and trailing slashes removed.
    static func absolute(_ path: String, against base: String) -> String {
        let joined = path.hasPrefix("/") ? path : base + "/" + path
        var parts: [Substring] = []
        for part in joined.split(separator: "/") where part != "." {
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// Every key and value, one `key: value` per line as the file spells them, with the token redacted —
    /// also where another value happens to contain it.
    public var description: String {
        let text = Self.keys.map { "\($0.name): \($0.show(self))" }.joined(separator: "\n")
        return source.githubToken?.redacting(in: text) ?? text
    }
}
