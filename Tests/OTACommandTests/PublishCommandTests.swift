import Foundation
import OTA
import OTATestSupport
import Testing

/// `ota publish` run as a user runs it, its repository served by `ota serve --tuf` and read by python-tuf.
@Suite("ota publish", .timeLimit(.minutes(10)))
struct PublishCommandTests {
    /// Runs `ota publish ARGUMENTS…` and expects exit 0.
    @discardableResult
    static func publish(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        let result = try await CommandRunner.run(["publish"] + arguments)
        #expect(result.status == 0, "ota publish \(arguments.joined(separator: " ")): \(result.stderr)", sourceLocation: sourceLocation)
        return result.stdout
    }

    @Test("init, add, rollout, yank, refresh, rotate and verify; python-tuf reads each state through ota serve --tuf")
    func endToEnd() async throws {
        let directory = try TemporaryDirectory("ota-publish-cli")
        let repo = directory.url("repo"), keys = directory.url("keys")
        let archive = try directory.write("build/monitor-1.2.0-linux-aarch64.tar.gz", "release 1.2.0")
        try await Self.publish(["init", "--repo", repo, "--product", "monitor", "--threshold", "root=2", "--expires", "timestamp=2h", "--keys", keys])
        let added = try await Self.publish(["add", "--repo", repo, "--version", "1.2.0", "--platform", "linux-aarch64", "--channel", "stable",
                                            "--channel", "beta", "--rollout", "25", "--notes", "Faster sync", "--keys", keys, archive])
        #expect(added.contains("monitor/1.2.0/monitor-1.2.0-linux-aarch64.tar.gz"))

        let (server, url) = try PublishServeTests.startServe(repo)
        defer { server.terminate(); server.waitUntilExit() }
        let client = directory.url("client"), target = "monitor/1.2.0/monitor-1.2.0-linux-aarch64.tar.gz"
        func pythonRefresh() throws -> TUFNGClient.Refresh {
            try TUFNGClient.refresh(root: repo + "/metadata/1.root.json", clientDirectory: client, metadataURL: url + "/metadata/",
                                    targetsURL: url + "/targets/", targets: [target])
        }
        let first = try #require(try pythonRefresh().targets[target] ?? nil)
        #expect(first.sha256 == (try FileDigest.sha256(ofFileAt: archive)))
        #expect(first.customOTA.channels == ["stable", "beta"] && first.customOTA.rollout.percent == 25 && first.customOTA.notes == "Faster sync")

        let ramped = try await Self.publish(["rollout", "--repo", repo, "1.2.0", "--ramp", "48", "--keys", keys])
        #expect(ramped.contains("Rollout of 1.2.0 updated: 100% (ramp from 20") && ramped.contains("Z over 48h)."), "a ramp without --start starts now, and says when: \(ramped)")
        try await Self.publish(["rollout", "--repo", repo, "1.2.0", "--halt", "--keys", keys])
        #expect(try await Self.publish(["yank", "--repo", repo, "1.2.0", "--keys", keys]).contains("Yanked 1.2.0."))
        let status = try await Self.publish(["status", "--repo", repo])
        #expect(status.contains("1.2.0  linux-aarch64  channels stable,beta  rollout 100% (ramp from "))
        #expect(status.contains("over 48h)  halted  yanked"))
        let changed = try #require(try pythonRefresh().targets[target] ?? nil).customOTA
        #expect(changed.yanked && changed.rollout.halted && changed.rollout.rampHours == 48)
        #expect(changed.rollout.start.map { ramped.contains("ramp from \($0) over 48h") } == true, "the start printed is the start signed: \(changed.rollout)")

        let quiet = try await Self.publish(["refresh", "--repo", repo, "--if-expiring-within", "1h", "--keys", keys])
        #expect(quiet.contains("Nothing to re-sign"))
        let refreshed = try await Self.publish(["refresh", "--repo", repo, "--if-expiring-within", "3h", "--keys", keys])
        #expect(refreshed.contains("Re-signed snapshot, timestamp."))

        let rotated = try await Self.publish(["rotate", "--repo", repo, "--role", "root", "--keys", keys])
        #expect(rotated.contains("new root version 2"))
        try await Self.publish(["rotate", "--repo", repo, "--role", "targets", "--keys", keys])
        let afterRotation = try pythonRefresh()
        #expect(afterRotation.rootVersion == 3)
        #expect(afterRotation.targets[target]??.sha256 == first.sha256)

        let verified = try await Self.publish(["verify", "--repo", repo])
        #expect(verified.contains("verifies: root version 3, 1 targets in targets."))
    }

