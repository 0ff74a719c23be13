import Foundation
import OTA
import OTATestSupport
import Testing

/// The real `ota check` with the system clock set back to 1970 by `faketime` (Debian `faketime`,
/// libfaketime): the time floor in `state_dir/tuf` decides what is expired, not the clock. Runs wherever
/// faketime is installed, and always with `OTA_REQUIRE_TOOLS=1` (``RequiredTools``), where a missing
/// faketime fails the test; skipped otherwise.
@Suite("ota check under faketime: a clock in 1970 and the TUF time floor", .timeLimit(.minutes(10)),
       .enabled(if: RequiredTools.run(ifInstalled: FakeTime.path != nil), Comment(rawValue: FakeTime.installHint)))
struct TUFClockCommandTests {
    @Test("after a refresh, a 1970 clock still refuses a timestamp that expired before the floor, naming it; fresh metadata is accepted, again and again")
    func clockIn1970() async throws {
        let device = try PublishedDevice()
        try device.publish("0.2.0")
        let first = try await CommandRunner.run(["check", "--config", device.configPath])
        #expect(first.status == 100, "\(first.stderr)")
        let floor = try device.work.read("state/tuf/time-floor").trimmingCharacters(in: .whitespacesAndNewlines)
        let stored = try device.storedMetadata()

        // The publisher's clock two days back: the timestamp it signs expired a day ago, before the floor.
        let twoDaysAgo = Date().addingTimeInterval(-2 * 86_400)
        _ = try TUFPublisher(repository: device.publisher.layout.path, keys: device.work.url("keys"), now: { twoDaysAgo }).refresh()
        let stale = try FakeTime.runOTA(["check", "--json", "--config", device.configPath])
        #expect(stale.status == 1, "\(stale.stdout)")
        #expect(stale.stderr.contains("The TUF metadata timestamp.json expired at "), "\(stale.stderr)")
        #expect(stale.stderr.contains("(this device's time is \(floor), its time floor: it has verified metadata at that time, although its clock says 1970-01-02T"),
                "\(stale.stderr)")
        #expect(try device.storedMetadata() == stored, "a refused refresh changes nothing stored")

        // A device without a floor (new state) whose clock says 1970 takes the same timestamp: the floor made the difference.
        let unfloored = try device.writeConfiguration("new.yaml", state: "new-state")
        let accepted = try FakeTime.runOTA(["check", "--json", "--config", unfloored])
        #expect(accepted.status == 100, "\(accepted.stderr)")
        #expect(try PublishedDevice.object(accepted.stdout)["last_check"] as? String ?? "" < "1970-01-03", "faketime sets the clock: \(accepted.stdout)")

        // Fresh metadata: the 1970 clock accepts it, on every check; the floor stays where it was.
        _ = try device.publisher.refresh()
        for _ in 0..<2 {
            let fresh = try FakeTime.runOTA(["check", "--json", "--config", device.configPath])
            #expect(fresh.status == 100, "\(fresh.stderr)")
            let report = try PublishedDevice.object(fresh.stdout)
            #expect(report["latest_version"] as? String == "0.2.0")
            #expect(report["last_check"] as? String ?? "" < "1970-01-03", "faketime sets the clock: \(fresh.stdout)")
        }
        #expect(try device.work.read("state/tuf/time-floor").trimmingCharacters(in: .whitespacesAndNewlines) == floor)
    }
}

/// `faketime` (libfaketime's wrapper), which runs a program with the clock it is given.
enum FakeTime {
    static let installHint = "faketime is not installed: apt-get install -y faketime (CI does this in .ci/run)"

    static var path: String? {
        ["/usr/bin/faketime", "/usr/local/bin/faketime"].first(where: FileManager.default.isExecutableFile(atPath:))
    }

    /// Runs `ota arguments…` with the clock starting at 1970-01-02 00:00:00 UTC. Monotonic clocks are
    /// left alone (timeouts keep working).
    static func runOTA(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let faketime = try #require(path, "\(installHint)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: faketime)
        process.arguments = ["1970-01-02 00:00:00", CommandRunner.executable] + arguments
        process.environment = ["PATH": "/usr/bin:/bin", "TZ": "UTC", "FAKETIME_DONT_FAKE_MONOTONIC": "1"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self))
    }
}
