import Foundation

/// The windows of `maintenance_window`: installs may start while any of them is open. No windows at
/// all means installs may start at any time.
///
/// ```swift
/// let schedule = try MaintenanceSchedule(parsing: ["Mon-Fri 02:00-04:00", "Sat,Sun 00:00-06:00"])
/// if !schedule.isOpen(at: Date(), in: .system) { print("next window:", schedule.nextOpening(after: Date(), in: .system)!) }
/// ```
public struct MaintenanceSchedule: Sendable, Hashable {
    /// The windows, in the order written.
    public let windows: [MaintenanceWindow]

    /// The schedule of the configuration's `maintenance_window` entries.
    public init(parsing entries: [String]) throws(ConfigurationError) {
        var windows: [MaintenanceWindow] = []
        for entry in entries { windows.append(try MaintenanceWindow(parsing: entry)) }
        self.init(windows: windows)
    }

    /// The schedule of `windows`; no windows: installs may start at any time.
    public init(windows: [MaintenanceWindow] = []) {
        self.windows = windows
    }

    /// Whether an install may start at `date`: no windows, or one of them is open.
    public func isOpen(at date: Date, in zone: LocalTimeZone) -> Bool {
        windows.isEmpty || windows.contains { $0.contains(date, in: zone) }
    }

    /// The first instant after `date` at which a window opens; `nil` without windows.
    public func nextOpening(after date: Date, in zone: LocalTimeZone) -> Date? {
        windows.map { $0.nextOpening(after: date, in: zone) }.min()
    }
}
