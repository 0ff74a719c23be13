import ArgumentParser
import Foundation
import OTA

/// `ota status`: versions, last check, last update, backups and pending recovery. No network.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the installed version, the last check and update, backups and any pending recovery."
    )

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Print one JSON object instead of text.")
    var json = false

    func run() async throws {
        global.bootstrapLogging()
        let configuration = try global.loadConfiguration()
        let updater = try await global.makeUpdater(configuration, label: "ota.status")
        let status = await updater.status()
        await updater.shutdown()
        if json {
            print(try status.jsonString())
            return
        }
        var lines = ["\(configuration.releasesName) at \(configuration.installDirectory)"]
        lines.append("  current version:  \(status.currentVersion)")
        lines.append("  latest version:   \(status.latestVersion ?? "unknown (no check yet)")\(status.updateAvailable ? "  (update available)" : "")")
        lines.append("  last check:       \(status.lastCheck.map(Self.format) ?? "never")\(status.lastCheckError.map { " — failed: \(PrintableText.escaped($0))" } ?? "")")
        if let update = status.lastUpdate {
            let finished = update.finishedAt.map(Self.format) ?? "unfinished"
            lines.append("  last update:      \(update.fromVersion) → \(update.toVersion) \(update.result.rawValue) at \(finished)\(update.error.map { " — \(PrintableText.escaped($0))" } ?? "")")
        } else {
            lines.append("  last update:      none")
        }
        lines.append("  verification:     \(status.verification.rawValue) (source \(status.source)\(status.channel.map { ", channel \($0)" } ?? ""))")
        lines.append("  auto update:      \(status.autoUpdate ? "on" : "off"), every \(status.checkInterval) s")
        if let pending = status.pendingRecovery {
            lines.append("  pending recovery: \(pending) — the next ota command rolls it back")
        }
        lines.append("  backups:          \(status.backups.isEmpty ? "none" : "\(status.backups.count)")")
        for backup in status.backups {
            lines.append("    \(backup.name)  \(backup.version)  \(Self.format(backup.createdAt))")
        }
        print(lines.joined(separator: "\n"))
    }

    static func format(_ date: Date) -> String {
        UTCTime.dateTime(date) + " UTC"
    }
}