    @Test("verify exits 1 naming a tampered target")
    func verifyTampered() async throws {
        let directory = try TemporaryDirectory("ota-publish-cli")
        let repo = directory.url("repo"), keys = directory.url("keys")
        let archive = try directory.write("app.tar.gz", "bytes")
        try await Self.publish(["init", "--repo", repo, "--product", "app", "--keys", keys])
        try await Self.publish(["add", "--repo", repo, "--version", "1.0.0", "--platform", "any", "--keys", keys, archive])
        let stored = repo + "/targets/app/1.0.0/\(try FileDigest.sha256(ofFileAt: archive)).app.tar.gz"
        try Data("BYTES".utf8).write(to: URL(fileURLWithPath: stored))
        let result = try await CommandRunner.run(["publish", "verify", "--repo", repo])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: The repository \(repo) fails verification: The target app/1.0.0/app.tar.gz has sha256"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test("bad input exits 1 (or 64 for usage) with one sentence naming the field", arguments: [
        (["add", "--version", "1.0.0", "--platform", "any", "--rollout", "101", "ARCHIVE"], 1, "rollout percent 101 (--rollout) is outside 0–100"),
        (["add", "--version", "v1", "--platform", "any", "ARCHIVE"], 1, "The version \"v1\" is not a SemVer version"),
        (["add", "--version", "1.0.0", "--platform", "any", "/nonexistent/app.tar.gz"], 1, "The archive /nonexistent/app.tar.gz does not exist"),
        (["add", "--version", "0.9.0", "--platform", "any", "ARCHIVE"], 1, "Version 0.9.0 for platform any is already published"),
        (["rollout", "0.9.0", "--percent", "5", "--halt"], 64, "Pass exactly one of --percent N, --ramp HOURS [--start TIME] [--percent N], --halt or --resume."),
        (["rollout", "0.9.0", "--percent", "150"], 1, "The rollout percent 150 (--percent) is outside 0–100"),
        (["rollout", "0.9.0", "--percent=-1"], 1, "The rollout percent -1 (--percent) is outside 0–100"),
        (["rollout", "0.9.0", "--ramp", "0"], 1, "The ramp of 0 hours (--ramp) is not between 1 and 87600"),
        (["rollout", "0.9.0", "--ramp", "24", "--percent", "150"], 1, "The rollout percent 150 (--percent) is outside 0–100"),
        (["rollout", "0.9.0", "--percent", "20", "--start", "2026-12-01T10:00:00Z"], 64, "--start sets when a ramp begins; pass it with --ramp HOURS."),
        (["rollout", "0.9.0", "--ramp", "24", "--start", "tomorrow"], 1, "--start 'tomorrow' is not an ISO 8601 time; write the ramp's start as 2026-12-01T10:00:00Z"),
        (["yank", "3.0.0"], 1, "Version 3.0.0 is not published"),
        (["rotate", "--role", "bins"], 64, "--role bins is not a role"),
        (["refresh", "--if-expiring-within", "soon"], 64, "--if-expiring-within soon is not a duration"),
    ])
    func badInput(arguments: [String], status: Int32, message: String) async throws {
        let directory = try TemporaryDirectory("ota-publish-cli")
        let repo = directory.url("repo"), keys = directory.url("keys")
        let archive = try directory.write("app.tar.gz", "bytes")
        try await Self.publish(["init", "--repo", repo, "--product", "app", "--keys", keys])
        try await Self.publish(["add", "--repo", repo, "--version", "0.9.0", "--platform", "any", "--keys", keys, archive])
        let timestamp = FileManager.default.contents(atPath: repo + "/metadata/timestamp.json")
        let verb = arguments[0], rest = arguments.dropFirst().map { $0 == "ARCHIVE" ? archive : $0 }
        let result = try await CommandRunner.run(["publish", verb, "--repo", repo, "--keys", keys] + rest)
        #expect(result.status == status)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(FileManager.default.contents(atPath: repo + "/metadata/timestamp.json") == timestamp)
    }

    @Test("init refuses a keys folder inside the repository and a repository folder that is not empty")
    func initRefusals() async throws {
        let directory = try TemporaryDirectory("ota-publish-cli")
        let inside = try await CommandRunner.run(["publish", "init", "--repo", directory.url("repo"), "--product", "app", "--keys", directory.url("repo/keys")])
        #expect(inside.status == 1)
        #expect(inside.stderr.contains("is inside the repository"), "\(inside.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.url("repo")))
        try directory.write("used/file.txt", "x")
        let used = try await CommandRunner.run(["publish", "init", "--repo", directory.url("used"), "--product", "app", "--keys", directory.url("keys")])
        #expect(used.status == 1)
        #expect(used.stderr.contains("is not empty"), "\(used.stderr)")
        let badRole = try await CommandRunner.run(["publish", "init", "--repo", directory.url("new"), "--product", "app", "--threshold", "bins=2",
                                                   "--keys", directory.url("keys2")])
        #expect(badRole.status == 64)
    }
}
