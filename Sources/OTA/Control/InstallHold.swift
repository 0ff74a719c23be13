import Foundation

/// Something that holds an install back (see ``InstallGate``).
public enum InstallHold: Sendable, Equatable {
    /// `ota inhibit` records that are active.
    case inhibited([Inhibit])
    /// An application holds a shared `flock` on `state_dir/inhibit.lock`.
    case applicationLock(InhibitLock.Holders, path: String)
    /// No `maintenance_window` is open; the next one opens at `nextOpening`.
    case outsideMaintenanceWindow(nextOpening: Date)

    /// The earliest instant at which this hold ends by itself, when it does (an expiry, a window opening).
    public var endsBy: Date? {
        switch self {
        case .inhibited(let inhibits):
            // All of them must end; one without an expiry holds until released.
            let ends = inhibits.map(\.until)
            return ends.contains(nil) ? nil : ends.compactMap { $0 }.max()
        case .applicationLock:
            return nil
        case .outsideMaintenanceWindow(let nextOpening):
            return nextOpening
        }
    }

    /// What ends the hold, as advice.
    var remedy: String {
        switch self {
        case .inhibited(let inhibits):
            return inhibits.count == 1 ? "release it with 'ota inhibit --release \(inhibits[0].id)'" : "release them with 'ota inhibit --release'"
        case .applicationLock:
            return "wait until the application releases the lock"
        case .outsideMaintenanceWindow:
            return "wait for the window"
        }
    }

    /// `inhibited by 'reason' (id …, until …)`, as messages show it.
    public var summary: String {
        switch self {
        case .inhibited(let inhibits):
            return "inhibited by " + inhibits.map(\.summary).joined(separator: " and ")
        case .applicationLock(let holders, let path):
            return holders.summary(path: path)
        case .outsideMaintenanceWindow(let nextOpening):
            return "outside maintenance_window (the next window opens at \(UTCTime.iso8601(nextOpening)))"
        }
    }
}

/// `ota update` refused to install because something holds the install back; nothing was installed.
public struct InstallHeldError: OTAError, Equatable {
    /// What holds the install back.
    public let holds: [InstallHold]
    public let message: String

    public init(version: SemanticVersion, holds: [InstallHold]) {
        self.holds = holds
        let remedies = holds.map(\.remedy) + ["run 'ota update --force' to install now"]
        message = "\(version) was downloaded but not installed: " + holds.map(\.summary).joined(separator: "; ") + "; "
            + remedies.joined(separator: ", or ")
    }
}
