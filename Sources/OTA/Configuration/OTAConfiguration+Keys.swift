/// The keys of the configuration file, each listed once: parsing, validation, the description and the
/// "did you mean" suggestions read this table.
///
/// The file is flat; each row names its key, the part and field it fills (a key path such as
/// `\.transfer.retryDelay`) and how its value is converted, once, when the file is read. To add a key:
/// 1. add a field with its default to the part whose stage reads it (`OTAConfiguration+Transfer.swift`, …),
///    named after the key in camel case, typed as the stage uses it (`Duration`, `URL`, an enum, …);
/// 2. add a row here, with the builder of its type (`.seconds`, `.url`, `.choice`, `.integer`, …) or
///    ``ConfigurationKey/value(_:_:parse:show:problem:)`` for a type of its own, and its range rule;
/// 3. hand the field to the stage where ``UpdatePipeline`` (or the command) builds it.
/// Rules that relate several keys belong in ``OTAConfiguration/validate()``.
extension OTAConfiguration {
    /// Every key, in the order the description shows them.
    static let keys: [ConfigurationKey] = [
        .text("github_repo", \.source.githubRepo),
        .seconds("check_interval", \.schedule.checkInterval, 1...),
        .flag("auto_update", \.schedule.autoUpdate),
        .flag("backup_enabled", \.installation.backupEnabled),
        .optionalText("backup_path", \.installation.backupPath, problem: { $0.isEmpty ? "must not be empty (leave it out for <state_dir>/backups)" : nil }),
        .integer("max_backups", \.installation.maxBackups, 0...),
        .seconds("download_timeout", \.transfer.downloadTimeout, 1...),
        .value("max_retries", \.transfer.maxRetries, parse: { value throws(ConfigurationError) in try value.int() }, show: { "\($0)" },
               problem: { (0...100).contains($0) ? nil : "must be between 0 and 100, got \($0)" }),
        .seconds("retry_delay", \.transfer.retryDelay, 0...),
        .value("github_token", \.source.githubToken, parse: { value throws(ConfigurationError) in
            let token = try value.string()
            return token.isEmpty ? nil : Secret(token)
        }, show: { $0 == nil ? "null" : "<redacted>" }),
        .optionalText("github_token_file", \.source.githubTokenFile),
        .url("github_api_url", \.source.githubAPIURL, example: "https://api.github.com"),
        .text("install_dir", \.installation.installDir, problem: { $0.isEmpty ? "must not be empty" : nil }),
        .text("version_file", \.installation.versionFile),
        .textList("managed_paths", \.installation.managedPaths),
        .textList("preserve_paths", \.installation.preservePaths),
        .choice("layout", \.installation.layout),
        .optionalText("state_dir", \.installation.stateDir, problem: { $0.isEmpty ? "must not be empty (leave it out for <install_dir>/.ota)" : nil }),
        .flag("include_prereleases", \.source.includePrereleases),
        .optionalText("asset_pattern", \.source.assetPattern, problem: { $0.isEmpty ? "must not be empty (leave it out to install the source tarball)" : nil }),
        .optionalText("public_key", \.source.publicKey),
        .optionalText("public_key_file", \.source.publicKeyFile),
        .flag("allow_unsigned", \.source.allowUnsigned),
        .flag("allow_downgrade", \.source.allowDowngrade),
        .flag("allow_insecure_http", \.transfer.allowInsecureHTTP),
        .optionalText("restart_command", \.hooks.restartCommand),
        .optionalText("health_check", \.hooks.healthCheck),
        .seconds("health_check_timeout", \.hooks.healthCheckTimeout, 1...),
        .optionalText("pre_update", \.hooks.preUpdate),
        .optionalText("post_update", \.hooks.postUpdate),
        .optionalSeconds("pre_update_timeout", \.hooks.preUpdateTimeout, 1...),
        .optionalSeconds("post_update_timeout", \.hooks.postUpdateTimeout, 1...),
        .optionalSeconds("restart_command_timeout", \.hooks.restartCommandTimeout, 1...),
        .value("check_jitter", \.schedule.checkJitter, parse: { value throws(ConfigurationError) in try value.double() }, show: { "\($0)" },
               problem: { $0 >= 0 && $0 < 1 ? nil : "must be a fraction from 0 up to (not including) 1, got \($0)" }),
        .integer("max_extracted_bytes", \.limits.maxExtractedBytes, 1..., unit: "byte", bytes: true),
        .integer("max_archive_entries", \.limits.maxArchiveEntries, 1...),
        .integer("max_download_bytes", \.transfer.maxDownloadBytes, 1..., unit: "byte", bytes: true),
        .value("min_download_rate", \.transfer.minDownloadRate, parse: { value throws(ConfigurationError) in try value.bytes() }, show: { "\($0)" },
               problem: { $0 >= 0 ? nil : "must be 0 (no floor) or more bytes per second, got \($0)" }),
        .value("maintenance_window", \.schedule.maintenance, parse: { value throws(ConfigurationError) in
            let windows = try value.stringList()
            guard !windows.isEmpty else {
                throw ConfigurationError(.invalidValue, key: "maintenance_window", "maintenance_window lists no window; list windows such as [\"Mon-Fri 02:00-04:00\"], or leave the key out to install at any time")
            }
            return try MaintenanceSchedule(parsing: windows)
        }, show: { $0.windows.isEmpty ? "null" : ConfigurationKey.showList($0.windows.map(\.description)) }),
        .choice("source", \.source.kind),
        .optionalURL("tuf_url", \.source.tufURL, example: tufExample),
        .optionalURL("tuf_metadata_url", \.source.tufMetadataURL, example: tufExample),
        .optionalURL("tuf_targets_url", \.source.tufTargetsURL, example: tufExample),
        .optionalText("tuf_root", \.source.tufRoot, problem: { $0.isEmpty ? "must not be empty" : nil }),
        .optionalText("product", \.source.product),
        .optionalText("platform", \.source.platform),
        .text("channel", \.source.channel),
        .optionalText("device_id", \.source.deviceID, problem: { id in
            id.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? "must not be empty (leave it out to use /etc/machine-id)" : nil
        }),
        .optional("pinned_version", \.source.pinnedVersion, parse: { value throws(ConfigurationError) in
            let text = try value.string()
            guard let version = SemanticVersion(text) else {
                throw ConfigurationError(.invalidValue, key: "pinned_version", "pinned_version must be a full semantic version such as 1.2.0 (no leading v), got '\(text)'")
            }
            return version
        }, show: { $0.description.debugDescription }),
        .optionalText("status_socket", \.observability.statusSocket, problem: { $0.isEmpty ? "must not be empty (leave it out for <state_dir>/ota.sock, or write none)" : nil }),
        .optionalText("metrics_textfile", \.observability.metricsTextfile, problem: { $0.isEmpty ? "must not be empty (leave it out for no file)" : nil }),
        .flag("delta", \.transfer.delta),
    ]

    /// The keys by name, for parsing.
    static let keyTable: [String: ConfigurationKey] = Dictionary(uniqueKeysWithValues: keys.map { ($0.name, $0) })

    /// The example in the errors of the TUF repository's URLs.
    static let tufExample = "https://updates.example.com/monitor"
}
