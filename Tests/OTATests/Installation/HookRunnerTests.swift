import Foundation
import Testing
@testable import OTA

@Suite("Hooks", .timeLimit(.minutes(10)))
struct HookRunnerTests {
    let from = SemanticVersion(1, 0, 0), to = try! SemanticVersion(parsing: "1.1.0-rc.1")

    @Test("a hook runs with sh -c in install_dir with the OTA_* variables")
    func environment() async throws {
        let directory = try TemporaryDirectory()
        let runner = HookRunner(installDirectory: directory.path)
        try await runner.run(.postUpdate, command: #"printf '%s %s %s %s' "$OTA_FROM_VERSION" "$OTA_TO_VERSION" "$OTA_INSTALL_DIR" "$(pwd)" > hook.out"#,
                             from: from, to: to, timeout: .seconds(300))
        #expect(try directory.read("hook.out") == "1.0.0 1.1.0-rc.1 \(directory.path) \(directory.path)")
    }

    @Test("a non-zero exit is an error with the status and the last output line")
    func failure() async throws {
        let directory = try TemporaryDirectory()
        let error = try await #require(throws: HookError.self) {
            try await HookRunner(installDirectory: directory.path).run(.healthCheck, command: "echo starting; echo 'port 8080 refused' >&2; exit 3",
                                                                      from: from, to: to, timeout: .seconds(300))
        }
        #expect(error.code == .failed)
        #expect(error.status == 3)
        #expect(error.message == "health_check failed with exit status 3: port 8080 refused")
    }

    @Test("a hook past its time-out is stopped with its whole process group")
    func timeout() async throws {
        let directory = try TemporaryDirectory()
        // Neither the hook nor its child ends on its own within the test's time limit. The time-out leaves the
        // shell seconds to start its child and record it, even on a loaded machine.
        let error = try await #require(throws: HookError.self) {
            try await HookRunner(installDirectory: directory.path).run(.healthCheck, command: "sleep 3600 & echo $! > child.pid; sleep 3600",
                                                                      from: from, to: to, timeout: .seconds(3))
        }
        #expect(error.code == .timedOut)
        let childPID = try #require(Int32(directory.read("child.pid").trimmingCharacters(in: .whitespacesAndNewlines)))
        // The child was signalled with its group; wait until it is gone, or a zombie waiting for PID 1 to reap it.
        while let state = Self.processState(childPID), state != "Z" { try await Task.sleep(for: .milliseconds(20)) }
    }

    /// A process's state letter from `/proc` (`R`, `S`, `Z`, …), or `nil` when it is gone.
    static func processState(_ pid: Int32) -> String? {
        let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        return stat?.split(separator: ")").last?.split(separator: " ").first.map(String.init)
    }

    @Test("a configured hook runs under its own timeout key, not health_check_timeout")
    func ownTimeout() async throws {
        let directory = try TemporaryDirectory()
        var hooks = OTAConfiguration.Hooks()
        hooks.preUpdate = "sleep 3600"
        hooks.preUpdateTimeout = .seconds(1)
        hooks.healthCheckTimeout = .seconds(120)
        let error = try await #require(throws: HookError.self) {
            try await HookRunner(hooks: hooks, installDirectory: directory.path).run(.preUpdate, from: from, to: to)
        }
        #expect(error.code == .timedOut)
        #expect(error.message == "pre_update did not finish within 1 s and was stopped (raise pre_update_timeout if it needs longer)")
    }

    @Test("a hook that ignores SIGTERM is killed")
    func ignoresTerm() async throws {
        let directory = try TemporaryDirectory()
        // It never ends on its own, so only the runner can end it, however late a loaded machine looks.
        let error = try await #require(throws: HookError.self) {
            try await HookRunner(installDirectory: directory.path).run(.restart, command: "trap '' TERM; sleep 3600",
                                                                      from: from, to: to, timeout: .milliseconds(300))
        }
        #expect(error.code == .timedOut)
    }

    @Test("a hook in a missing directory cannot start")
    func missingDirectory() async throws {
        let error = try await #require(throws: HookError.self) {
            try await HookRunner(installDirectory: "/nonexistent/ota-test").run(.preUpdate, command: "true", from: from, to: to, timeout: .seconds(5))
        }
        #expect(error.code == .couldNotStart)
    }

    /// The variables a hook saw, from `env -0` written to `env.out`.
    func hookEnvironment(_ runner: HookRunner, hook: HookRunner.Hook, in directory: TemporaryDirectory) async throws -> [String: String] {
        try await runner.run(hook, command: "env -0 > env.out", from: from, to: to, timeout: .seconds(300))
        var seen: [String: String] = [:]
        for entry in try directory.read("env.out").split(separator: "\0") {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            seen[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return seen
    }

    @Test("no hook sees a secret: not the token variables, nor a variable the token was read from",
          arguments: [HookRunner.Hook.preUpdate, .postUpdate, .restart, .healthCheck])
    func secretsScrubbed(_ hook: HookRunner.Hook) async throws {
        let directory = try TemporaryDirectory()
        let token = "ghp_s3cretValue1234567890"
        let environment = ["MY_TOKEN": token, "OTHER": "plain", "PATH": "/usr/bin:/bin"]
        let config = try OTAConfiguration.parse(yaml: "github_repo: o/app\ngithub_token: ${MY_TOKEN}\ninstall_dir: \(directory.path)\n",
                                                environment: ConfigurationEnvironment(environment))
        let updater = try OTAUpdater(configuration: config)
        var runner = await updater.pipeline.hooks   // as the updater runs them
        await updater.shutdown()
        runner.baseEnvironment = environment.merging([
            "GITHUB_TOKEN": "ghp_other", "CREDENTIALS_DIRECTORY": "/run/credentials/ota.service", "OTA_SERVE_TOKEN": "mirror-secret",
            "AUTH_HEADER": "Bearer \(token)",
        ]) { $1 }
        let seen = try await hookEnvironment(runner, hook: hook, in: directory)
        for name in ["MY_TOKEN", "GITHUB_TOKEN", "CREDENTIALS_DIRECTORY", "OTA_SERVE_TOKEN", "AUTH_HEADER"] {
            #expect(seen[name] == nil, "\(hook.rawValue) saw \(name)")
        }
        #expect(!seen.values.contains { $0.contains(token) })
        #expect(seen["OTHER"] == "plain")
        #expect(seen["OTA_TO_VERSION"] == "1.1.0-rc.1" && seen["OTA_INSTALL_DIR"] == directory.path)
    }

    @Test("without a token only the fixed secret variables are removed")
    func fixedSecretVariables() async throws {
        let directory = try TemporaryDirectory()
        let runner = HookRunner(installDirectory: directory.path, baseEnvironment: ["GITHUB_TOKEN": "x", "CREDENTIALS_DIRECTORY": "/run/c", "HOME": "/root", "PATH": "/usr/bin:/bin"])
        let seen = try await hookEnvironment(runner, hook: .postUpdate, in: directory)
        #expect(seen["GITHUB_TOKEN"] == nil && seen["CREDENTIALS_DIRECTORY"] == nil)
        #expect(seen["HOME"] == "/root")
    }
}
