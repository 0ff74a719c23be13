/// The points of a download worth a line in a log, where no bar can be drawn: each 10 % of a known size,
/// each 10 MiB of an unknown one. A step is reported once, however often progress arrives; progress of
/// another size, or fewer bytes than before, is a new download (a fallback, a retry) and counts from 0.
package struct ProgressMilestones: Sendable {
    /// Bytes between two lines when the size is unknown.
    package static let unknownSizeStep: Int64 = 10 << 20
    private var lastStep: Int64 = 0
    private var last: Downloader.Progress?

    package init() {}

    /// The line for `progress` when it has reached a step not reported yet (`nil` otherwise):
    /// `download 40% (12582912/31457280 bytes)`, or `download 20 MiB so far` when the size is unknown.
    package mutating func line(for progress: Downloader.Progress) -> String? {
        if let last, last.total != progress.total || last.received > progress.received { lastStep = 0 }
        last = progress
        let step: Int64
        if let total = progress.total, total > 0 {
            step = min(progress.received, total) * 10 / total
        } else {
            step = progress.received / Self.unknownSizeStep
        }
        guard step > lastStep else { return nil }
        lastStep = step
        if let total = progress.total, total > 0 {
            return "download \(step * 10)% (\(progress.received)/\(total) bytes)"
        }
        return "download \(progress.received >> 20) MiB so far"
    }
}
