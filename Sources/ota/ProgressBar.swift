import Foundation
import OTA
#if canImport(Glibc)
import Glibc
#endif

/// Download progress on stderr: a bar on a terminal, otherwise a line at each of ``ProgressMilestones``.
final class ProgressBar: @unchecked Sendable {
    private let lock = NSLock()
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private let quiet: Bool
    private var lastShown = -1
    private var milestones = ProgressMilestones()
    private var drawn = false

    init(quiet: Bool) {
        self.quiet = quiet
    }

    /// Receives the downloader's progress.
    var update: @Sendable (Downloader.Progress) -> Void {
        { [self] progress in self.show(progress) }
    }

    private func show(_ progress: Downloader.Progress) {
        guard !quiet else { return }
        lock.withLock {
            guard isTerminal else {
                if let line = milestones.line(for: progress) { Terminal.writeStandardError(line + "\n") }
                return
            }
            guard let total = progress.total, total > 0 else {
                let megabytes = Int(progress.received >> 20)
                if megabytes != lastShown {
                    lastShown = megabytes
                    drawn = true
                    Terminal.writeStandardError("\r  downloading… \(megabytes) MiB")
                }
                return
            }
            let percent = Int(progress.received * 100 / total)
            guard percent != lastShown else { return }
            lastShown = percent
            let filled = percent * 30 / 100
            drawn = true
            Terminal.writeStandardError("\r  [\(String(repeating: "#", count: filled))\(String(repeating: ".", count: 30 - filled))] \(percent)% of \(total >> 20 > 0 ? "\(total >> 20) MiB" : "\(total) B")")
        }
    }

    /// Ends the bar's line.
    func finish() {
        lock.withLock {
            if drawn && isTerminal { Terminal.writeStandardError("\n") }
            drawn = false
        }
    }
}
