import Foundation
import Testing
@testable import OTA

/// An instant given as wall-clock time in `zone` (2024-01-01 is a Monday).
func wallClock(_ day: Int, _ hour: Int, _ minute: Int = 0, month: Int = 1, zone: Int = 0) -> Date {
    UTCTime.date(year: 2024, month: month, day: day, hour: hour, minute: minute, second: 0)!.addingTimeInterval(TimeInterval(-zone))
}

@Suite("Maintenance windows")
struct MaintenanceWindowTests {
    /// UTC+2 without daylight saving time: the windows are read on this wall clock, not in UTC.
    static let plus2 = 7200
    let zone = LocalTimeZone.fixed(secondsEastOfUTC: plus2)

    func at(_ day: Int, _ hour: Int, _ minute: Int = 0) -> Date { wallClock(day, hour, minute, zone: Self.plus2) }

    @Test("Mon-Fri 02:00-04:00 is open on weekdays from 02:00 up to (not including) 04:00, local time")
    func weekdays() throws {
        let window = try MaintenanceWindow(parsing: "Mon-Fri 02:00-04:00")
        #expect(window.contains(at(1, 2, 0), in: zone))       // Monday 02:00
        #expect(window.contains(at(5, 3, 59), in: zone))      // Friday 03:59
        #expect(!window.contains(at(1, 4, 0), in: zone))      // Monday 04:00: closed
        #expect(!window.contains(at(1, 1, 59), in: zone))
        #expect(!window.contains(at(6, 2, 30), in: zone))     // Saturday
        #expect(!window.contains(at(7, 2, 30), in: zone))     // Sunday
        // Monday 01:00 UTC is 03:00 on the device: open there, while a UTC device would be closed.
        #expect(window.contains(wallClock(1, 1), in: zone))
        #expect(!window.contains(wallClock(1, 1), in: .utc))
    }

    @Test("a window across midnight belongs to the day it opens and stays open into the next")
    func acrossMidnight() throws {
        let window = try MaintenanceWindow(parsing: "Fri 22:00-02:00")
        #expect(window.contains(at(5, 22, 0), in: zone))      // Friday 22:00
        #expect(window.contains(at(5, 23, 59), in: zone))
        #expect(window.contains(at(6, 0, 0), in: zone))       // Saturday 00:00
        #expect(window.contains(at(6, 1, 59), in: zone))
        #expect(!window.contains(at(6, 2, 0), in: zone))      // Saturday 02:00: closed
        #expect(!window.contains(at(5, 1, 0), in: zone))      // Friday 01:00 would follow Thursday's opening
        #expect(!window.contains(at(6, 23, 0), in: zone))     // Saturday night: not a Saturday window
        #expect(window.durationMinutes == 240)
    }

    @Test("day lists, ranges wrapping around the week, full names in any case, and every day")
    func dayForms() throws {
        let wrapping = try MaintenanceWindow(parsing: "Fri-Mon 10:00-11:00")
        #expect(wrapping.days == [4, 5, 6, 0])
        for day in 1...7 {
            #expect(wrapping.contains(at(day, 10, 30), in: zone) == [1, 5, 6, 7].contains(day), "January \(day)")
        }
        #expect(try MaintenanceWindow(parsing: "sat,SUNDAY 01:00-02:00").days == [5, 6])
        #expect(try MaintenanceWindow(parsing: "Mon,Wed-Thu 01:00-02:00").days == [0, 2, 3])
        let daily = try MaintenanceWindow(parsing: "03:00-04:00")
        #expect((1...7).allSatisfy { daily.contains(at($0, 3, 15), in: zone) })
        let wholeDay = try MaintenanceWindow(parsing: "Sun 00:00-24:00")
        #expect(wholeDay.contains(at(7, 0, 0), in: zone) && wholeDay.contains(at(7, 23, 59), in: zone))
        #expect(!wholeDay.contains(at(8, 0, 0), in: zone))
    }

    @Test("the next opening: the next day the window opens on, in local time, strictly after the instant")
    func nextOpening() throws {
        let window = try MaintenanceWindow(parsing: "Mon-Fri 02:00-04:00")
        // Saturday noon → Monday 02:00 local (00:00 UTC).
        #expect(window.nextOpening(after: at(6, 12), in: zone) == at(8, 2))
        #expect(window.nextOpening(after: at(6, 12), in: zone) == wallClock(8, 0))
        // Before today's opening → today's; inside the window → tomorrow's; Friday after it → Monday.
        #expect(window.nextOpening(after: at(2, 1, 30), in: zone) == at(2, 2))
        #expect(window.nextOpening(after: at(2, 3), in: zone) == at(3, 2))
        #expect(window.nextOpening(after: at(5, 5), in: zone) == at(8, 2))
        // The same instant in UTC: Saturday 10:00 UTC → Monday 02:00 UTC.
        #expect(window.nextOpening(after: at(6, 12), in: .utc) == wallClock(8, 2))
    }

