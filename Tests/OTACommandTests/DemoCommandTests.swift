import Foundation
import OTATestSupport
import Testing

@Suite("ota demo", .timeLimit(.minutes(10)))
struct DemoCommandTests {
    @Test("the demo runs offline through the whole cycle and ends rolled back to 0.1.0")
    func demo() async throws {
        let directory = try TemporaryDirectory("ota-demo-test")
        let root = directory.url("demo")
        let result = try await CommandRunner.run(["demo", "--directory", root, "--keep"])
        #expect(result.status == 0, "\(result.stderr)")
        for step in ["==> 1.", "==> 2.", "==> 3.", "==> 4.", "==> 5."] { #expect(result.stdout.contains(step)) }
        #expect(result.stdout.contains("update available: 0.1.0 → 0.2.0"))
        #expect(result.stdout.contains("ota update exits 1: 0.2.0 was downloaded but not installed: inhibited by 'kiosk in use'"))
        #expect(result.stdout.contains("/v1/status  →  state idle: waiting to install 0.2.0: inhibited by 'kiosk in use'"), "\(result.stdout)")
        #expect(result.stdout.contains("its events (what GET /v1/events streams): idle → checking → downloading → verifying → idle → installing → health_check → idle"))
        #expect(result.stdout.contains("GET /v1/status now: state idle, current version 0.2.0"))
        #expect(result.stdout.contains("updated 0.1.0 → 0.2.0"))
        #expect(result.stdout.contains("rolled back by itself: current 0.2.0, last update 0.2.0 → 0.2.1 rolled_back"))
        #expect(result.stdout.contains("rolled back to 0.1.0"))
        #expect(try String(contentsOfFile: root + "/monitoring/VERSION", encoding: .utf8) == "0.1.0\n")
        #expect(try String(contentsOfFile: root + "/monitoring/src/monitor.sh", encoding: .utf8).contains("0.1.0"))
        let state = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root + "/monitoring/.ota/state.json"))) as! [String: Any]
        #expect((state["last_update"] as? [String: Any])?["to_version"] as? String == "0.1.0")
    }

    @Test("the demo with --tuf runs offline: publish, check, update, status, halt, resume, yank, a replayed timestamp refused")
    func demoTUF() async throws {
        let directory = try TemporaryDirectory("ota-demo-test")
        let root = directory.url("demo")
        let result = try await CommandRunner.run(["demo", "--tuf", "--directory", root, "--keep"])
        #expect(result.status == 0, "\(result.stderr)")
        for step in 1...8 { #expect(result.stdout.contains("==> \(step)."), "step \(step)") }
        #expect(result.stdout.contains("ota publish init --repo \(root)/repo --product monitor --keys \(root)/keys"))
        #expect(result.stdout.contains("update available: 0.1.0 → 0.2.0"), "\(result.stdout)")
        #expect(result.stdout.contains("updated 0.1.0 → 0.2.0"))
        #expect(result.stdout.contains("current 0.2.0, latest 0.2.0, verification tuf, source tuf, channel stable"), "\(result.stdout)")
        #expect(result.stdout.contains("ota check: up to date at 0.2.0 — 0.3.0 is signed but halted"), "\(result.stdout)")
        #expect(result.stdout.contains("updated 0.2.0 → 0.3.0"))
        #expect(result.stdout.contains("ota check: 0.3.0 is no longer offered") || result.stdout.contains("moves to 0.2.0"), "\(result.stdout)")
        #expect(result.stdout.contains("ota check exits 1: The TUF metadata timestamp.json gives timestamp version"), "\(result.stdout)")
        #expect(result.stdout.contains("the mirror serves the current files again:\n    ota check: "), "\(result.stdout)")
        #expect(!result.stdout.contains("unexpected"))
        // The repository the demo made passes the client workflow, as `ota publish verify` runs it.
        let verify = try await CommandRunner.run(["publish", "verify", "--repo", root + "/repo"])
        #expect(verify.status == 0, "\(verify.stderr)")
    }

    @Test("the demo refuses a folder that is not empty")
    func nonEmpty() async throws {
        let directory = try TemporaryDirectory("ota-demo-test")
        try directory.write("x", "keep me")
        let result = try await CommandRunner.run(["demo", "--directory", directory.path])
        #expect(result.status == 64)
        #expect(try directory.read("x") == "keep me")
    }
}
