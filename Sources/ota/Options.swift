import ArgumentParser
import Logging
import OTA

/// Options every command takes: `--config`, `--verbose`, `--quiet`.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Configuration file (default: $OTA_CONFIG, else config/ota_config.yaml).", valueName: "path"))
    var config: String?

    @Flag(name: .long, help: "Log debug details.")
    var verbose = false

    @Flag(name: .long, help: "Log only warnings and errors.")
    var quiet = false

    func validate() throws {
        if verbose && quiet { throw ValidationError("--verbose and --quiet cannot be used together.") }
    }

    /// Sets up logging to stderr at the level these options ask for. Call once, first.
    func bootstrapLogging() {
        let level: Logger.Level = verbose ? .debug : (quiet ? .warning : .info)
        LoggingSystem.bootstrap { label in
            AgentLogHandler(label: label, logLevel: level)
        }
    }

    /// A logger for `label`, after ``bootstrapLogging()``.
    func logger(_ label: String) -> Logger {
        Logger(label: label)
    }

    /// An updater for `configuration`, after crash recovery of any interrupted update (skipped while another
    /// `ota` process holds the lock: it is updating right now).
    ///
    /// A command whose first library call takes the lock and recovers under it (``OTAUpdater/update(to:force:dryRun:whenHeld:progress:)``,
    /// ``OTAUpdater/rollback(to:)``) passes `recovering: false`, so that recovery runs once per command.
    func makeUpdater(_ configuration: OTAConfiguration, label: String, activity: UpdateActivity = UpdateActivity(),
                     recovering: Bool = true) async throws -> OTAUpdater {
        AgentLogHandler.fileLog.use(stateDirectory: StateDirectory(installation: configuration.installation))
        let updater = try OTAUpdater(configuration: configuration, logger: logger(label), activity: activity)
        guard recovering else { return updater }
        do {
            try await updater.recoverIfIdle()
        } catch {
            await updater.shutdown()
            throw error
        }
        return updater
    }

    /// Loads the configuration named by `--config`, `$OTA_CONFIG` or the default path.
    func loadConfiguration() throws -> OTAConfiguration {
        try OTAConfiguration.load(from: OTAConfiguration.resolvePath(explicitPath: config))
    }
}
