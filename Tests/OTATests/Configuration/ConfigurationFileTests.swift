import Foundation
import Testing
@testable import OTA

@Suite("Configuration files and secrets")
struct ConfigurationFileTests {
    @Test("the path comes from --config, else $OTA_CONFIG, else config/ota_config.yaml")
    func pathResolution() {
        #expect(OTAConfiguration.resolvePath(explicitPath: "/etc/ota.yaml", environment: ["OTA_CONFIG": "/x.yaml"]) == "/etc/ota.yaml")
        #expect(OTAConfiguration.resolvePath(explicitPath: nil, environment: ["OTA_CONFIG": "/x.yaml"]) == "/x.yaml")
        #expect(OTAConfiguration.resolvePath(explicitPath: nil, environment: [:]) == "config/ota_config.yaml")
    }

    @Test("a missing file says where it looked and how to point elsewhere")
    func missingFile() throws {
        let directory = try TemporaryDirectory()
        let error = try #require(throws: ConfigurationError.self) {
            try OTAConfiguration.load(from: "config/ota_config.yaml", environment: ConfigurationEnvironment([:]), workingDirectory: directory.path)
        }
        #expect(error.code == .fileNotFound)
        #expect(error.message.contains(directory.url("config/ota_config.yaml")))
        #expect(error.message.contains("--config"))
    }

    @Test("relative paths resolve: install_dir against the working directory, the rest against install_dir")
    func relativePaths() throws {
        let directory = try TemporaryDirectory()
        try directory.write("conf.yaml", "github_repo: o/r\ninstall_dir: app\nbackup_path: ../backups\npublic_key_file: keys/m.pub\n")
        let config = try OTAConfiguration.load(from: "conf.yaml", environment: ConfigurationEnvironment([:]), workingDirectory: directory.path)
        #expect(config.installation.installDir == directory.url("app"))
        #expect(config.installation.versionFilePath == directory.url("app/VERSION"))
        #expect(config.installation.stateDirectory == directory.url("app/.ota"))
        #expect(config.installation.backupDirectory == directory.url("app/../backups"))
        #expect(config.publicKeyFilePath == directory.url("app/keys/m.pub"))
    }

    @Test("the shipped example configuration loads and matches the defaults it documents")
    func shippedExample() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
        let config = try OTAConfiguration.load(from: root + "/config/ota_config.yaml", environment: ConfigurationEnvironment([:]), workingDirectory: root)
        #expect(config.source.githubRepo == "your-username/monitoring-system")
        #expect(config.schedule.checkInterval == .seconds(3600) && config.installation.maxBackups == 3 && config.installation.layout == .inPlace)
    }

    @Test("the token never appears in descriptions, dumps, interpolation or errors")
    func tokenNeverShown() throws {
        let token = ConfigurationLoadingTests.token
        let config = try OTAConfiguration.parse(yaml: "github_repo: o/r\ngithub_token: \(token)\n", environment: ConfigurationEnvironment([:]))
        #expect(config.source.githubToken?.value == token)
        var dumped = ""
        dump(config, to: &dumped)
        let renderings = [config.description, String(describing: config), String(reflecting: config), "\(config)", dumped,
                          "\(config.source.githubToken!)", String(reflecting: config.source.githubToken!)]
        for rendering in renderings {
            #expect(!rendering.contains(token))
            #expect(!rendering.contains("SECRET"))
        }
        #expect(config.description.contains("github_token: <redacted>"))
        let error = try #require(throws: ConfigurationError.self) {
            try OTAConfiguration.parse(yaml: "github_repo: o/r\ngithub_token: \(token)\ncheck_interval: -1\n", environment: ConfigurationEnvironment([:]))
        }
        #expect(!error.message.contains(token))
        let wrongType = try #require(throws: ConfigurationError.self) {
            try OTAConfiguration.parse(yaml: "github_repo: o/r\ngithub_token: [\(token)]\n", environment: ConfigurationEnvironment([:]))
        }
        #expect(!wrongType.message.contains(token))
    }
}

/// The token must not leak through a value it was substituted into by mistake (found by the config fuzzer:
/// an unterminated quote swallowed a commented-out `github_token: ${GITHUB_TOKEN}` line).
@Suite("Configuration: token redaction everywhere")
struct ConfigurationTokenRedactionTests {
    static let token = "ghp_RedactionTest0123456789abcdef"
    static let environment = ConfigurationEnvironment(["GITHUB_TOKEN": token])

    @Test("a token swallowed into another value is redacted from the description")
    func descriptionRedactsEverywhere() throws {
        let yaml = "github_repo: owner/app\nasset_pattern: \"app-{version}\n# github_token: ${GITHUB_TOKEN}\n  end\"\n"
        let configuration = try OTAConfiguration.parse(yaml: yaml, environment: Self.environment)
        #expect(configuration.source.assetPattern?.contains(Self.token) == true)
        #expect(configuration.source.githubToken?.value == Self.token)
        let shown = "\(configuration)"
        #expect(!shown.contains(Self.token))
        #expect(shown.contains("<redacted>"))
    }

    @Test("an error quoting a substituted token shows it redacted")
    func errorsRedact() {
        let error = #expect(throws: ConfigurationError.self) {
            try OTAConfiguration.parse(yaml: "github_repo: ${GITHUB_TOKEN}\n", environment: Self.environment)
        }
        #expect(error?.code == .invalidValue, "\(String(describing: error))")
        #expect(error?.message.contains(Self.token) == false, "\(error?.message ?? "")")
    }

    @Test("short secrets are not redacted from ordinary words", arguments: [("abc", "the abc key"), ("ghp_longer_token", "x ghp_longer_token y")])
    func shortSecrets(value: String, text: String) {
        let redacted = Secret(value).redacting(in: text)
        #expect(redacted == (value.count >= 8 ? text.replacingOccurrences(of: value, with: "<redacted>") : text))
    }
}
