import ArgumentParser
import Foundation
import Logging
import OTA
import OTAMirror

/// `ota demo`: the whole update cycle offline, narrated.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a complete update cycle offline: check, update, status, a failing health check that rolls back, manual rollback.",
        discussion: """
            Creates a temporary installation at 0.1.0 and a local mirror with signed releases; removes both at the end unless --keep. \
            With --tuf, the releases come from a signed TUF repository made with ota publish and served as static files: \
            check, update, status, then the publisher halts, resumes and yanks a release and a mirror replays old metadata.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("Folder to build the demo in (default: a new temporary folder).", valueName: "path"))
    var directory: String?

    @Flag(name: .long, help: "Keep the demo folder at the end.")
    var keep = false

    @Flag(name: .long, help: "Use a signed TUF repository (ota publish, source: tuf) instead of a release mirror.")
    var tuf = false

    func run() async throws {
        LoggingSystem.bootstrap { label in AgentLogHandler(label: label, logLevel: global.verbose ? .info : .critical) }
        let root = directory ?? FileManager.default.temporaryDirectory.path + "/ota-demo-\(UUID().uuidString.prefix(8))"
        guard try !FileManager.default.fileExists(atPath: root) || FileManager.default.contentsOfDirectory(atPath: root).isEmpty else {
            throw ValidationError("\(root) is not empty; choose an empty or new folder for the demo")
        }
        let world = try DemoWorld(root: root)
        defer { if !keep { try? FileManager.default.removeItem(atPath: root) } }
        if tuf {
            try await Self.runTUF(world)
            print(keep ? "\nThe demo is in \(root)." : "\nDone. (Run with --keep to look at the files afterwards.)")
            return
        }
        try world.publish("0.2.0", notes: "- faster checks\n- fixes a crash on start")
        try world.publish("0.3.0-beta.1", notes: "- experimental dashboard", prerelease: true)

        var mirrorConfiguration = OTAMirror.Configuration(port: 0)
        mirrorConfiguration.logger = Logger(label: "ota.demo.mirror", factory: { _ in SwiftLogNoOpLogHandler() })
        let mirror = try OTAMirror(root: world.mirrorRoot, configuration: mirrorConfiguration)
        try await mirror.withRunning { api in
            try await Self.narrate(world, api: api)
        }
        print(keep ? "\nThe demo is in \(root)." : "\nDone. (Run with --keep to look at the files afterwards.)")
    }

    static func narrate(_ world: DemoWorld, api: String) async throws {
        let configuration = world.configuration(api: api)
        let logger = Logger(label: "ota.demo")
        let updater = try OTAUpdater(configuration: configuration, logger: logger)
        defer { Task { await updater.shutdown() } }
        print("""
            swift-ota demo — an installation of "monitor" at 0.1.0 in \(world.installDirectory),
            a local GitHub-compatible mirror at \(api) with releases 0.2.0 and 0.3.0-beta.1 (a pre-release),
            each signed with minisign; the agent requires that signature (public_key \(world.signer.publicKey.keyIDString)).

            The installation now:
            \(world.tree())
            """)

        step(1, "Check for updates (ota check)")
        if case .available(let current, let release) = try await updater.check() {
            print("    update available: \(current) → \(release.version) (\(release.name ?? release.tag)); 0.3.0-beta.1 is skipped: include_prereleases is off")
        }

        step(2, "Update (ota update): download, verify size + SHA-256 + signature, back up, swap, health-check")
        let inhibit = try await showInhibit(updater, configuration: configuration)
        let outcome = try await updateThroughAgent(updater, configuration: configuration, inhibit: inhibit)
        if case .updated(let from, let to) = outcome { print("    updated \(from) → \(to)") }
        print("    the installation now:\n\(world.tree())")

        step(3, "Status (ota status)")
        let status = await updater.status()
        print("    current \(status.currentVersion), latest \(status.latestVersion ?? "?"), last update \(status.lastUpdate?.result.rawValue ?? "none"), backups: \(status.backups.map(\.name).joined(separator: ", "))")

        step(4, "A broken release: 0.2.1 is published, but its health check fails")
        try world.publish("0.2.1", notes: "- new health endpoint", healthy: false)
        do {
            _ = try await updater.update()
            print("    unexpected: the broken release was kept")
        } catch {
            print("    update failed: \((error as? any OTAError)?.message ?? "\(error)")")
            let after = await updater.status()
            print("    rolled back by itself: current \(after.currentVersion), last update \(after.lastUpdate.map { "\($0.fromVersion) → \($0.toVersion) \($0.result.rawValue)" } ?? "none")")
        }
        print("    the installation now:\n\(world.tree())")

        step(5, "Manual rollback to the backup made before 0.2.0 (ota rollback)")
        let restored = try await updater.rollback()
        print("    rolled back to \(restored)")
        print("    the installation now:\n\(world.tree())")
        await updater.shutdown()
    }

    static func step(_ number: Int, _ title: String) {
        print("\n==> \(number). \(title)")
    }
}
