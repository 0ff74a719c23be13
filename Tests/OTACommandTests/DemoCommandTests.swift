import Foundation
import OTATestSupport
import Testing

@Suite("ota demo", .timeLimit(.minutes(2)))
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

    @Test("the demo refuses a folder that is not empty")
    func nonEmpty() async throws {
        let directory = try TemporaryDirectory("ota-demo-test")
        try directory.write("x", "keep me")
        let result = try await CommandRunner.run(["demo", "--directory", directory.path])
        #expect(result.status == 64)
        #expect(try directory.read("x") == "keep me")
    }
}
