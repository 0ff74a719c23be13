import Logging
import Synchronization

/// The agent's download progress in its log (the journal under systemd): one line at each of
/// ``ProgressMilestones`` of a download, so a slow transfer on an unattended device shows how far it got.
final class DownloadProgressLog: Sendable {
    private let logger: Logger
    private let milestones = Mutex(ProgressMilestones())

    init(logger: Logger) {
        self.logger = logger
    }

    /// Receives the downloader's progress.
    func record(_ progress: Downloader.Progress) {
        guard let line = milestones.withLock({ $0.line(for: progress) }) else { return }
        logger.info("\(line)", metadata: ["ota.received_bytes": "\(progress.received)", "ota.total_bytes": "\(progress.total.map(String.init) ?? "unknown")"])
    }
}
