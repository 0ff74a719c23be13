import CoreMetrics
import Foundation
import Prometheus
import Synchronization

/// The agent's metrics in the Prometheus text format: what the status API's `GET /metrics` serves and
/// `metrics_textfile` holds.
///
/// The counters (`ota_update_attempts_total`, `ota_rollbacks_total`, `ota_download_bytes_total`) are
/// counted through swift-metrics by the updater's ``UpdateActivity`` made with ``factory``; the gauges
/// (`ota_info`, `ota_state`, `ota_inhibited`, the timestamps) are read from the updater each time the
/// text is made.
///
/// ```swift
/// let metrics = AgentMetrics()
/// let updater = try OTAUpdater(configuration: config, activity: UpdateActivity(metrics: metrics.factory))
/// print(await metrics.text(for: updater))
/// ```
public final class AgentMetrics: Sendable {
    /// Where every series is kept.
    public let registry: PrometheusCollectorRegistry
    let prometheus: PrometheusMetricsFactory
    /// The gauges that exist only while there is a value, by series name (and role).
    private let optional = Mutex<[String: OptionalGauge]>([:])
    private let expiries = TUFExpiryReader()

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        prometheus = PrometheusMetricsFactory(registry: registry)
    }

    /// The swift-metrics factory whose counters and gauges land in ``registry``.
    public var factory: any MetricsFactory { prometheus }

    /// Brings the gauges up to date with `updater`, then returns every series as Prometheus text.
    public func text(for updater: OTAUpdater) async -> String {
        let status = await updater.status()
        let configuration = updater.configuration
        let activity = updater.activity
        let directory = StateDirectory(installation: configuration.installation)
        set("ota_info", labels: [("version", status.currentVersion), ("channel", configuration.source.channel),
                                 ("source", configuration.source.kind.rawValue)], to: 1)
        let state = activity.current.state
        for each in AgentState.allCases {
            CoreMetrics.Gauge(label: "ota_state", dimensions: [("state", each.rawValue)], factory: prometheus).record(each == state ? 1 : 0)
        }
        let lockHeld = ((try? InhibitLock(directory: directory).holders()) ?? nil) != nil
        CoreMetrics.Gauge(label: "ota_inhibited", factory: prometheus).record(!status.inhibited.isEmpty || lockHeld ? 1 : 0)
        set("ota_last_check_timestamp_seconds", to: status.lastCheck?.timeIntervalSince1970)
        let lastSuccess = activity.lastSuccess ?? (status.lastCheckError == nil ? status.lastCheck : nil)
        set("ota_last_success_timestamp_seconds", to: lastSuccess?.timeIntervalSince1970)
        let expires = configuration.source.kind == .tuf ? expiries.expiries(in: TUFMetadataStore(stateDirectory: directory)) : [:]
        for role in TUFExpiryReader.roles {
            set("ota_metadata_expires_timestamp_seconds", labels: [("role", role)], slot: role, to: expires[role]?.timeIntervalSince1970)
        }
        return registry.emitToString()
    }

    /// A gauge that is there only with a value, and whose labels may change (`ota_info`'s version).
    private struct OptionalGauge {
        var labels: [String]
        var gauge: CoreMetrics.Gauge
    }

    /// Sets the series `name` (in `slot`) to `value` with `labels`; removes it when `value` is `nil`.
    private func set(_ name: String, labels: [(String, String)] = [], slot: String = "", to value: Double?) {
        let key = name + "/" + slot
        let flat = labels.flatMap { [$0.0, $0.1] }
        optional.withLock { gauges in
            if let existing = gauges[key], value == nil || existing.labels != flat {
                existing.gauge.destroy()
                gauges[key] = nil
            }
            guard let value else { return }
            let entry = gauges[key] ?? OptionalGauge(labels: flat, gauge: CoreMetrics.Gauge(label: name, dimensions: labels, factory: prometheus))
            entry.gauge.record(value)
            gauges[key] = entry
        }
    }
}
