import ArgumentParser
import OTA

/// `ota rollback [BACKUP]`: restore a backup (default: the newest).
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Restore a backup (default: the newest), verified first, then run restart_command."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The backup's name, as `ota backups` lists it.")
    var backup: String?

    func run() async throws {
        global.bootstrapLogging()
        let configuration = try global.loadConfiguration()
        // rollback(to:) recovers under its own lock, before anything else.
        let updater = try await global.makeUpdater(configuration, label: "ota.rollback", recovering: false)
        do {
            var chosen: Backup?
            if let backup { chosen = try await updater.backup(named: backup) }
            let version = try await updater.rollback(to: chosen)
            await updater.shutdown()
            print("rolled back to \(version)")
        } catch {
            await updater.shutdown()
            throw error
        }
    }
}
