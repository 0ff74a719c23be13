/// The keys of the configuration file, each listed once: parsing, validation and the description read this table.
extension OTAConfiguration {
    /// Every key, in the order `ota config` shows them.
    static let keys: [ConfigurationKey] = [
        .text("github_repo", \.githubRepo),
        .integer("check_interval", \.checkInterval, 1..., unit: "second"),
        .flag("auto_update", \.autoUpdate),
        .flag("backup_enabled", \.backupEnabled),
        .optionalText("backup_path", \.backupPath, problem: { $0.backupPath?.isEmpty == true ? "must not be empty (leave it out for <state_dir>/backups)" : nil }),
        .integer("max_backups", \.maxBackups, 0...),
        .integer("download_timeout", \.downloadTimeout, 1..., unit: "second"),
        ConfigurationKey("max_retries", read: { config, value throws(ConfigurationError) in config.maxRetries = try value.int() },
                         show: { "\($0.maxRetries)" },
                         problem: { (0...100).contains($0.maxRetries) ? nil : "must be between 0 and 100, got \($0.maxRetries)" }),
        .integer("retry_delay", \.retryDelay, 0..., unit: "second"),
        ConfigurationKey("github_token", read: { config, value throws(ConfigurationError) in
            let token = try value.string()
            config.githubToken = token.isEmpty ? nil : Secret(token)
        }, show: { $0.githubToken == nil ? "null" : "<redacted>" }),
        .optionalText("github_token_file", \.githubTokenFile),
        .text("github_api_url", \.githubAPIURL),
        .text("install_dir", \.installDir, problem: { $0.installDir.isEmpty ? "must not be empty" : nil }),
        .text("version_file", \.versionFile),
        .textList("managed_paths", \.managedPaths),
        .textList("preserve_paths", \.preservePaths),
        ConfigurationKey("layout", read: { config, value throws(ConfigurationError) in
            let text = try value.string()
            guard let layout = Layout(rawValue: text) else {
                throw ConfigurationError(.invalidValue, key: "layout", "layout must be in_place or releases, got '\(text)'")
            }
            config.layout = layout
        }, show: { $0.layout.rawValue }),
        .optionalText("state_dir", \.stateDir, problem: { $0.stateDir?.isEmpty == true ? "must not be empty (leave it out for <install_dir>/.ota)" : nil }),
        .flag("include_prereleases", \.includePrereleases),
        .flag("delta", \.delta),
        .optionalText("asset_pattern", \.assetPattern, problem: { $0.assetPattern?.isEmpty == true ? "must not be empty (leave it out to install the source tarball)" : nil }),
        .optionalText("public_key", \.publicKey),
        .optionalText("public_key_file", \.publicKeyFile),
        .flag("allow_unsigned", \.allowUnsigned),
        .flag("allow_downgrade", \.allowDowngrade),
        .flag("allow_insecure_http", \.allowInsecureHTTP),
        .optionalText("restart_command", \.restartCommand),
        .optionalText("health_check", \.healthCheck),
        .integer("health_check_timeout", \.healthCheckTimeout, 1..., unit: "second"),
        .optionalText("pre_update", \.preUpdate),
        .optionalText("post_update", \.postUpdate),
        ConfigurationKey("check_jitter", read: { config, value throws(ConfigurationError) in config.checkJitter = try value.double() },
                         show: { "\($0.checkJitter)" },
                         problem: { $0.checkJitter >= 0 && $0.checkJitter < 1 ? nil : "must be a fraction from 0 up to (not including) 1, got \($0.checkJitter)" }),
        .integer("max_extracted_bytes", \.maxExtractedBytes, 1..., unit: "byte", bytes: true),
        .integer("max_archive_entries", \.maxArchiveEntries, 1...),
        .integer("max_download_bytes", \.maxDownloadBytes, 1..., unit: "byte", bytes: true),
        ConfigurationKey("min_download_rate", read: { config, value throws(ConfigurationError) in config.minDownloadRate = try value.bytes() },
                         show: { "\($0.minDownloadRate)" },
                         problem: { $0.minDownloadRate >= 0 ? nil : "must be 0 (no floor) or more bytes per second, got \($0.minDownloadRate)" }),
        ConfigurationKey("maintenance_window", read: { config, value throws(ConfigurationError) in
            let windows = try value.stringList()
            guard !windows.isEmpty else {
                throw ConfigurationError(.invalidValue, key: "maintenance_window", "maintenance_window lists no window; list windows such as [\"Mon-Fri 02:00-04:00\"], or leave the key out to install at any time")
            }
            config.maintenanceWindow = windows
        }, show: { $0.maintenanceWindow.isEmpty ? "null" : "[" + $0.maintenanceWindow.map(\.debugDescription).joined(separator: ", ") + "]" }),
    ] + tufKeys

    /// The keys by name, for parsing.
    static let keyTable: [String: ConfigurationKey] = Dictionary(uniqueKeysWithValues: keys.map { ($0.name, $0) })
}
