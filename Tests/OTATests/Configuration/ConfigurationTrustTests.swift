#if canImport(Glibc)
import Glibc
#endif
import Foundation
import OTATestSupport
import Testing
@testable import OTA

/// The files that decide what runs as root — the configuration (hooks, paths), its `.env` and the
/// public key — are refused when another local user could change them.
@Suite("Trust of the configuration and key files")
struct ConfigurationTrustTests {
    static let otherUser: uid_t = 65534

    @Test("a configuration file another user owns or may write is refused, naming the fix")
    func configurationFile() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("ota_config.yaml", "github_repo: o/r\npre_update: id\n")
        chown(file, Self.otherUser, 0)
        var error = try #require(throws: ConfigurationError.self) { try OTAConfiguration.load(from: file, environment: ConfigurationEnvironment([:])) }
        #expect(error.code == .untrustedFile)
        #expect(error.message.contains("belongs to uid 65534"))
        chown(file, 0, 0)
        for mode: mode_t in [0o664, 0o646] {
            chmod(file, mode)
            error = try #require(throws: ConfigurationError.self) { try OTAConfiguration.load(from: file, environment: ConfigurationEnvironment([:])) }
            #expect(error.message.contains("chmod go-w \(file)"))
        }
        chmod(file, 0o644)
        #expect(try OTAConfiguration.load(from: file, environment: ConfigurationEnvironment([:])).hooks.preUpdate == "id")
    }

    @Test("a configuration file in a folder others may write, or reached through another user's symlink, is refused")
    func configurationFolder() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("etc/ota_config.yaml", "github_repo: o/r\n")
        chmod(directory.url("etc"), 0o777)
        let error = try #require(throws: ConfigurationError.self) { try OTAConfiguration.load(from: file, environment: ConfigurationEnvironment([:])) }
        #expect(error.message.contains("\(directory.url("etc")) is writable by group or others"))
        chmod(directory.url("etc"), 0o755)
        // A symlink is followed: what counts is the file it leads to.
        let planted = try directory.write("planted/ota_config.yaml", "github_repo: o/r\n")
        chown(planted, Self.otherUser, 0)
        try FileManager.default.createSymbolicLink(atPath: directory.url("link.yaml"), withDestinationPath: planted)
        #expect(throws: ConfigurationError.self) { try OTAConfiguration.load(from: directory.url("link.yaml"), environment: ConfigurationEnvironment([:])) }
    }

    @Test("a .env beside the configuration that others may write is refused")
    func dotEnv() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("ota_config.yaml", "github_repo: o/r\n")
        let dotEnv = try directory.write(".env", "OTA_TRUST_TEST=1\n")
        chmod(dotEnv, 0o666)
        let error = try #require(throws: ConfigurationError.self) { try OTAConfiguration.load(from: file, workingDirectory: directory.path) }
        #expect(error.code == .untrustedFile)
        #expect(error.message.contains("the .env file"))
        chmod(dotEnv, 0o600)
        _ = try OTAConfiguration.load(from: file, workingDirectory: directory.path)
    }

    @Test("a public_key_file another user owns is refused before anything is verified")
    func publicKeyFile() throws {
        let directory = try TemporaryDirectory()
        let key = try directory.write("minisign.pub", "untrusted comment: minisign public key 0\nRWQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n")
        chown(key, Self.otherUser, 0)
        var configuration = OTAConfiguration(githubRepo: "o/r")
        configuration.source.publicKeyFile = key
        let error = try #require(throws: VerificationError.self) { try ArtifactVerifier(source: configuration.source, installDirectory: configuration.installation.installDirectory) }
        #expect(error.code == .untrustedKeyFile)
        #expect(error.message.contains("belongs to uid 65534"))
    }
}
