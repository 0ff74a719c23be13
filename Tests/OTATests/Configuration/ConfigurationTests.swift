import Foundation
import Testing
@testable import OTA

@Suite("Configuration loading")
struct ConfigurationLoadingTests {
    static let token = "ghp_SECRETtoken0123456789abcdefABCDEF"

    func parse(_ yaml: String, _ variables: [String: String] = [:]) throws(ConfigurationError) -> OTAConfiguration {
        try OTAConfiguration.parse(yaml: yaml, environment: ConfigurationEnvironment(variables), fileName: "test.yaml")
    }

    func error(_ yaml: String, _ variables: [String: String] = [:]) throws -> ConfigurationError {
        try #require(throws: ConfigurationError.self) { try parse(yaml, variables) }
    }

    @Test("every key has the default of the spec when only github_repo is given")
    func defaults() throws {
        let config = try parse("github_repo: octo/monitor\n")
        #expect(config.source.githubRepo == "octo/monitor")
        #expect(config.schedule.checkInterval == .seconds(3600))
        #expect(config.schedule.autoUpdate == true)
        #expect(config.installation.backupEnabled == true)
        #expect(config.installation.backupPath == nil)
        #expect(config.installation.backupDirectory == config.installation.stateDirectory + "/backups")
        #expect(config.installation.maxBackups == 3)
        #expect(config.transfer.downloadTimeout == .seconds(30))
        #expect(config.transfer.maxRetries == 3)
        #expect(config.transfer.retryDelay == .seconds(5))
        #expect(config.source.githubToken == nil)
        #expect(config.source.githubAPIURL.absoluteString == "https://api.github.com")
        #expect(config.installation.installDir == ".")
        #expect(config.installation.versionFile == "VERSION")
        #expect(config.installation.managedPaths == ["src", "config", "VERSION"])
        #expect(config.installation.preservePaths == [])
        #expect(config.installation.layout == .inPlace)
        #expect(config.installation.stateDir == nil)
        #expect(config.source.includePrereleases == false)
        #expect(config.source.assetPattern == nil)
        #expect(config.source.publicKey == nil)
        #expect(config.source.publicKeyFile == nil)
        #expect(config.source.allowDowngrade == false)
        #expect(config.transfer.allowInsecureHTTP == false)
        #expect(config.hooks.restartCommand == nil)
        #expect(config.hooks.healthCheck == nil)
        #expect(config.hooks.healthCheckTimeout == .seconds(60))
        #expect(config.hooks.preUpdate == nil)
        #expect(config.hooks.postUpdate == nil)
        #expect(config.hooks.preUpdateTimeout == nil && config.hooks.postUpdateTimeout == nil && config.hooks.restartCommandTimeout == nil)
        #expect(config.schedule.checkJitter == 0.1)
        #expect(config.limits.maxExtractedBytes == 4 * 1024 * 1024 * 1024)
        #expect(config.limits.maxArchiveEntries == 100_000)
        #expect(config.source.githubTokenFile == nil)
        #expect(config.source.allowUnsigned == false)
        #expect(config.transfer.maxDownloadBytes == 2 << 30)
        #expect(config.transfer.minDownloadRate == 1024)
        #expect(config.schedule.maintenance.windows.isEmpty)
        #expect(config.source.kind == .github && config.source.tufURL == nil && config.source.tufRoot == nil && config.source.product == nil && config.source.platform == nil)
        #expect(config.source.channel == "stable" && config.source.deviceID == nil && config.source.pinnedVersion == nil)
        #expect(config.observability.statusSocket == nil && config.statusSocketPath == config.installation.stateDirectory + "/ota.sock")
        #expect(config.observability.metricsTextfile == nil && config.metricsTextfilePath == nil)
        #expect(config.transfer.delta == true)
        #expect(ConfigurationKeys.all.count == 52)
    }

    @Test("status_socket: a path relative to install_dir, or none to turn the status API off; metrics_textfile likewise")
    func observabilityPaths() throws {
        let config = try parse("github_repo: o/r\ninstall_dir: /srv/app\nstatus_socket: run/ota.sock\nmetrics_textfile: /var/lib/prom/ota.prom\n")
        #expect(config.statusSocketPath == "/srv/app/run/ota.sock")
        #expect(config.metricsTextfilePath == "/var/lib/prom/ota.prom")
        #expect(try parse("github_repo: o/r\nstatus_socket: none\n").statusSocketPath == nil)
        let empty = try error("github_repo: o/r\nstatus_socket: ''\n")
        #expect(empty.message.contains("status_socket") && empty.message.contains("must not be empty"))
    }

