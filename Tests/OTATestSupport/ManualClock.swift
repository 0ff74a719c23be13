import Foundation
@testable import OTA

/// A clock that only moves when the gate sleeps: each wait advances it by the duration asked for.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    private(set) var waits: [Duration] = []
    private(set) var reports: [String] = []
    /// Called after each wait with the number of waits so far (to release a lock or an inhibit).
    var onWait: @Sendable (Int) -> Void = { _ in }

    init(_ start: Date) { current = start }

    var now: Date { lock.withLock { current } }

    func policy(waiting: Bool = true, zone: LocalTimeZone = .utc, recheck: Duration = .seconds(60)) -> InstallGate.Policy {
        InstallGate.Policy(waits: waiting, now: { [self] in now }, zone: zone, sleep: { [self] duration in
            let count = lock.withLock {
                waits.append(duration)
                let (seconds, attoseconds) = duration.components
                current += TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
                return waits.count
            }
            onWait(count)
            if count > 1000 { throw CancellationError() }
        }, recheckInterval: recheck, report: { [self] text in lock.withLock { reports.append(text) } })
    }
}
