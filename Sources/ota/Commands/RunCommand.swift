import ArgumentParser
import Logging
import OTA
import ServiceLifecycle

/// `ota run [--once]`: the background agent (the systemd service's command).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the agent: check every check_interval (± jitter), update if auto_update.",
        discussion: "SIGTERM and SIGINT stop it cleanly (never in the middle of a swap); exit 0 on a clean stop. With --once: one check (and update), exit 0 if it succeeded, 1 if it failed."
    )

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Run one check (and update, with auto_update), then exit.")
    var once = false

    func run() async throws {
        global.bootstrapLogging()
        let configuration = try global.loadConfiguration()
        let updater = try await global.makeUpdater(configuration, label: "ota.agent")
        let logger = global.logger("ota.agent")
        if once {
            let result = await UpdateService(updater: updater, logger: logger).cycle()
            await updater.shutdown()
            if case .failed = result { throw ExitCode.failure }
            if case .rateLimited = result { throw ExitCode.failure }
            return
        }
        let service = UpdateService(updater: updater, logger: logger, notifier: SystemdNotifier.fromEnvironment())
        let group = ServiceGroup(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        do {
            try await group.run()
        } catch {
            await updater.shutdown()
            throw error
        }
        await updater.shutdown()
    }
}
