import ArgumentParser
import Foundation
import OTA

/// `ota update`: check, download, verify, back up, apply, restart, health-check — or roll back.
struct UpdateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Install the newest eligible release (or --version V), rolling back by itself on failure.",
        discussion: "Exit status: 0 updated or already up to date, 1 failed (the installation is left as it was)."
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("Install exactly this version (plain, e.g. 1.2.0).", valueName: "V"))
    var version: String?

    @Flag(name: .long, help: "Allow --version to be older than or equal to the installed version, and install even when an inhibit, the application lock or maintenance_window holds installs back.")
    var force = false

    @Flag(name: .customLong("dry-run"), help: "Show what would be installed; download and change nothing.")
    var dryRun = false

    func run() async throws {
        global.bootstrapLogging()
        let target = try version.map { text throws in try SemanticVersion(parsing: text) }
        let configuration = try global.loadConfiguration()
        // Timer mode: each run rewrites metrics_textfile, continuing the counters of the file it replaces.
        let metrics = dryRun ? nil : configuration.metricsTextfilePath.map { path in
            AgentMetrics.continuing(fromFileAt: path, logger: global.logger("ota.update"))
        }
        // update() recovers under its own lock, before anything else.
        let updater = try await global.makeUpdater(configuration, label: "ota.update",
                                                   activity: metrics.map { UpdateActivity(metrics: $0.factory) } ?? UpdateActivity(), recovering: false)
        let textfile = metrics.flatMap { metrics in
            configuration.metricsTextfilePath.map { MetricsTextFile(path: $0, metrics: metrics, updater: updater, logger: global.logger("ota.update")) }
        }
        let bar = ProgressBar(quiet: global.quiet)
        let outcome: UpdateOutcome
        do {
            outcome = try await updater.update(to: target, force: force, dryRun: dryRun, progress: bar.update)
            bar.finish()
            await textfile?.write()
            await updater.shutdown()
        } catch {
            bar.finish()
            await textfile?.write()
            await updater.shutdown()
            throw error
        }
        switch outcome {
        case .upToDate(let current):
            print("\(configuration.releasesName): up to date at \(current)")
        case .planned(let from, let release, let artifact):
            print("would install \(release.tag) (\(artifact.fileName)) over \(from); nothing was changed (--dry-run)")
        case .updated(let from, let to):
            print("updated \(configuration.releasesName) from \(from) to \(to)")
        }
    }
}
