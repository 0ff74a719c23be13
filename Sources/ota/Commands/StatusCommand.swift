import ArgumentParser
import Foundation
import OTA

/// `ota status`: versions, last check, last update, inhibits, backups and pending recovery; with the
/// running agent's state and progress when it answers on its status API. No network.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the installed version, the last check and update, backups and any pending recovery.",
        discussion: "When the agent (ota run) answers on status_socket, its live state and download progress are shown too; otherwise the status is read from the files."
    )

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Print one JSON object instead of text.")
    var json = false

    func run() async throws {
        global.bootstrapLogging()
        let configuration = try global.loadConfiguration()
        let updater = try await global.makeUpdater(configuration, label: "ota.status")
        let live = configuration.statusSocketPath.flatMap { try? StatusClient(path: $0, timeout: .seconds(1)).status() }
        let status = if let live { live } else { await updater.status() }
        await updater.shutdown()
        if json {
            print(try status.jsonString())
            return
        }
        var lines = ["\(configuration.releasesName) at \(configuration.installation.installDirectory)"]
        if let state = status.state {
            let message = status.message.map { " — " + PrintableText.escaped($0) } ?? ""
            lines.append("  agent:            \(Self.describe(state, progress: status.progress))\(message)")
        }
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
        if let pinned = status.pinnedVersion {
            lines.append("  pinned:           \(pinned) (installs nothing else; 'ota unpin' or pinned_version to change)")
        }
        lines.append("  auto update:      \(status.autoUpdate ? "on" : "off"), every \(status.checkInterval) s")
        for (index, inhibit) in status.inhibited.enumerated() {
            lines.append((index == 0 ? "  inhibited:        " : "                    ") + PrintableText.escaped(inhibit.summary))
        }
        if let pending = status.pendingRecovery {
            lines.append("  pending recovery: \(pending) — the next ota command rolls it back")
        }
        lines.append("  backups:          \(status.backups.isEmpty ? "none" : "\(status.backups.count)")")
        for backup in status.backups {
            lines.append("    \(backup.name)  \(backup.version)  \(Self.format(backup.createdAt))")
        }
        print(lines.joined(separator: "\n"))
    }

    /// `downloading 42% (12.3 of 29.1 MB)`, `idle`, …
    static func describe(_ state: AgentState, progress: UpdateEvent.Progress?) -> String {
        guard let progress else { return state.rawValue.replacingOccurrences(of: "_", with: " ") }
        let received = String(format: "%.1f", Double(progress.bytes) / 1e6)
        guard let total = progress.total, total > 0 else { return "\(state.rawValue) (\(received) MB)" }
        return "\(state.rawValue) \(progress.bytes * 100 / total)% (\(received) of \(String(format: "%.1f", Double(total) / 1e6)) MB)"
    }

    static func format(_ date: Date) -> String {
        UTCTime.dateTime(date) + " UTC"
    }
}
