import Foundation
import Testing
@testable import OTA

/// The key table: every key of the flat file fills one field of one part, converted once when it is read,
/// and is shown and checked as the file spells it.
@Suite("Configuration key table")
struct ConfigurationKeyTableTests {
    func parse(_ yaml: String) throws(ConfigurationError) -> OTAConfiguration {
        try OTAConfiguration.parse(yaml: yaml, environment: ConfigurationEnvironment([:]), fileName: "test.yaml")
    }

    static let everyKey = """
        github_repo: octo/monitor
        check_interval: 600
        auto_update: false
        backup_enabled: false
        backup_path: /var/backups/monitor
        max_backups: 0
        download_timeout: 10
        max_retries: 5
        retry_delay: 0
        github_token_file: null
        github_api_url: http://mirror.lan:8080/api
        install_dir: /opt/monitor
        version_file: meta/VERSION
        managed_paths: [app, VERSION]
        preserve_paths: [config/local.yaml, .env]
        layout: releases
        state_dir: /var/lib/ota
        include_prereleases: true
        asset_pattern: "monitor-{version}-{os}-{arch}.tar.gz"
        public_key_file: /etc/ota/minisign.pub
        allow_unsigned: true
        allow_downgrade: true
        allow_insecure_http: true
        restart_command: systemctl restart monitor
        health_check: curl -fsS http://127.0.0.1:8080/health
        health_check_timeout: 15
        pre_update: ./pre.sh
        post_update: ./post.sh
        pre_update_timeout: 120
        restart_command_timeout: 30
        check_jitter: 0.25
        max_extracted_bytes: 512MiB
        max_archive_entries: 5000
        max_download_bytes: 1GiB
        min_download_rate: 0
        maintenance_window: ["Mon-Fri 02:00-04:00", "Sat 22:00-02:00"]
        source: tuf
        tuf_url: https://updates.example.com/monitor
        tuf_metadata_url: https://cdn.example.com/meta
        tuf_root: config/root.json
        product: monitor
        platform: linux-aarch64
        channel: beta
        device_id: pi-0001
        pinned_version: 1.2.0-rc.1
        status_socket: none
        metrics_textfile: /var/lib/node_exporter/ota.prom
        delta: false

        """

