import ArgumentParser
import OTA

/// The `ota` command: the agent and command-line tool of swift-ota.
@main
struct OTACommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ota",
        abstract: "Over-the-air updates from GitHub Releases: check, download, verify, back up, apply, roll back.",
        version: OTAInfo.version,
        subcommands: [CheckCommand.self, UpdateCommand.self, StatusCommand.self, RollbackCommand.self, BackupsCommand.self, RunCommand.self, InhibitCommand.self, PinCommand.self, UnpinCommand.self, ServeCommand.self, PublishCommand.self, KeygenCommand.self, SignCommand.self, TUFClientCommand.self, DemoCommand.self, VersionCommand.self]
    )

    /// Runs the command and maps every error to an exit status in one place:
    /// swift-ota errors print `error: <sentence>` and exit 1; usage errors exit 64.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as any OTAError {
            Terminal.printError(error.message)
            Self.exit(withError: ExitCode.failure)
        } catch {
            Self.exit(withError: error)
        }
    }
}
