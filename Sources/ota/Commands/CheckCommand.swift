import ArgumentParser
import Foundation
import OTA

/// `ota check`: is there a newer eligible release? Exit 0 up to date, 100 update available, 1 error.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Ask the release source for the newest eligible release.",
        discussion: "Exit status: 0 up to date, 100 update available, 1 error."
    )

    /// The exit status for "an update is available".
    static let updateAvailable: Int32 = 100

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Print one JSON object instead of text.")
    var json = false

    func run() async throws {
        global.bootstrapLogging()
        let configuration = try global.loadConfiguration()
        let updater = try await global.makeUpdater(configuration, label: "ota.check")
        let outcome: UpdateCheck
        do {
            outcome = try await updater.check()
        } catch {
            await updater.shutdown()
            throw error
        }
        let report = CheckReport(status: await updater.status(), outcome: outcome, name: configuration.releasesName)
        await updater.shutdown()
        if json {
            print(try report.jsonString())
        } else {
            print(report.text)
        }
        if outcome.availableRelease != nil { throw ExitCode(Self.updateAvailable) }
    }
}