    @Test("every key is read with its type")
    func allKeys() throws {
        let config = try parse("""
            github_repo: octo/monitor
            check_interval: 600
            auto_update: false
            backup_enabled: no
            backup_path: /var/backups/monitor
            max_backups: 0
            download_timeout: 10
            max_retries: 5
            retry_delay: 1
            github_token: tok
            github_api_url: https://ghe.example.com/api/v3
            install_dir: /opt/monitor
            version_file: meta/VERSION
            managed_paths: [app, VERSION]
            preserve_paths:
              - config/local.yaml
              - .env
            layout: releases
            state_dir: /var/lib/ota
            include_prereleases: true
            delta: false
            asset_pattern: "monitor-{version}-{os}-{arch}.tar.gz"
            public_key_file: /etc/ota/minisign.pub
            allow_downgrade: yes
            allow_insecure_http: true
            restart_command: systemctl restart monitor
            health_check: curl -fsS http://127.0.0.1:8080/health
            health_check_timeout: 15
            pre_update: ./scripts/pre.sh
            post_update: ./scripts/post.sh
            check_jitter: 0.25
            max_extracted_bytes: 512MiB
            max_archive_entries: 5000
            device_id: pi-0001
            pinned_version: 1.2.0-rc.1
            """)
        #expect(config.schedule.checkInterval == .seconds(600))
        #expect(!config.schedule.autoUpdate && !config.installation.backupEnabled)
        #expect(config.installation.backupPath == "/var/backups/monitor")
        #expect(config.installation.maxBackups == 0 && config.transfer.downloadTimeout == .seconds(10) && config.transfer.maxRetries == 5 && config.transfer.retryDelay == .seconds(1))
        #expect(config.source.githubToken?.value == "tok")
        #expect(config.source.githubAPIURL.absoluteString == "https://ghe.example.com/api/v3")
        #expect(config.installation.installDir == "/opt/monitor" && config.installation.versionFile == "meta/VERSION")
        #expect(config.installation.managedPaths == ["app", "VERSION"] && config.installation.preservePaths == ["config/local.yaml", ".env"])
        #expect(config.installation.layout == .releases && config.installation.stateDir == "/var/lib/ota" && config.source.includePrereleases)
        #expect(config.source.assetPattern == "monitor-{version}-{os}-{arch}.tar.gz")
        #expect(config.source.publicKeyFile == "/etc/ota/minisign.pub")
        #expect(config.source.allowDowngrade && config.transfer.allowInsecureHTTP)
        #expect(config.hooks.restartCommand == "systemctl restart monitor")
        #expect(config.hooks.healthCheck == "curl -fsS http://127.0.0.1:8080/health" && config.hooks.healthCheckTimeout == .seconds(15))
        #expect(config.hooks.preUpdate == "./scripts/pre.sh" && config.hooks.postUpdate == "./scripts/post.sh")
        #expect(config.schedule.checkJitter == 0.25 && config.limits.maxExtractedBytes == 512 << 20 && config.limits.maxArchiveEntries == 5000)
        #expect(config.installation.versionFilePath == "/opt/monitor/current/meta/VERSION")
        #expect(config.installation.stateDirectory == "/var/lib/ota")
        #expect(config.transfer.delta == false)
        #expect(config.source.deviceID == "pi-0001" && config.source.pinnedVersion == SemanticVersion("1.2.0-rc.1"))
    }

    @Test("a missing github_repo is an error naming the key")
    func missingRepo() throws {
        for yaml in ["check_interval: 60\n", "", "github_repo:\n", "github_repo: ~\n"] {
            let error = try error(yaml)
            #expect(error.code == .missingKey)
            #expect(error.key == "github_repo")
            #expect(error.message.contains("github_repo"))
        }
    }

    @Test("an unknown key is an error that suggests the closest known key", arguments: [
        ("check_intervall", "check_interval"), ("githubrepo", "github_repo"), ("max-backups", "max_backups"),
        ("Auto_Update", "auto_update"), ("healthcheck", "health_check"), ("public_keys", "public_key"),
    ])
    func unknownKey(_ key: String, _ suggestion: String) throws {
        let error = try error("github_repo: octo/app\n\(key): 1\n")
        #expect(error.code == .unknownKey)
        #expect(error.key == key)
        #expect(error.message.contains("did you mean '\(suggestion)'?"), "\(error.message)")
    }

