/// The points of a download worth a line in a log, where no bar can be drawn: each 10 % of a known size,
/// each 10 MiB of an unknown one. A step is reported once, however often progress arrives; progress of
/// another size is another download (a fallback) and counts from 0; fewer bytes than before (a retry) are
/// reported again only as they pass the steps once more.
package struct ProgressMilestones: Sendable {
    /// Bytes between two lines when the size is unknown.
    package static let unknownSizeStep: Int64 = 10 << 20
    private var lastStep: Int64 = 0
    private var lastTotal: Int64?

    package init() {}

    /// The line for `progress` when it has reached a step not reported yet (`nil` otherwise):
    /// `download 40% (12582912/31457280 bytes)`, or `download 20 MiB so far` when the size is unknown.
    package mutating func line(for progress: Downloader.Progress) -> String? {
        if progress.total != lastTotal {
            lastTotal = progress.total
            lastStep = 0
        }
        let step: Int64
        if let total = progress.total, total > 0 {
            step = min(progress.received, total) * 10 / total
        } else {
            step = progress.received / Self.unknownSizeStep
        }
        guard step > lastStep else {
            lastStep = step
            return nil
        }
        lastStep = step
        if let total = progress.total, total > 0 {
            return "download \(step * 10)% (\(progress.received)/\(total) bytes)"
        }
        return "download \(progress.received >> 20) MiB so far"
    }
}
