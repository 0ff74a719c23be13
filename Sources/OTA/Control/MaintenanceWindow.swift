import Foundation

/// One maintenance window of `maintenance_window`: the days it opens on and its time of day, in the
/// device's local time, e.g. `Mon-Fri 02:00-04:00`, `Sat,Sun 01:00-06:00`, `Fri 22:00-02:00` (it closes
/// on Saturday at 02:00) or `03:00-04:00` (every day).
///
/// Days are `Mon` … `Sun` (or the full names, any case), separated by commas; `A-B` is a range and may
/// wrap around the week (`Fri-Mon`). Times are `HH:MM` from `00:00` to `23:59`; the end may be `24:00`. An
/// end earlier than the start runs across midnight: the window belongs to the day it opens.
///
/// ```swift
/// let window = try MaintenanceWindow(parsing: "Mon-Fri 02:00-04:00")
/// window.contains(Date(), in: .system)
/// ```
public struct MaintenanceWindow: Sendable, Hashable, CustomStringConvertible {
    /// The days the window opens on, 0 = Monday … 6 = Sunday.
    public let days: Set<Int>
    /// Minutes after local midnight at which it opens (0 ..< 1440).
    public let startMinute: Int
    /// How many minutes it stays open (1 ... 1440).
    public let durationMinutes: Int
    /// The text it was parsed from.
    public let description: String

    static let dayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    static let fullDayNames = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    static let key = "maintenance_window"
    static let example = "write windows like \"Mon-Fri 02:00-04:00\" or \"Sat,Sun 22:00-06:00\""

    /// Parses one window; the error names `maintenance_window`, the window and the part that is wrong.
    public init(parsing text: String) throws(ConfigurationError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        func invalid(_ problem: String) -> ConfigurationError {
            ConfigurationError(.invalidValue, key: Self.key, "\(Self.key) '\(text)': \(problem); \(Self.example)")
        }
        guard !trimmed.isEmpty else {
            throw ConfigurationError(.invalidValue, key: Self.key, "\(Self.key) has an empty window; \(Self.example), or leave the key out to install at any time")
        }
        let parts = trimmed.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count <= 2 else { throw invalid("expected days and a time range separated by one space") }
        let days = parts.count == 2 ? try Self.parseDays(parts[0], invalid) : Set(0..<7)
        let range = parts[parts.count - 1].split(separator: "-", omittingEmptySubsequences: false)
        guard range.count == 2 else { throw invalid("'\(parts[parts.count - 1])' is not a time range HH:MM-HH:MM") }
        let start = try Self.parseTime(range[0], allowEndOfDay: false, invalid)
        let end = try Self.parseTime(range[1], allowEndOfDay: true, invalid)
        guard start != end % 1440 || end == 1440 else {
            throw invalid("it opens and closes at the same time; for a whole day write 00:00-24:00")
        }
        self.days = days
        self.startMinute = start
        self.durationMinutes = end > start ? end - start : end + 1440 - start
        self.description = trimmed
    }

    /// Whether the window is open at `date`, on the wall clock of `zone`.
    public func contains(_ date: Date, in zone: LocalTimeZone) -> Bool {
        let wall = zone.wallSeconds(at: date)
        let today = Self.floorDivide(wall, 86_400)
        // Opened today, or yesterday and still open across midnight.
        return [today, today - 1].contains { day in
            let opening = day * 86_400 + startMinute * 60
            return days.contains(Self.weekday(ofDay: day)) && wall >= opening && wall < opening + durationMinutes * 60
        }
    }

    /// The first instant after `date` at which the window opens.
    public func nextOpening(after date: Date, in zone: LocalTimeZone) -> Date {
        let today = Self.floorDivide(zone.wallSeconds(at: date), 86_400)
        for day in today...(today + 8) where days.contains(Self.weekday(ofDay: day)) {
            let opening = zone.instant(atWallSeconds: day * 86_400 + startMinute * 60)
            if opening > date { return opening }
        }
        // Unreachable: every window opens on at least one day of each week.
        return date.addingTimeInterval(7 * 86_400)
    }

    /// The weekday (0 = Monday) of the day `day` days after 1970-01-01, a Thursday.
    static func weekday(ofDay day: Int) -> Int {
        ((day + 3) % 7 + 7) % 7
    }

    static func floorDivide(_ value: Int, _ divisor: Int) -> Int {
        value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor)
    }

    private static func parseDays(_ text: Substring, _ invalid: (String) -> ConfigurationError) throws(ConfigurationError) -> Set<Int> {
        var days = Set<Int>()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let ends = item.split(separator: "-", omittingEmptySubsequences: false)
            guard ends.count <= 2 else { throw invalid("'\(item)' is not a day or a range of days such as Mon-Fri") }
            var indices: [Int] = []
            for name in ends {
                let lowered = name.lowercased()
                guard let index = dayNames.firstIndex(of: lowered) ?? fullDayNames.firstIndex(of: lowered) else {
                    throw invalid("'\(name)' is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun)")
                }
                indices.append(index)
            }
            let first = indices[0], last = indices[indices.count - 1]
            var day = first
            while true {
                days.insert(day)
                if day == last { break }
                day = (day + 1) % 7
            }
        }
        return days
    }

    /// Minutes after midnight of `HH:MM`; `24:00` (1440) only with `allowEndOfDay`.
    private static func parseTime(_ text: Substring, allowEndOfDay: Bool, _ invalid: (String) -> ConfigurationError) throws(ConfigurationError) -> Int {
        let fields = text.split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count == 2, (1...2).contains(fields[0].count), fields[1].count == 2,
              fields.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let hour = Int(fields[0]), let minute = Int(fields[1]) else {
            throw invalid("'\(text)' is not a time of day (HH:MM)")
        }
        if allowEndOfDay && hour == 24 && minute == 0 { return 1440 }
        guard hour < 24, minute < 60 else {
            throw invalid("'\(text)' is not a time of day (00:00 to 23:59\(allowEndOfDay ? ", or 24:00 as the end" : ""))")
        }
        return hour * 60 + minute
    }
}