    @Test("the description lists every key in the table's order, spelt as the file spells it")
    func description() throws {
        let config = try parse(Self.everyKey)
        #expect(config.description == """
            github_repo: "octo/monitor"
            check_interval: 600
            auto_update: false
            backup_enabled: false
            backup_path: "/var/backups/monitor"
            max_backups: 0
            download_timeout: 10
            max_retries: 5
            retry_delay: 0
            github_token: null
            github_token_file: null
            github_api_url: "http://mirror.lan:8080/api"
            install_dir: "/opt/monitor"
            version_file: "meta/VERSION"
            managed_paths: ["app", "VERSION"]
            preserve_paths: ["config/local.yaml", ".env"]
            layout: releases
            state_dir: "/var/lib/ota"
            include_prereleases: true
            asset_pattern: "monitor-{version}-{os}-{arch}.tar.gz"
            public_key: null
            public_key_file: "/etc/ota/minisign.pub"
            allow_unsigned: true
            allow_downgrade: true
            allow_insecure_http: true
            restart_command: "systemctl restart monitor"
            health_check: "curl -fsS http://127.0.0.1:8080/health"
            health_check_timeout: 15
            pre_update: "./pre.sh"
            post_update: "./post.sh"
            pre_update_timeout: 120
            post_update_timeout: null
            restart_command_timeout: 30
            check_jitter: 0.25
            max_extracted_bytes: 536870912
            max_archive_entries: 5000
            max_download_bytes: 1073741824
            min_download_rate: 0
            maintenance_window: ["Mon-Fri 02:00-04:00", "Sat 22:00-02:00"]
            source: tuf
            tuf_url: "https://updates.example.com/monitor"
            tuf_metadata_url: "https://cdn.example.com/meta"
            tuf_targets_url: null
            tuf_root: "config/root.json"
            product: "monitor"
            platform: "linux-aarch64"
            channel: "beta"
            device_id: "pi-0001"
            pinned_version: "1.2.0-rc.1"
            status_socket: "none"
            metrics_textfile: "/var/lib/node_exporter/ota.prom"
            delta: false
            """)
    }

    @Test("the description reads back as the same configuration, so every row shows what it parses")
    func roundTrip() throws {
        for yaml in [Self.everyKey, "github_repo: octo/monitor\n"] {
            let config = try parse(yaml)
            #expect(try parse(config.description) == config)
        }
    }

    @Test("durations, URLs, choices and windows are converted once, when the file is read")
    func typedAtTheEdges() throws {
        let config = try parse(Self.everyKey)
        #expect(config.schedule.checkInterval == .seconds(600) && config.transfer.downloadTimeout == .seconds(10))
        #expect(config.transfer.retryDelay == .zero && config.hooks.healthCheckTimeout == .seconds(15))
        #expect(config.hooks.timeout(for: .preUpdate) == .seconds(120) && config.hooks.timeout(for: .restart) == .seconds(30))
        #expect(config.hooks.timeout(for: .postUpdate) == .seconds(15) && config.hooks.timeout(for: .healthCheck) == .seconds(15),
                "a hook without its own timeout has health_check_timeout")
        #expect(config.source.githubAPIURL == URL(string: "http://mirror.lan:8080/api"))
        #expect(config.source.tufMetadataURLResolved == URL(string: "https://cdn.example.com/meta"))
        #expect(config.source.tufTargetsURLResolved == URL(string: "https://updates.example.com/monitor/targets"))
        #expect(config.source.kind == .tuf && config.installation.layout == .releases)
        #expect(config.schedule.maintenance == (try MaintenanceSchedule(parsing: ["Mon-Fri 02:00-04:00", "Sat 22:00-02:00"])))
        #expect(CheckSchedule(config.schedule, retryDelay: config.transfer.retryDelay).interval == .seconds(600))
        #expect(ExtractionPolicy(limits: config.limits) == ExtractionPolicy(maxEntries: 5000, maxExtractedBytes: 512 << 20))
    }

    @Test("the errors of converted keys name the key and read as before", arguments: [
        ("check_interval: 0", "check_interval must be at least 1 second, got 0"),
        ("check_interval: -5", "check_interval must be at least 1 second, got -5"),
        ("download_timeout: 0", "download_timeout must be at least 1 second, got 0"),
        ("retry_delay: -1", "retry_delay must be 0 or more seconds, got -1"),
        ("health_check_timeout: 0", "health_check_timeout must be at least 1 second, got 0"),
        ("check_interval: soon", "check_interval must be a whole number, got 'soon'"),
        ("max_retries: 101", "max_retries must be between 0 and 100, got 101"),
        ("max_backups: -1", "max_backups must be 0 or more, got -1"),
        ("max_extracted_bytes: 0", "max_extracted_bytes must be at least 1 byte, got 0"),
        ("min_download_rate: -1", "min_download_rate must be 0 (no floor) or more bytes per second, got -1"),
        ("layout: blue_green", "layout must be in_place or releases, got 'blue_green'"),
        ("source: gitlab", "source must be github or tuf, got 'gitlab'"),
        ("github_api_url: ftp://example.com", "github_api_url must use https (or http for a local mirror), got 'ftp'"),
        ("github_api_url: not a url", "github_api_url must be an http(s) URL such as https://api.github.com, got 'not a url'"),
        ("github_api_url: http://127.0.0.1:8080?x=1", "github_api_url must be an http(s) URL such as https://api.github.com, got 'http://127.0.0.1:8080?x=1'"),
        ("github_api_url: http://mirror.lan:8080",
         "github_api_url uses plain http to mirror.lan, which anyone on the network can tamper with; use https, or set allow_insecure_http: true for a trusted LAN mirror"),
        ("tuf_url: updates", "tuf_url must be an http(s) URL such as https://updates.example.com/monitor, got 'updates'"),
        ("tuf_targets_url: http://cdn.lan/t",
         "tuf_targets_url uses plain http to cdn.lan, which anyone on the network can tamper with; use https, or set allow_insecure_http: true for a trusted LAN mirror"),
        ("maintenance_window: []",
         "maintenance_window lists no window; list windows such as [\"Mon-Fri 02:00-04:00\"], or leave the key out to install at any time"),
    ])
    func errors(_ line: String, _ message: String) throws {
        let error = try #require(throws: ConfigurationError.self) { try parse("github_repo: octo/app\n\(line)\n") }
        #expect(error.message == message)
        #expect(error.key == String(line.prefix { $0 != ":" }))
    }

    @Test("validate() applies the same rules to a configuration built in code, spelling a fraction of a second as such")
    func validateInCode() throws {
        var config = OTAConfiguration(githubRepo: "octo/app")
        try config.validate()
        config.transfer.downloadTimeout = .milliseconds(500)
        let error = try #require(throws: ConfigurationError.self) { try config.validate() }
        #expect(error.key == "download_timeout" && error.message == "download_timeout must be at least 1 second, got 0.5")
        config.transfer.downloadTimeout = .seconds(30)
        config.source.githubAPIURL = try #require(URL(string: "http://mirror.lan"))
        #expect(throws: ConfigurationError.self) { try config.validate() }
        config.transfer.allowInsecureHTTP = true
        try config.validate()
    }
}