    @Test("an unknown key far from every known key gets no suggestion")
    func unknownKeyWithoutSuggestion() throws {
        let error = try error("github_repo: octo/app\ncompletely_unrelated_setting: 1\n")
        #expect(error.code == .unknownKey)
        #expect(!error.message.contains("did you mean"))
    }

    @Test("a value of the wrong type is an error naming the key", arguments: [
        ("check_interval: soon", "check_interval"), ("auto_update: maybe", "auto_update"),
        ("max_backups: 2.5", "max_backups"), ("managed_paths: {a: b}", "managed_paths"),
        ("github_api_url: [a, b]", "github_api_url"), ("check_jitter: lots", "check_jitter"),
        ("max_extracted_bytes: 4 potatoes", "max_extracted_bytes"), ("preserve_paths: [[a]]", "preserve_paths"),
        ("restart_command: {cmd: x}", "restart_command"),
    ])
    func wrongType(_ line: String, _ key: String) throws {
        let error = try error("github_repo: octo/app\n\(line)\n")
        #expect(error.code == .wrongType)
        #expect(error.key == key)
        #expect(error.message.hasPrefix(key))
    }

    @Test("an out-of-range or malformed value is an error naming the key", arguments: [
        ("check_interval: -5", "check_interval"), ("check_interval: 0", "check_interval"), ("max_backups: -1", "max_backups"),
        ("download_timeout: 0", "download_timeout"), ("max_retries: -1", "max_retries"), ("retry_delay: -1", "retry_delay"),
        ("health_check_timeout: 0", "health_check_timeout"), ("restart_command_timeout: 0", "restart_command_timeout"), ("check_jitter: 1.5", "check_jitter"), ("check_jitter: -0.1", "check_jitter"),
        ("max_extracted_bytes: 0", "max_extracted_bytes"), ("max_archive_entries: 0", "max_archive_entries"),
        ("layout: blue_green", "layout"), ("github_api_url: ftp://example.com", "github_api_url"),
        ("github_api_url: not a url", "github_api_url"), ("github_api_url: http://mirror.lan:8080", "github_api_url"),
        ("github_api_url: http://127.0.0.1.evil.example/", "github_api_url"), ("github_api_url: http://127.0.0.1@evil.example/", "github_api_url"),
        ("github_api_url: 'http://localhost:80#@127.0.0.1'", "github_api_url"), ("github_api_url: http://127.0.0.1:8080?x=1", "github_api_url"),
        ("managed_paths: [/etc/passwd]", "managed_paths"), ("managed_paths: [../outside]", "managed_paths"),
        ("managed_paths: []", "managed_paths"), ("preserve_paths: [a/../../b]", "preserve_paths"),
        ("version_file: /VERSION", "version_file"), ("public_key: not-a-key", "public_key"), ("state_dir: ''", "state_dir"),
        ("max_extracted_bytes: 99999999999TiB", "max_extracted_bytes"),
    ])
    func outOfRange(_ line: String, _ key: String) throws {
        let error = try error("github_repo: octo/app\n\(line)\n")
        #expect(error.code == .invalidValue, "\(error.message)")
        #expect(error.key == key)
        #expect(error.message.hasPrefix(key), "\(error.message)")
    }

    @Test("github_repo must be owner/repo", arguments: [
        "octo", "octo/", "/app", "octo/app/extra", "octo app/x", "octo/a pp", "https://github.com/octo/app", "octo/..",
    ])
    func badRepository(_ repository: String) throws {
        let error = try error("github_repo: '\(repository)'\n")
        #expect(error.code == .invalidValue)
        #expect(error.key == "github_repo")
    }

    @Test("plain http is allowed to loopback, and to other hosts only with allow_insecure_http")
    func insecureHTTP() throws {
        #expect(try parse("github_repo: o/r\ngithub_api_url: http://127.0.0.1:8080\n").source.githubAPIURL.absoluteString == "http://127.0.0.1:8080")
        #expect(try parse("github_repo: o/r\ngithub_api_url: http://localhost:8080\n").source.githubAPIURL.absoluteString == "http://localhost:8080")
        #expect(try parse("github_repo: o/r\ngithub_api_url: http://[::1]:8080\n").source.githubAPIURL.absoluteString == "http://[::1]:8080")
        #expect(try parse("github_repo: o/r\ngithub_api_url: http://mirror@127.0.0.2:8080/api\n").source.githubAPIURL.absoluteString == "http://mirror@127.0.0.2:8080/api")
        #expect(OTAConfiguration.writtenHost(of: "https://user:pw@[fe80::1]:8443/x?y#z") == "fe80::1")
        #expect(OTAConfiguration.writtenHost(of: "https://api.github.com") == "api.github.com")
        #expect(try parse("github_repo: o/r\ngithub_api_url: http://mirror.lan:8080\nallow_insecure_http: true\n").transfer.allowInsecureHTTP)
    }

