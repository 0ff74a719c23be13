import Foundation
import Logging
import OTA
import OTAMirror

/// `ota demo --tuf`: the cycle with a signed TUF repository instead of a release mirror — the publisher's
/// side (`ota publish`) and the device's (`source: tuf`), offline.
extension DemoCommand {
    /// Makes the repository, serves it as static files (as `ota serve --tuf` does) and narrates.
    static func runTUF(_ world: DemoWorld) async throws {
        let repository = world.root + "/repo", keys = world.root + "/keys"
        let publisher = try TUFPublisher.initialize(repository: repository, keys: keys, product: "monitor")
        try publisher.add(version: "0.2.0", platform: "any", notes: "faster checks", archives: [world.archive("0.2.0")])
        // The device ships with the repository's first root: every later root must be signed by it (or its successors).
        let trustedRoot = world.root + "/device/root.json"
        try FileManager.default.createDirectory(atPath: world.root + "/device", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: publisher.layout.metadata("1.root.json"), toPath: trustedRoot)

        var serving = OTAMirror.Configuration(port: 0)
        serving.logger = Logger(label: "ota.demo.serve", factory: { _ in SwiftLogNoOpLogHandler() })
        let server = try OTAMirror(staticRoot: repository, configuration: serving)
        try await server.withRunning { url in
            try await narrateTUF(world, publisher: publisher, configuration: world.tufConfiguration(url: url, root: trustedRoot))
        }
    }

    static func narrateTUF(_ world: DemoWorld, publisher: TUFPublisher, configuration: OTAConfiguration) async throws {
        let updater = try OTAUpdater(configuration: configuration, logger: Logger(label: "ota.demo"))
        defer { Task { await updater.shutdown() } }
        let repository = publisher.layout.path, keys = publisher.keysPath ?? ""
        print("""
            swift-ota demo --tuf — an installation of "monitor" at 0.1.0 in \(world.installDirectory),
            a signed TUF repository in \(repository) (its Ed25519 keys in \(keys), outside it),
            served as plain static files at \(configuration.source.tufURL?.absoluteString ?? "") (as ota serve --tuf, nginx or an S3 bucket would).
            The device has source: tuf and trusts only the repository's first root (tuf_root \(configuration.source.tufRoot ?? "")).
            """)

        step(1, "The publisher makes the repository and publishes 0.2.0 (ota publish)")
        print("""
                ota publish init --repo \(repository) --product monitor --keys \(keys)
                ota publish add --repo \(repository) --version 0.2.0 --platform any --keys \(keys) \(world.root)/dist/monitor-0.2.0.tar.gz
            """)
        for (role, version, expires) in try publisher.expiries() {
            print("    \(role.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) version \(version), expires \(UTCTime.iso8601(expires))")
        }
        let firstTimestamp = try Data(contentsOf: URL(fileURLWithPath: publisher.layout.metadata("timestamp.json")))

        step(2, "The device checks (ota check): root → timestamp → snapshot → targets, each signed and fresh")
        if case .available(let current, let release) = try await updater.check() {
            print("    update available: \(current) → \(release.version), a target the targets role signs (length and SHA-256)")
        }

        step(3, "Update (ota update): download the target, check its signed length and hashes, back up, swap, health-check")
        let bar = ProgressBar(quiet: false)
        let outcome = try await updater.update(progress: bar.update)
        bar.finish()
        if case .updated(let from, let to) = outcome { print("    updated \(from) → \(to)") }
        print("    the installation now:\n\(world.tree())")

        step(4, "Status (ota status)")
        let status = await updater.status()
        print("    current \(status.currentVersion), latest \(status.latestVersion ?? "?"), verification \(status.verification.rawValue), source \(status.source), channel \(status.channel ?? "-")")
        let tuf = StateDirectory(installation: configuration.installation).tufPath
        let stored = (try? FileManager.default.contentsOfDirectory(atPath: tuf)) ?? []
        print("    trusted metadata in \(tuf): \(stored.filter { $0.hasSuffix(".json") }.sorted().joined(separator: ", "))")

        step(5, "The publisher adds 0.3.0 and halts its rollout at once (ota publish rollout 0.3.0 --halt)")
        try publisher.add(version: "0.3.0", platform: "any", notes: "new dashboard", archives: [world.archive("0.3.0")])
        try publisher.rollout(version: "0.3.0", .halt)
        try await showCheck(updater, note: "0.3.0 is signed but halted: no device is offered it")

        step(6, "The publisher resumes 0.3.0 (ota publish rollout 0.3.0 --resume); the device updates")
        try publisher.rollout(version: "0.3.0", .resume)
        if case .updated(let from, let to) = try await updater.update() { print("    updated \(from) → \(to)") }

        step(7, "The publisher yanks 0.3.0 (ota publish yank 0.3.0)")
        try publisher.yank(version: "0.3.0")
        try await showYank(updater)

        step(8, "A mirror replays the timestamp.json of step 1 (a freeze attack)")
        let current = try Data(contentsOf: URL(fileURLWithPath: publisher.layout.metadata("timestamp.json")))
        try firstTimestamp.write(to: URL(fileURLWithPath: publisher.layout.metadata("timestamp.json")))
        do {
            _ = try await updater.check()
            print("    unexpected: the replayed timestamp was accepted")
        } catch {
            print("    ota check exits 1: \((error as? any OTAError)?.message ?? "\(error)")")
        }
        try current.write(to: URL(fileURLWithPath: publisher.layout.metadata("timestamp.json")))
        print("    nothing stored was changed; the mirror serves the current files again:")
        try await showCheck(updater, note: "the newest release that is not yanked is 0.2.0")
        await updater.shutdown()
    }

    /// Checks and says what the device is offered; `note` explains an up-to-date answer.
    private static func showCheck(_ updater: OTAUpdater, note: String) async throws {
        switch try await updater.check() {
        case .upToDate(let current, _): print("    ota check: up to date at \(current) — \(note)")
        case .available(let current, let release): print("    ota check: update available \(current) → \(release.version)")
        }
    }

    /// What a device running a yanked release does: it moves to the newest release that is not yanked
    /// when one is offered, else it is not offered the yanked one again.
    private static func showYank(_ updater: OTAUpdater) async throws {
        switch try await updater.check() {
        case .upToDate(let current, _):
            print("    ota check: 0.3.0 is no longer offered; the device stays at \(current) until a release that is not yanked is published")
        case .available(_, let release):
            print("    ota check: the device runs a yanked release and moves to \(release.version)")
            if case .updated(let from, let to) = try await updater.update() { print("    updated \(from) → \(to)") }
        }
    }
}
