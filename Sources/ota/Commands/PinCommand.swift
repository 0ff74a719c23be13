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
            floor stand. The configuration key pinned_version, when set, wins: then change it there. \
            The version is checked against the release source first (a TUF refresh, or the release list): one that \
            is not a release published for this device is refused (exit 1) and the pin is unchanged. When the \
            source cannot be reached, or with --offline, the version is pinned unchecked, with a warning.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The version to hold the device at: a full semantic version (1.2.0).", valueName: "version"))
    var version: String

    @Flag(name: .long, help: "Pin without checking the version against the release source.")
    var offline = false

    func run() async throws {
        global.bootstrapLogging()
        let configuration = try global.loadConfiguration()
        let pinned: SemanticVersion
        do { pinned = try SemanticVersion(parsing: version) } catch {
            throw CommandFailure("'\(version)' is not a full semantic version (\(error.message)); pass MAJOR.MINOR.PATCH such as 1.2.0, without a leading v. The pin is unchanged")
        }
        try Self.refuseConfiguredPin(configuration)
        if offline {
            Terminal.writeStandardError("warning: \(pinned) is pinned without checking that it is a release published for this device (--offline)\n")
        } else {
            try await check(pinned, configuration)
        }
        try PinStore(directory: StateDirectory(installation: configuration.installation)).pin(pinned)
        print("pinned to \(pinned): this device installs \(pinned) and nothing else until 'ota unpin'")
    }

    /// Refuses `version` when the source says it is no release of this device; warns when the source cannot be reached.
    private func check(_ version: SemanticVersion, _ configuration: OTAConfiguration) async throws {
        let updater = try OTAUpdater(configuration: configuration, logger: global.logger("ota.pin"))
        do {
            _ = try await updater.pinnableRelease(version)
            await updater.shutdown()
        } catch let error as SelectionError {
            await updater.shutdown()
            throw CommandFailure("\(error.message); pin a release published for this device (see 'ota check'), or pass --offline to pin it anyway. The pin is unchanged")
        } catch let error as TransferError {
            await updater.shutdown()
            Terminal.writeStandardError("warning: cannot reach the release source to check \(version) (\(error.message)); pinning it unchecked\n")
        } catch {
            await updater.shutdown()
            let message = (error as? any OTAError)?.message ?? "\(error)"
            throw CommandFailure("cannot check \(version) against the release source: \(message). The pin is unchanged; pass --offline to pin it without checking")
        }
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