    @Test("public_key and public_key_file together are refused; a real minisign key is accepted")
    func publicKey() throws {
        let key = "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3"
        #expect(try parse("github_repo: o/r\npublic_key: \(key)\n").source.publicKey == key)
        let error = try error("github_repo: o/r\npublic_key: \(key)\npublic_key_file: k.pub\n")
        #expect(error.key == "public_key")
    }

    @Test("broken YAML and duplicate keys are syntax errors with a position")
    func syntax() throws {
        let broken = try error("github_repo: [octo/app\n")
        #expect(broken.code == .syntax)
        #expect(broken.message.contains("test.yaml"))
        let duplicate = try error("github_repo: a/b\ngithub_repo: c/d\n")
        #expect(duplicate.code == .syntax)
        let list = try error("- a\n- b\n")
        #expect(list.code == .syntax)
    }

    @Test("a single string is accepted where a list of paths is expected")
    func singlePath() throws {
        #expect(try parse("github_repo: o/r\nmanaged_paths: app\n").installation.managedPaths == ["app"])
    }
}

@Suite("Configuration variables")
struct ConfigurationVariableTests {
    func parse(_ yaml: String, _ variables: [String: String]) throws(ConfigurationError) -> OTAConfiguration {
        try OTAConfiguration.parse(yaml: yaml, environment: ConfigurationEnvironment(variables), fileName: "test.yaml")
    }

    @Test("${VAR} and ${VAR:-default} are substituted, also inside lists and typed values")
    func substitution() throws {
        let config = try parse("""
            github_repo: ${OWNER}/${REPO:-monitor}
            check_interval: ${INTERVAL:-120}
            auto_update: ${AUTO}
            managed_paths: ["${APP_DIR}", VERSION]
            restart_command: echo $$HOME costs $5
            """, ["OWNER": "octo", "AUTO": "false", "APP_DIR": "app"])
        #expect(config.source.githubRepo == "octo/monitor")
        #expect(config.schedule.checkInterval == .seconds(120))
        #expect(config.schedule.autoUpdate == false)
        #expect(config.installation.managedPaths == ["app", "VERSION"])
        #expect(config.hooks.restartCommand == "echo $HOME costs $5")
    }

    @Test("a default applies when the variable is set but empty, as in the shell")
    func emptyVariable() throws {
        #expect(try parse("github_repo: ${R:-o/r}\n", ["R": ""]).source.githubRepo == "o/r")
        #expect(try parse("github_repo: o/r\nbackup_path: x${EMPTY}y\n", ["EMPTY": ""]).installation.backupPath == "xy")
    }

    @Test("an unset variable without a default is an error naming the key and the variable")
    func unset() throws {
        let error = try #require(throws: ConfigurationError.self) { try parse("github_repo: o/r\nbackup_path: ${BACKUPS}/x\n", [:]) }
        #expect(error.code == .unsetVariable)
        #expect(error.key == "backup_path")
        #expect(error.message.contains("BACKUPS"))
    }

    @Test("malformed references are syntax errors", arguments: ["${UNCLOSED", "${1BAD}", "${}", "${A-B}"])
    func malformed(_ value: String) throws {
        let error = try #require(throws: ConfigurationError.self) { try parse("github_repo: o/r\nbackup_path: '\(value)'\n", [:]) }
        #expect(error.code == .syntax)
        #expect(error.key == "backup_path")
    }

    @Test("GITHUB_TOKEN is the default token; an explicit github_token wins; an empty one means none")
    func tokenDefault() throws {
        #expect(try parse("github_repo: o/r\n", ["GITHUB_TOKEN": "from-env"]).source.githubToken?.value == "from-env")
        #expect(try parse("github_repo: o/r\ngithub_token: explicit\n", ["GITHUB_TOKEN": "from-env"]).source.githubToken?.value == "explicit")
        #expect(try parse("github_repo: o/r\ngithub_token: ${MY_TOKEN}\n", ["MY_TOKEN": "mine"]).source.githubToken?.value == "mine")
        #expect(try parse("github_repo: o/r\ngithub_token: ''\n", ["GITHUB_TOKEN": "from-env"]).source.githubToken == nil)
    }

