import ArgumentParser
import Foundation
import OTA

/// `ota backups`: the backups a rollback can return to, newest first.
struct BackupsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "backups", abstract: "List backups, newest first.")

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Print a JSON array instead of text.")
    var json = false

    func run() async throws {
        global.bootstrapLogging()
        let configuration = try global.loadConfiguration()
        let updater = try await global.makeUpdater(configuration, label: "ota.backups")
        let status = await updater.status()
        await updater.shutdown()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .utcISO8601
            print(String(decoding: try encoder.encode(status.backups), as: UTF8.self))
        } else if status.backups.isEmpty {
            print("no backups in \(configuration.installation.backupDirectory)")
        } else {
            for backup in status.backups {
                print("\(backup.name)  \(backup.version)  \(StatusCommand.format(backup.createdAt))  \(backup.path)")
            }
        }
    }
}
