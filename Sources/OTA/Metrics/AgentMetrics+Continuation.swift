#if canImport(Glibc)
import Glibc
#endif
import CoreMetrics
import Logging

extension AgentMetrics {
    /// New metrics that continue the counters of the `metrics_textfile` at `path` (``continueCounters(fromFileAt:)``);
    /// a file that cannot be read is a warning, and the counters start at 0.
    public static func continuing(fromFileAt path: String, logger: Logger) -> AgentMetrics {
        let metrics = AgentMetrics()
        do {
            try metrics.continueCounters(fromFileAt: path)
        } catch {
            logger.warning("cannot read metrics_textfile; its counters start at 0", metadata: ["ota.path": "\(path)", "ota.error": "\(error.message)"])
        }
        return metrics
    }

    /// Adds the counters of an earlier run's Prometheus text to this one's, so that a one-shot run
    /// (`ota update` in timer mode, `ota run --once`) continues the counts of the `metrics_textfile` it
    /// replaces instead of starting every run at 0, which Prometheus' `increase()` would misread.
    ///
    /// Only the counter series this version writes are taken (`ota_update_attempts_total`,
    /// `ota_rollbacks_total`, `ota_download_bytes_total`, each with a label value it knows), with a whole,
    /// non-negative value; every other line is ignored, so a damaged file counts from 0 again.
    public func continueCounters(from text: String) {
        let known = Dictionary(uniqueKeysWithValues: UpdateActivity.Counters.series.map { series in
            ("\(series.name){\(series.label)=\"\(series.value)\"}", series)
        })
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 2, let series = known[String(fields[0])] else { continue }
            let value = Int64(fields[1]) ?? Double(fields[1]).flatMap { Int64(exactly: $0) }
            guard let value, value > 0 else { continue }
            CoreMetrics.Counter(label: series.name, dimensions: [(series.label, series.value)], factory: prometheus).increment(by: value)
        }
    }

    /// ``continueCounters(from:)`` with the file at `path` (at most 1 MiB); a file that does not exist
    /// adds nothing.
    public func continueCounters(fromFileAt path: String) throws(SystemError) {
        let fd = Syscall.retryingInterrupts { open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK) }
        guard fd >= 0 else {
            if errno == ENOENT { return }
            throw SystemError.last("open \(path)")
        }
        defer { close(fd) }
        let bytes = try Syscall.readAll(fd, limit: 1 << 20, "read \(path)")
        continueCounters(from: String(decoding: bytes, as: UTF8.self))
    }
}