    @Test("the token can come from github_token_file or systemd's CREDENTIALS_DIRECTORY, before GITHUB_TOKEN")
    func tokenFiles() throws {
        let directory = try TemporaryDirectory()
        chmod(try directory.write("token", "  file-token\n"), 0o600)
        try directory.write("credentials/github_token", "credential-token\n")
        let environment = ["GITHUB_TOKEN": "env-token", "CREDENTIALS_DIRECTORY": directory.url("credentials")]
        #expect(try parse("github_repo: o/r\ngithub_token_file: \(directory.url("token"))\n", environment).source.githubToken?.value == "file-token")
        #expect(try parse("github_repo: o/r\n", environment).source.githubToken?.value == "credential-token")
        #expect(try parse("github_repo: o/r\ngithub_token: explicit\n", environment).source.githubToken?.value == "explicit")
        #expect(try parse("github_repo: o/r\n", ["GITHUB_TOKEN": "env-token", "CREDENTIALS_DIRECTORY": directory.url("none")]).source.githubToken?.value == "env-token")
        let missing = try #require(throws: ConfigurationError.self) { try parse("github_repo: o/r\ngithub_token_file: \(directory.url("nope"))\n", [:]) }
        #expect(missing.key == "github_token_file")
        let config = try parse("github_repo: o/r\ngithub_token_file: \(directory.url("token"))\n", [:])
        #expect(!config.description.contains("file-token"))
    }

    @Test("a github_token_file that group or others can read or write is refused, the error saying chmod 600 FILE")
    func tokenFileMode() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("token", "file-token\n")
        for mode: mode_t in [0o644, 0o640, 0o604, 0o620] {
            chmod(file, mode)
            let error = try #require(throws: ConfigurationError.self) { try parse("github_repo: o/r\ngithub_token_file: \(file)\n", [:]) }
            #expect(error.key == "github_token_file")
            #expect(error.message.contains("chmod 600 \(file)"))
            #expect(!error.message.contains("file-token"))
        }
        for mode: mode_t in [0o600, 0o400] {
            chmod(file, mode)
            #expect(try parse("github_repo: o/r\ngithub_token_file: \(file)\n", [:]).source.githubToken?.value == "file-token")
        }
    }

    @Test(".env adds variables without overriding the process environment")
    func dotEnvPrecedence() throws {
        let directory = try TemporaryDirectory()
        try directory.write(".env", """
            # comment
            export OWNER=from-dotenv
            REPO="quoted-repo"
            INTERVAL='90'
            GITHUB_TOKEN=dotenv-token # trailing comment

            """)
        try directory.write("config/ota_config.yaml", "github_repo: ${OWNER}/${REPO}\ncheck_interval: ${INTERVAL}\n")
        var environment = ConfigurationEnvironment(["OWNER": "from-process"])
        try environment.addDotEnv(at: directory.url(".env"))
        let config = try OTAConfiguration.load(from: "config/ota_config.yaml", environment: environment, workingDirectory: directory.path)
        #expect(config.source.githubRepo == "from-process/quoted-repo")
        #expect(config.schedule.checkInterval == .seconds(90))
        #expect(config.source.githubToken?.value == "dotenv-token")
        #expect(config.sourceFile == directory.url("config/ota_config.yaml"))
        #expect(config.installation.installDir == directory.path)
    }

    @Test("load reads .env from the working directory by default")
    func dotEnvDefault() throws {
        let directory = try TemporaryDirectory()
        try directory.write(".env", "OTA_TEST_REPO_\(getpid())=dot/env\n")
        try directory.write("c.yaml", "github_repo: ${OTA_TEST_REPO_\(getpid())}\n")
        #expect(try OTAConfiguration.load(from: "c.yaml", workingDirectory: directory.path).source.githubRepo == "dot/env")
    }

    @Test("a malformed .env line is an error with its line number", arguments: ["JUST TEXT", "1ABC=x", "A='unclosed"])
    func badDotEnv(_ line: String) throws {
        let directory = try TemporaryDirectory()
        try directory.write(".env", "GOOD=1\n\(line)\n")
        var environment = ConfigurationEnvironment([:])
        let error = try #require(throws: ConfigurationError.self) { try environment.addDotEnv(at: directory.url(".env")) }
        #expect(error.code == .syntax)
        #expect(error.message.contains(".env:2"))
    }
}
