import Foundation
import OTATestSupport
import Testing

/// `ota check --json` and `ota status --json` (the real binary) say how releases are verified, where they
/// come from and the channel the device follows.
@Suite("ota check and status: verification, source and channel", .timeLimit(.minutes(10)))
struct SourceFieldsCommandTests {
    @Test("a device with source: tuf (channel beta) on a repository made by ota publish, served by nginx: verification tuf, source tuf, product, channel beta")
    func tufSource() async throws {
        let device = try PublishedDevice(extra: "channel: beta")
        try device.publish("0.2.0", channels: ["stable", "beta"])

        let check = try await CommandRunner.run(["check", "--json", "--config", device.configPath])
        #expect(check.status == 100, "\(check.stderr)")
        let checked = try PublishedDevice.object(check.stdout)
        #expect(checked["verification"] as? String == "tuf")
        #expect(checked["source"] as? String == "tuf")
        #expect(checked["channel"] as? String == "beta")
        #expect(checked["product"] as? String == "monitor")
        #expect(checked["latest_version"] as? String == "0.2.0")
        #expect((checked["release"] as? [String: Any])?["tag"] as? String == "0.2.0")

        let status = try await CommandRunner.run(["status", "--json", "--config", device.configPath])
        #expect(status.status == 0, "\(status.stderr)")
        let shown = try PublishedDevice.object(status.stdout)
        #expect(shown["verification"] as? String == "tuf")
        #expect(shown["source"] as? String == "tuf")
        #expect(shown["channel"] as? String == "beta")
        #expect(shown["product"] as? String == "monitor")
        #expect(shown["latest_version"] as? String == "0.2.0")

        let text = try await CommandRunner.run(["check", "--config", device.configPath])
        #expect(text.stdout.contains("monitor: update available 0.1.0 → 0.2.0"), "\(text.stdout)")
        #expect(text.stdout.contains("verification: tuf (signed TUF repository, channel beta)"), "\(text.stdout)")
        let statusText = try await CommandRunner.run(["status", "--config", device.configPath])
        #expect(statusText.stdout.hasPrefix("monitor at "), "\(statusText.stdout)")
        #expect(statusText.stdout.contains("verification:     tuf (source tuf, channel beta)"), "\(statusText.stdout)")
    }

    @Test("a device with source: github: source github, channel null, verification signed with a public key and unsigned without")
    func githubSource() async throws {
        let work = try TemporaryDirectory("source-fields")
        try work.write("install/VERSION", "1.0.0\n")
        let common = "github_repo: octo/app\ninstall_dir: \(work.url("install"))\nstate_dir: \(work.url("state"))\n"
        let unsigned = try work.write("unsigned.yaml", common + "allow_unsigned: true\n")
        let signed = try work.write("signed.yaml", common + "public_key: RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3\n")

        for (config, verification) in [(unsigned, "unsigned"), (signed, "signed")] {
            let status = try await CommandRunner.run(["status", "--json", "--config", config])
            #expect(status.status == 0, "\(status.stderr)")
            let shown = try PublishedDevice.object(status.stdout)
            #expect(shown["verification"] as? String == verification)
            #expect(shown["source"] as? String == "github")
            #expect(shown.keys.contains("channel") && shown["channel"] is NSNull, "\(status.stdout)")
            #expect(!shown.keys.contains("product"), "\(status.stdout)")
        }
    }
}
