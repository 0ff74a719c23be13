import Foundation
import Testing
@testable import OTA

@Suite("Hooks", .timeLimit(.minutes(1)))
struct HookRunnerTests {
    let from = SemanticVersion(1, 0, 0), to = try! SemanticVersion(parsing: "1.1.0-rc.1")

    @Test("a hook runs with sh -c in install_dir with the OTA_* variables")
    func environment() async throws {
        let directory = try TemporaryDirectory()
        let runner = HookRunner(installDirectory: directory.path)
        try await runner.run(.postUpdate, command: #"printf '%s %s %s %s' "$OTA_FROM_VERSION" "$OTA_TO_VERSION" "$OTA_INSTALL_DIR" "$(pwd)" > hook.out"#,
                             from: from, to: to, timeout: .seconds(10))
        #expect(try directory.read("hook.out") == "1.0.0 1.1.0-rc.1 \(directory.path) \(directory.path)")
    }

    @Test("a non-zero exit is an error with the status and the last output line")
    func failure() async throws {
        let directory = try TemporaryDirectory()
        let error = try await #require(throws: HookError.self) {
            try await HookRunner(installDirectory: directory.path).run(.healthCheck, command: "echo starting; echo 'port 8080 refused' >&2; exit 3",
                                                                      from: from, to: to, timeout: .seconds(10))
        }
        #expect(error.code == .failed)
        #expect(error.status == 3)
        #expect(error.message == "health_check failed with exit status 3: port 8080 refused")
    }

    @Test("a hook past its time-out is stopped with its whole process group")
    func timeout() async throws {
        let directory = try TemporaryDirectory()
        // Neither the hook nor its child ends on its own within the test's time limit.
        let error = try await #require(throws: HookError.self) {
            try await HookRunner(installDirectory: directory.path).run(.healthCheck, command: "sleep 3600 & echo $! > child.pid; sleep 3600",
                                                                      from: from, to: to, timeout: .milliseconds(500))
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

    @Test("a hook that ignores SIGTERM is killed")
    func ignoresTerm() async throws {
        let directory = try TemporaryDirectory()
        let error = try await #require(throws: HookError.self) {
            try await HookRunner(installDirectory: directory.path).run(.restart, command: "trap '' TERM; sleep 30",
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
}
