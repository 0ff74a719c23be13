import Foundation

/// The agent's `STATUS=` lines for systemd (`systemctl status ota` shows the last one): checking,
/// downloading with its percentage, waiting to install and why, installing, idle until the next check.
///
/// Download progress is sent when the percentage changes, at most once a second. Without a notifier
/// (not under systemd) every call does nothing.
final class AgentStatus: @unchecked Sendable {
    let notifier: SystemdNotifier?
    let now: @Sendable () -> Date
    private let lock = NSLock()
    private var lastProgress: (percent: Int64, at: Date)?

    init(notifier: SystemdNotifier?, now: @escaping @Sendable () -> Date = { Date() }) {
        self.notifier = notifier
        self.now = now
    }

    /// `READY=1`, with the time of the first check.
    func ready(firstCheckIn delay: Duration) {
        notifier?.send(.ready, .status("started; first check at \(Self.time(now(), plus: delay))"))
    }

    func checking() {
        lock.withLock { lastProgress = nil }
        report("checking for updates")
    }

    /// `downloading 42% (12.3 of 29.1 MB)`, or the bytes alone when the size is unknown.
    func downloading(_ progress: Downloader.Progress) {
        guard let notifier else { return }
        let percent = progress.total.map { $0 > 0 ? progress.received * 100 / $0 : 100 } ?? progress.received >> 20
        let date = now()
        let due: Bool = lock.withLock {
            if let last = lastProgress, last.percent == percent || date.timeIntervalSince(last.at) < 1 { return false }
            lastProgress = (percent, date)
            return true
        }
        guard due else { return }
        let received = Self.megabytes(progress.received)
        let text = progress.total.map { "downloading \(percent)% (\(received) of \(Self.megabytes($0)) MB)" } ?? "downloading (\(received) MB)"
        notifier.send(.status(text))
    }

    /// `idle until <time> (<what the last cycle did>)`.
    func idle(nextCheckIn delay: Duration, after result: UpdateService.CycleResult) {
        let outcome: String
        switch result {
        case .upToDate: outcome = "up to date"
        case .updateAvailable(let version): outcome = "\(version) available, auto_update is off"
        case .updated(let version): outcome = "updated to \(version)"
        case .rateLimited: outcome = "rate limited"
        case .failed(let message): outcome = "last cycle failed: \(message)"
        }
        report("idle until \(Self.time(now(), plus: delay)) (\(outcome))")
    }

    /// `STOPPING=1`: the agent is shutting down.
    func stopping() {
        notifier?.send(.stopping, .status("stopping"))
    }

    func report(_ text: String) {
        notifier?.send(.status(text))
    }

    static func time(_ date: Date, plus delay: Duration) -> String {
        let (seconds, attoseconds) = delay.components
        return UTCTime.iso8601(date.addingTimeInterval(TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18))
    }

    static func megabytes(_ bytes: Int64) -> String {
        let tenths = bytes / 100_000
        return "\(tenths / 10).\(tenths % 10)"
    }
}
