import ArgumentParser
import Foundation
import OTA

/// `ota pin V`: hold the device at one version.
struct PinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pin",
        abstract: "Hold the device at one version: it installs that version (even an older one) and nothing else.",
        discussion: """
            The pin is kept in state_dir/pinned-version until 'ota unpin'; the next 'ota update' (or the agent) installs \
            the version if it is not installed yet, wherever the release's rollout, channel, a halt, a yank or the version \
            floor stand. The configuration key pinned_version, when set, wins: then change it there.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The version to hold the device at: a full semantic version (1.2.0).", valueName: "version"))
    var version: String

    func run() async throws {
        global.bootstrapLogging()
        let configuration = try global.loadConfiguration()
        let pinned: SemanticVersion
        do { pinned = try SemanticVersion(parsing: version) } catch {
            throw CommandFailure("'\(version)' is not a full semantic version (\(error.message)); pass MAJOR.MINOR.PATCH such as 1.2.0, without a leading v. The pin is unchanged")
        }
        try Self.refuseConfiguredPin(configuration)
        try PinStore(directory: StateDirectory(installation: configuration.installation)).pin(pinned)
        print("pinned to \(pinned): this device installs \(pinned) and nothing else until 'ota unpin'")
    }

    /// Refuses to change the pin while the configuration's `pinned_version` (which wins) is set.
    static func refuseConfiguredPin(_ configuration: OTAConfiguration) throws {
        guard let configured = configuration.source.pinnedVersion else { return }
        let file = configuration.sourceFile.map { " in \($0)" } ?? ""
        throw CommandFailure("pinned_version is set to \(configured)\(file), which wins over 'ota pin' and 'ota unpin'; change or remove it there. The pin is unchanged")
    }
}

/// `ota unpin`: follow new releases again.
struct UnpinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unpin",
        abstract: "Remove the pin of 'ota pin': the device follows new releases again."
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        global.bootstrapLogging()
        let configuration = try global.loadConfiguration()
        try PinCommand.refuseConfiguredPin(configuration)
        let directory = StateDirectory(installation: configuration.installation)
        try directory.checkTrust()
        let previous = try PinStore(directory: directory).unpin()
        print(previous.map { "unpinned (was \($0)): this device follows new releases again" } ?? "nothing was pinned")
    }
}