    @Test("several windows: open when any is, and the next opening is the earliest of them")
    func schedule() throws {
        let schedule = try MaintenanceSchedule(parsing: ["Mon-Fri 02:00-04:00", "Sat,Sun 22:00-06:00"])
        #expect(schedule.isOpen(at: at(6, 23), in: zone))        // Saturday 23:00
        #expect(schedule.isOpen(at: at(8, 5), in: zone))         // Monday 05:00, Sunday's window
        #expect(!schedule.isOpen(at: at(8, 6), in: zone))
        #expect(schedule.isOpen(at: at(8, 3), in: zone))
        #expect(!schedule.isOpen(at: at(6, 12), in: zone))
        #expect(schedule.nextOpening(after: at(6, 12), in: zone) == at(6, 22))
        #expect(schedule.nextOpening(after: at(5, 12), in: zone) == at(6, 22))
        #expect(schedule.nextOpening(after: at(2, 12), in: zone) == at(3, 2))
        let none = try MaintenanceSchedule(parsing: [])
        #expect(none.isOpen(at: at(6, 12), in: zone))
        #expect(none.nextOpening(after: at(6, 12), in: zone) == nil)
    }

    @Test("malformed windows name the key, the window and the part that is wrong", arguments: [
        ("Mon-Fri 25:00-04:00", "'25:00'"),
        ("Mon-Fry 02:00-04:00", "'Fry' is not a day"),
        ("Mon-Fri 02:00", "'02:00' is not a time range"),
        ("Mon-Fri 02:00-04:60", "'04:60'"),
        ("Mon-Fri 2:0-4:00", "'2:0'"),
        ("Mon-Fri 24:00-02:00", "'24:00'"),
        ("Mon-Fri 02:00-02:00", "same time"),
        ("Mon Fri 02:00-04:00", "one space"),
        ("Mon--Fri 02:00-04:00", "'Mon--Fri'"),
        ("", "empty window"),
        ("   ", "empty window"),
    ])
    func malformed(text: String, part: String) throws {
        let error = try #require(throws: ConfigurationError.self) { try MaintenanceWindow(parsing: text) }
        #expect(error.code == .invalidValue)
        #expect(error.key == "maintenance_window")
        #expect(error.message.hasPrefix("maintenance_window"))
        #expect(error.message.contains(part), "\(error.message)")
        #expect(error.message.contains("Mon-Fri 02:00-04:00"))
    }

    @Test("the configuration reads maintenance_window, and a malformed one fails at load naming the key")
    func configuration() throws {
        func parse(_ yaml: String) throws(ConfigurationError) -> OTAConfiguration {
            try OTAConfiguration.parse(yaml: "github_repo: octo/app\n" + yaml, environment: ConfigurationEnvironment([:]), fileName: "test.yaml")
        }
        let config = try parse("maintenance_window: [\"Mon-Fri 02:00-04:00\", \"Sat 22:00-02:00\"]\n")
        #expect(config.schedule.maintenance == (try MaintenanceSchedule(parsing: ["Mon-Fri 02:00-04:00", "Sat 22:00-02:00"])))
        #expect(config.schedule.maintenance.windows.map(\.description) == ["Mon-Fri 02:00-04:00", "Sat 22:00-02:00"])
        #expect(config.description.contains("maintenance_window: [\"Mon-Fri 02:00-04:00\", \"Sat 22:00-02:00\"]"))
        #expect(try parse("maintenance_window: Sun 01:00-05:00\n").schedule.maintenance.windows.map(\.description) == ["Sun 01:00-05:00"])
        #expect(try parse("maintenance_window: null\n").schedule.maintenance.windows.isEmpty)
        let bad = try #require(throws: ConfigurationError.self) { try parse("maintenance_window: [\"Mon-Fri 25:00-04:00\"]\n") }
        #expect(bad.key == "maintenance_window" && bad.message.contains("'25:00'"))
        let empty = try #require(throws: ConfigurationError.self) { try parse("maintenance_window: []\n") }
        #expect(empty.key == "maintenance_window" && empty.message.contains("leave the key out"))
    }
}
