import Testing
@testable import OTA

/// A process holding the GitHub token cannot be dumped or inspected by other processes of its user.
@Suite("Token protection")
struct TokenProtectionTests {
    @Test("once a configuration with a token is loaded, the process is not dumpable")
    func nonDumpableWithToken() throws {
        let config = try OTAConfiguration.parse(yaml: "github_repo: o/app\n", environment: ConfigurationEnvironment(["GITHUB_TOKEN": "ghp_tokenValue123"]))
        #expect(config.source.githubToken != nil)
        // The kernel's own flag, as prctl(PR_GET_DUMPABLE) reports it (what core dumps and ptrace obey).
        #expect(!Secret.processIsDumpable)
    }
}
