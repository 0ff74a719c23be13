import Foundation
import Logging
import ServiceLifecycle

/// `metrics_textfile`: the agent's metrics for node_exporter's textfile collector, rewritten after every
/// check or update (each time the updater becomes idle again), atomically: written beside the file,
/// then renamed over it, so that a scrape never reads half a file.
///
/// ```swift
/// let textfile = MetricsTextFile(path: "/var/lib/node_exporter/textfile_collector/ota.prom",
///                                metrics: metrics, updater: updater)
/// let group = ServiceGroup(services: [service, textfile], gracefulShutdownSignals: [.sigterm], logger: logger)
/// ```
public struct MetricsTextFile: Service {
    /// The file's absolute path.
    public let path: String
    let metrics: AgentMetrics
    let updater: OTAUpdater
    let logger: Logger

    public init(path: String, metrics: AgentMetrics, updater: OTAUpdater, logger: Logger = Logger(label: "ota.metrics")) {
        self.path = path
        self.metrics = metrics
        self.updater = updater
        self.logger = logger
    }

    /// Writes the file now, then each time the updater becomes idle again, until a graceful shutdown.
    public func run() async {
        var previous: AgentState?
        for await event in updater.activity.events().cancelOnGracefulShutdown() {
            if event.state == .idle && previous != .idle { await write() }
            previous = event.state
        }
    }

    /// Replaces the file with the metrics now (mode 0644: node_exporter reads it as another user). A
    /// failure is logged as a warning: the agent carries on.
    public func write() async {
        let text = await metrics.text(for: updater)
        do {
            try AtomicFile.write(Array(text.utf8), to: path, mode: 0o644)
        } catch {
            logger.warning("cannot write metrics_textfile", metadata: ["ota.path": "\(path)", "ota.error": "\(error.message)"])
        }
    }
}
