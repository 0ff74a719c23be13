#if OTA_FAULT_INJECTION
#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Test-only crash points: `OTA_FAULT_STEP=<point>` makes the process `SIGKILL` itself there.
///
/// Compiled only when `OTA_FAULT_INJECTION` is defined (debug builds, which the crash tests use):
/// a release build has neither this type nor its calls.
///
/// Points: `N` — journaled step N (1-based) is recorded as started but has not run;
/// `N+` — step N has run but is not yet recorded as done; `commit` — the commit is recorded
/// but the old tree is not yet cleaned up; `seal` — the backup made by moves has its `backup.json`
/// but not yet its final name; `undo-N` — during a rollback, just before undoing step N.
/// The variable is read only when set; without it every point costs one dictionary look-up.
enum FaultInjection {
    static let target: String? = ProcessInfo.processInfo.environment["OTA_FAULT_STEP"]

    /// Kills the process with SIGKILL when `point` is the configured fault point.
    static func point(_ point: @autoclosure () -> String) {
        guard let target, target == point() else { return }
        kill(getpid(), SIGKILL)
    }
}
#endif
