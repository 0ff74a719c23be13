import Foundation
import OTATestSupport
import Testing

/// `ota pin` and `ota unpin` with the GitHub source (an `ota serve` mirror), and with `source: tuf`.
@Suite("ota pin and unpin", .serialized, .timeLimit(.minutes(10)))
struct PinCommandTests {
    static func json(_ output: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
    }

    @Test("pin holds the device at a version (installed even when older), status and check show pinned_version, unpin follows releases again")
    func pinAndUnpin() async throws {
        let world = try MirrorWorld()
        try world.publish("v1.1.0", app: "echo 1.1.0\n")
        try world.publish("v1.2.0", app: "echo 1.2.0\n")
        try await world.withMirror { api in
            try world.writeConfig(api: api)
            let install = world.installDirectory
            func run(_ arguments: [String]) async throws -> CommandRunner.Result { try await CommandRunner.run(arguments, in: install) }
            func pinned() async throws -> Any? { try Self.json(try await run(["status", "--json"]).stdout)["pinned_version"] }

            #expect(try await pinned() is NSNull)
            #expect(try await run(["update"]).status == 0)
            #expect(try world.directory.read("install/VERSION") == "1.2.0\n")

            for bad in ["1.2", "v1.1.0", "1.1.0.0", "latest"] {
                let refused = try await run(["pin", bad])
                #expect(refused.status == 1, "\(bad)")
                #expect(refused.stderr.contains("error: '\(bad)' is not a full semantic version"), "\(refused.stderr)")
                #expect(try await pinned() is NSNull, "a refused pin leaves the device unpinned")
            }
            let pin = try await run(["pin", "1.1.0"])
            #expect(pin.status == 0 && pin.stdout.contains("pinned to 1.1.0"), "\(pin.stderr)")
            #expect(try await run(["pin", "1.2"]).status == 1)
            #expect(try await pinned() as? String == "1.1.0", "a refused pin leaves the pin as it was")
            let installedButPinnedAway = try await run(["update", "--version", "1.2.0"])
            #expect(installedButPinnedAway.status == 1 && installedButPinnedAway.stderr.contains("this device is pinned to 1.1.0"),
                    "the installed version is not up to date while the pin names another: \(installedButPinnedAway.stdout)\(installedButPinnedAway.stderr)")

            let check = try await run(["check", "--json"])
            #expect(check.status == 100, "\(check.stderr)")
            let object = try Self.json(check.stdout)
            #expect(object["pinned_version"] as? String == "1.1.0" && object["latest_version"] as? String == "1.1.0")
            #expect(object["update_available"] as? Bool == true)
            let update = try await run(["update"])
            #expect(update.status == 0, "\(update.stderr)")
            #expect(try world.directory.read("install/VERSION") == "1.1.0\n", "the pinned version is installed although older")
            let upToDate = try await run(["check"])
            #expect(upToDate.status == 0 && upToDate.stdout.contains("pinned:       1.1.0"), "\(upToDate.stdout)\(upToDate.stderr)")
            #expect(try Self.json(try await run(["check", "--json"]).stdout)["update_available"] as? Bool == false)
            let again = try await run(["update", "--version", "1.1.0"])
            #expect(again.status == 0 && again.stdout.contains("up to date at 1.1.0"), "\(again.stdout)\(again.stderr)")
            let other = try await run(["update", "--version", "1.2.0"])
            #expect(other.status == 1 && other.stderr.contains("this device is pinned to 1.1.0 (pinned_version), so 1.2.0 is not installed"), "\(other.stderr)")

            let unpublished = try await run(["pin", "9.9.9"])
            #expect(unpublished.status == 1)
            #expect(unpublished.stderr.contains("error: 9.9.9 is not a release published for this device (newest: 1.2.0, 1.1.0); pin a release published for this device (see 'ota check'), or pass --offline to pin it anyway. The pin is unchanged"),
                    "ota pin checks the version against the source: \(unpublished.stderr)")
            #expect(try await pinned() as? String == "1.1.0")
            let offline = try await run(["pin", "--offline", "9.9.9"])
            #expect(offline.status == 0 && offline.stderr.contains("warning: 9.9.9 is pinned without checking that it is a release published for this device (--offline)"),
                    "\(offline.stderr)")
            let missing = try await run(["check"])
            #expect(missing.status == 1)
            #expect(missing.stderr.contains("error: pinned_version 9.9.9 is not a release published for this device"), "\(missing.stderr)")
            #expect(try await run(["update"]).status == 1)
            #expect(try world.directory.read("install/VERSION") == "1.1.0\n")

            let unpin = try await run(["unpin"])
            #expect(unpin.status == 0 && unpin.stdout.contains("unpinned (was 9.9.9)"), "\(unpin.stderr)")
            #expect(try await pinned() is NSNull)
            #expect(try await run(["unpin"]).stdout.contains("nothing was pinned"))
            #expect(try await run(["update"]).status == 0)
            #expect(try world.directory.read("install/VERSION") == "1.2.0\n")
        }
    }

    @Test("a release without a file for this device: ota pin refuses it, and pinned with --offline it is an error naming pinned_version")
    func pinWithoutAsset() async throws {
        let world = try MirrorWorld()
        try world.publish("v1.1.0", app: "echo 1.1.0\n")
        try world.directory.write("mirror/octo/app/v1.3.0/app-1.3.0-riscv64.zip", "not for this device")
        try await world.withMirror { api in
            try world.writeConfig(api: api)
            let refused = try await CommandRunner.run(["pin", "1.3.0"], in: world.installDirectory)
            #expect(refused.status == 1 && refused.stderr.contains("error: 1.3.0: ") && refused.stderr.contains("The pin is unchanged"), "\(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: world.installDirectory + "/.ota/pinned-version"))
            #expect(try await CommandRunner.run(["pin", "--offline", "1.3.0"], in: world.installDirectory).status == 0)
            let check = try await CommandRunner.run(["check"], in: world.installDirectory)
            #expect(check.status == 1)
            #expect(check.stderr.contains("error: pinned_version 1.3.0: "), "\(check.stderr)")
        }
    }

    @Test("a source that cannot be reached: ota pin pins the version unchecked, with a warning")
    func pinUnreachable() async throws {
        let world = try MirrorWorld()
        let port = try UnservedPort.refusing()
        try world.writeConfig(api: "http://127.0.0.1:\(port.port)", extra: "max_retries: 0")
        let pin = try await CommandRunner.run(["pin", "1.1.0"], in: world.installDirectory)
        #expect(pin.status == 0 && pin.stdout.contains("pinned to 1.1.0"), "\(pin.stderr)")
        #expect(pin.stderr.contains("warning: cannot reach the release source to check 1.1.0 ("), "\(pin.stderr)")
        #expect(pin.stderr.contains("); pinning it unchecked"), "\(pin.stderr)")
        #expect(try world.directory.read("install/.ota/pinned-version") == "1.1.0\n")
    }

    @Test("source: tuf: ota pin refuses a version published for another platform only, naming it; the pin is unchanged")
    func pinOtherPlatform() async throws {
        let device = try PublishedDevice(extra: "platform: linux-aarch64")
        try device.publish("1.1.0")
        let riscv = try device.work.write("build/monitor-1.4.0-linux-riscv64.tar.gz", try TUFCatalogRepository.tarball(prefix: "monitor-1.4.0", files: ["src/app.sh": "echo 1.4.0\n"]))
        try device.publisher.add(version: "1.4.0", platform: "linux-riscv64", archives: [riscv])
        func run(_ arguments: [String]) async throws -> CommandRunner.Result {
            try await CommandRunner.run(arguments + ["--config", device.configPath], in: device.work.url("install"))
        }
        let refused = try await run(["pin", "1.4.0"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("error: 1.4.0 is published for linux-riscv64 only; this device is linux-aarch64 (platform); pin a release published for this device"),
                "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: device.work.url("state/pinned-version")))
        let pinned = try await run(["pin", "1.1.0"])
        #expect(pinned.status == 0, "\(pinned.stderr)")
        #expect(try await run(["pin", "--offline", "1.4.0"]).status == 0)
        let check = try await run(["check"])
        #expect(check.status == 1)
        #expect(check.stderr.contains("error: pinned_version 1.4.0 is published for linux-riscv64 only; this device is linux-aarch64 (platform); pin a published version with `ota pin VERSION`"),
                "\(check.stderr)")
    }

    @Test("pinned_version in the configuration wins: ota pin and unpin refuse and change nothing; bad pinned_version or device_id names the key")
    func configuredPin() async throws {
        let world = try MirrorWorld()
        try world.writeConfig(api: "http://127.0.0.1:9", extra: "pinned_version: 1.1.0")
        let install = world.installDirectory
        let pin = try await CommandRunner.run(["pin", "1.2.0"], in: install)
        #expect(pin.status == 1)
        #expect(pin.stderr.contains("error: pinned_version is set to 1.1.0 in "), "\(pin.stderr)")
        #expect(try await CommandRunner.run(["unpin"], in: install).status == 1)
        #expect(!FileManager.default.fileExists(atPath: install + "/.ota/pinned-version"))
        let status = try await CommandRunner.run(["status", "--json"], in: install)
        #expect(try Self.json(status.stdout)["pinned_version"] as? String == "1.1.0", "\(status.stderr)")

        for (extra, message) in [("pinned_version: 1.2", "pinned_version must be a full semantic version such as 1.2.0 (no leading v), got '1.2'"),
                                 ("pinned_version: v1.2.0", "pinned_version must be a full semantic version"),
                                 ("device_id: \" \"", "device_id must not be empty")] {
            try world.writeConfig(api: "http://127.0.0.1:9", extra: extra)
            let result = try await CommandRunner.run(["status"], in: install)
            #expect(result.status == 1)
            #expect(result.stderr.contains(message), "\(extra): \(result.stderr)")
        }
    }
}
