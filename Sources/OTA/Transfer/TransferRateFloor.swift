/// The lowest average rate a transfer may keep up over a window (curl's `--speed-limit`/`--speed-time`).
///
/// Fed with every chunk as it arrives, it reports a transfer too slow once, over the last ``window``,
/// fewer than `minimumRate × window` bytes arrived. A body that trickles a byte every few seconds
/// keeps the idle time-out from firing, but not this. It samples the running total at most 32 times
/// per window, so its memory does not grow with the transfer.
struct TransferRateFloor: Sendable {
    /// Bytes per second; 0 turns the floor off.
    let minimumRate: Int
    /// The span the average is taken over.
    let window: Duration
    private var samples: [(time: ContinuousClock.Instant, total: Int)]
    private(set) var total = 0

    init(minimumRate: Int, window: Duration, start: ContinuousClock.Instant) {
        self.minimumRate = minimumRate
        self.window = window
        self.samples = [(start, 0)]
    }

    /// How many samples are kept (at most about 33).
    var sampleCount: Int { samples.count }

    /// Bytes that must arrive within one window.
    var requiredBytes: Double { Double(minimumRate) * Self.seconds(window) }

    /// Records `bytes` received at `now`; returns `false` when the last window fell below the floor.
    mutating func record(_ bytes: Int, at now: ContinuousClock.Instant) -> Bool {
        total = total.adding(checked: bytes) ?? Int.max
        guard minimumRate > 0, window > .zero else { return true }
        if let last = samples.last, now - last.time >= window / 32 { samples.append((now, total)) }
        let windowStart = now - window
        // Keep the newest sample at or before the window's start: the total then is the baseline.
        while samples.count >= 2 && samples[1].time <= windowStart { samples.removeFirst() }
        guard let baseline = samples.first, baseline.time <= windowStart else { return true }
        return Double(total - baseline.total) >= requiredBytes
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
