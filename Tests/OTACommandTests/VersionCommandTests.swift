import Foundation
import Testing

@Suite("ota version")
struct VersionCommandTests {
    @Test("compare prints -1, 0 or 1", arguments: [
        ("1.0.0-alpha", "1.0.0", "-1"), ("1.0.0", "1.0.0+build", "0"), ("2.0.0", "1.9.9", "1"), ("1.0.0-beta.11", "1.0.0-beta.2", "1"),
    ])
    func compare(_ a: String, _ b: String, _ expected: String) async throws {
        let result = try await CommandRunner.run(["version", "compare", a, b])
        #expect(result.status == 0)
        #expect(result.stdout == expected + "\n")
    }

    @Test("validate exits 0 for a valid version and 1 with a one-line error for an invalid one")
    func validate() async throws {
        let valid = try await CommandRunner.run(["version", "validate", "1.2.3-rc.1+b"])
        #expect(valid.status == 0)
        let invalid = try await CommandRunner.run(["version", "validate", "1.2"])
        #expect(invalid.status == 1)
        #expect(invalid.stdout.isEmpty)
        #expect(invalid.stderr.hasPrefix("error: '1.2' is not a valid semantic version"))
        #expect(invalid.stderr.split(separator: "\n").count == 1)
    }

    @Test("next prints the bumped version", arguments: [("major", "2.0.0"), ("minor", "1.3.0"), ("patch", "1.2.4")])
    func next(_ part: String, _ expected: String) async throws {
        let result = try await CommandRunner.run(["version", "next", "1.2.3-rc.1", part])
        #expect(result.status == 0)
        #expect(result.stdout == expected + "\n")
    }

    @Test("an invalid version gives a one-line error and exit 1 from compare and next")
    func invalidInput() async throws {
        for arguments in [["version", "compare", "1.0", "1.0.0"], ["version", "next", "01.0.0", "minor"]] {
            let result = try await CommandRunner.run(arguments)
            #expect(result.status == 1)
            #expect(result.stderr.hasPrefix("error: "))
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
    }

    @Test("usage errors exit 64")
    func usage() async throws {
        #expect(try await CommandRunner.run(["version", "next", "1.0.0", "huge"]).status == 64)
        #expect(try await CommandRunner.run(["version", "compare", "1.0.0"]).status == 64)
        #expect(try await CommandRunner.run(["no-such-command"]).status == 64)
    }

    @Test("current and set work on the configured VERSION file, with no file meaning 0.0.0")
    func currentAndSet() async throws {
        let directory = FileManager.default.temporaryDirectory.path + "/ota-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/config", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data("github_repo: octo/app\n".utf8).write(to: URL(fileURLWithPath: directory + "/config/ota_config.yaml"))
        let fresh = try await CommandRunner.run(["version", "current"], in: directory)
        #expect(fresh.status == 0)
        #expect(fresh.stdout == "0.0.0\n")
        #expect(fresh.stderr.contains("VERSION file missing"))
        #expect(try await CommandRunner.run(["version", "set", "1.4.0"], in: directory).status == 0)
        #expect(try String(contentsOfFile: directory + "/VERSION", encoding: .utf8) == "1.4.0\n")
        #expect(try await CommandRunner.run(["version", "current"], in: directory).stdout == "1.4.0\n")
        let bad = try await CommandRunner.run(["version", "set", "1.4"], in: directory)
        #expect(bad.status == 1)
        #expect(try String(contentsOfFile: directory + "/VERSION", encoding: .utf8) == "1.4.0\n")
        let other = try await CommandRunner.run(["version", "current", "--file", directory + "/nope/VERSION", "--quiet"])
        #expect(other.status == 0)
        #expect(other.stdout == "0.0.0\n")
    }

    @Test("a configuration error exits 1 with a sentence naming the key")
    func configurationError() async throws {
        let directory = FileManager.default.temporaryDirectory.path + "/ota-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data("github_repo: octo/app\ncheck_intervall: 5\n".utf8).write(to: URL(fileURLWithPath: directory + "/ota.yaml"))
        let result = try await CommandRunner.run(["version", "current", "--config", "ota.yaml"], in: directory)
        #expect(result.status == 1)
        #expect(result.stderr.contains("did you mean 'check_interval'?"))
        let viaEnvironment = try await CommandRunner.run(["version", "current"], in: directory, environment: ["OTA_CONFIG": "missing.yaml"])
        #expect(viaEnvironment.status == 1)
        #expect(viaEnvironment.stderr.contains("missing.yaml"))
    }
}
