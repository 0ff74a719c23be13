import ArgumentParser
import Foundation
import Logging
import NIOCore
import OTA
import ServiceLifecycle

/// `ota run [--once]`: the background agent (the systemd service's command).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the agent: check every check_interval (± jitter), update if auto_update.",
        discussion: "SIGTERM and SIGINT stop it cleanly (never in the middle of a swap); exit 0 on a clean stop. With --once: one check (and update), exit 0 if it succeeded, 1 if it failed. While it runs (not with --once) it serves its status API on status_socket; with metrics_textfile it rewrites that file after every check."
    )

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Run one check (and update, with auto_update), then exit.")
    var once = false

    func run() async throws {
        // The agent makes one transfer at a time and serves a local socket: one event loop thread is enough
        // (NIO's default is one per core, each idle thread a stack kept resident). Set before NIO's first use;
        // $NIO_SINGLETON_GROUP_LOOP_COUNT still decides when set.
        if ProcessInfo.processInfo.environment["NIO_SINGLETON_GROUP_LOOP_COUNT"] == nil {
            NIOSingletons.groupLoopCountSuggestion = 1
        }
        global.bootstrapLogging()
        let configuration = try global.loadConfiguration()
        // A one-shot run continues the counters of the metrics_textfile it replaces; the agent counts from its start.
        let metrics = once ? configuration.metricsTextfilePath.map { AgentMetrics.continuing(fromFileAt: $0, logger: global.logger("ota.agent")) } ?? AgentMetrics()
            : AgentMetrics()
        let updater = try await global.makeUpdater(configuration, label: "ota.agent", activity: UpdateActivity(metrics: metrics.factory))
        let logger = global.logger("ota.agent")
        let textfile = configuration.metricsTextfilePath.map { MetricsTextFile(path: $0, metrics: metrics, updater: updater, logger: logger) }
        if once {
            let result = await UpdateService(updater: updater, logger: logger).cycle()
            await textfile?.write()
            await updater.shutdown()
            if case .failed = result { throw ExitCode.failure }
            if case .rateLimited = result { throw ExitCode.failure }
            return
        }
        let service = UpdateService(updater: updater, logger: logger, notifier: SystemdNotifier.fromEnvironment())
        var services = [ServiceGroupConfiguration.ServiceConfiguration(service: service)]
        // The status API and the metrics file serve the agent; their end never ends it.
        if let path = configuration.statusSocketPath {
            do {
                let server = try await StatusServer.bind(path: path, updater: updater, requests: service.requests, metrics: metrics,
                                                         logger: global.logger("ota.status-api"))
                services.append(.init(service: server, successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore))
            } catch {
                logger.warning("running without the status API", metadata: ["ota.error": "\(error.message)"])
            }
        }
        if let textfile {
            services.append(.init(service: textfile, successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore))
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint],
                                                                          logger: logger))
        do {
            try await group.run()
        } catch {
            await updater.shutdown()
            throw error
        }
        await updater.shutdown()
    }
}
