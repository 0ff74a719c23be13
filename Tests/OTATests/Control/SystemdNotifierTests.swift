#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import OTA
@testable import OTATestSupport

/// Records the waits it is asked for; after `limit` of them it throws `CancellationError`.
final class RecordingSleeper: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var waits: [Duration] = []
    let limit: Int
    let onWait: @Sendable (Int) -> Void

    init(limit: Int = .max, onWait: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.limit = limit
        self.onWait = onWait
    }

    var sleep: @Sendable (Duration) async throws -> Void {
        { [self] duration in
            let count = lock.withLock { waits.append(duration); return waits.count }
            onWait(count)
            if count >= limit { throw CancellationError() }
        }
    }
}

@Suite("systemd notifications")
struct SystemdNotifierTests {
    @Test("READY=1 and STATUS= lines arrive as one datagram on the socket of $NOTIFY_SOCKET")
    func readyAndStatus() throws {
        let directory = try TemporaryDirectory()
        let listener = try NotifyListener(in: directory)
        let notifier = try #require(SystemdNotifier.fromEnvironment(["NOTIFY_SOCKET": listener.address]))
        #expect(notifier.send(.ready, .status("idle until 10:00")))
        #expect(notifier.send(.status("two\nlines")))
        #expect(listener.finish() == ["READY=1\nSTATUS=idle until 10:00", "STATUS=two lines"])
    }

    @Test("an abstract socket (@name) is reached without a file")
    func abstractSocket() throws {
        let name = "@ota-notify-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let listener = try NotifyListener(address: name)
        #expect(SystemdNotifier(socketPath: name).send(.watchdog))
        #expect(listener.finish() == ["WATCHDOG=1"])
    }

    @Test("no $NOTIFY_SOCKET, or not a socket address: no notifier; a missing socket: the send fails quietly")
    func environment() throws {
        #expect(SystemdNotifier.fromEnvironment([:]) == nil)
        #expect(SystemdNotifier.fromEnvironment(["NOTIFY_SOCKET": "relative/notify"]) == nil)
        #expect(SystemdNotifier.fromEnvironment(["NOTIFY_SOCKET": "@"]) == nil)
        let directory = try TemporaryDirectory()
        #expect(!SystemdNotifier(socketPath: directory.url("absent.sock")).send(.ready))
        #expect(!SystemdNotifier(socketPath: "/" + String(repeating: "x", count: 200)).send(.ready))
    }

    @Test("the watchdog interval is half of $WATCHDOG_USEC, for this process only")
    func watchdogInterval() {
        #expect(SystemdNotifier.watchdogInterval(["WATCHDOG_USEC": "30000000"], pid: 42) == .seconds(15))
        #expect(SystemdNotifier.watchdogInterval(["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "42"], pid: 42) == .seconds(15))
        #expect(SystemdNotifier.watchdogInterval(["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "43"], pid: 42) == nil)
        #expect(SystemdNotifier.watchdogInterval(["WATCHDOG_USEC": "soon"], pid: 42) == nil)
        #expect(SystemdNotifier.watchdogInterval(["WATCHDOG_USEC": "0"], pid: 42) == nil)
        #expect(SystemdNotifier.watchdogInterval([:], pid: 42) == nil)
    }

    @Test("WATCHDOG=1 at once, then once per interval until cancelled")
    func watchdogCadence() async throws {
        let directory = try TemporaryDirectory()
        let listener = try NotifyListener(in: directory)
        let sleeper = RecordingSleeper(limit: 3)
        await SystemdNotifier(socketPath: listener.address).keepWatchdogAlive(every: .milliseconds(250), sleep: sleeper.sleep)
        #expect(sleeper.waits == [.milliseconds(250), .milliseconds(250), .milliseconds(250)])
        #expect(listener.finish() == ["WATCHDOG=1", "WATCHDOG=1", "WATCHDOG=1"])
    }
}
