#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Fixed-format UTC timestamps without Foundation's `DateFormatter`.
///
/// `DateFormatter` and `ISO8601DateFormatter` go through ICU on Linux: the first use loads and
/// touches megabytes of ICU data and costs milliseconds — too much for `ota status` and for an idle
/// agent that should stay small. These formats never depend on a locale, so `gmtime_r`/`timegm` do.
package enum UTCTime {
    /// The calendar fields of `date` in UTC.
    static func fields(_ date: Date) -> tm {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var fields = tm()
        gmtime_r(&seconds, &fields)
        return fields
    }

    private static func pad(_ value: Int32, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    private static let dayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static func day(_ f: tm, separator: String) -> String {
        pad(f.tm_year + 1900, 4) + separator + pad(f.tm_mon + 1, 2) + separator + pad(f.tm_mday, 2)
    }

    private static func time(_ f: tm, separator: String) -> String {
        pad(f.tm_hour, 2) + separator + pad(f.tm_min, 2) + separator + pad(f.tm_sec, 2)
    }

    /// `yyyyMMdd_HHmmss`, as in backup names.
    package static func stamp(_ date: Date) -> String {
        let f = fields(date)
        return day(f, separator: "") + "_" + time(f, separator: "")
    }

    /// `yyyy-MM-dd HH:mm:ss`.
    package static func dateTime(_ date: Date) -> String {
        let f = fields(date)
        return day(f, separator: "-") + " " + time(f, separator: ":")
    }

    /// `HH:mm:ss`.
    package static func time(_ date: Date) -> String {
        time(fields(date), separator: ":")
    }

    /// `yyyy-MM-ddTHH:mm:ssZ` (ISO 8601, as GitHub writes dates).
    package static func iso8601(_ date: Date) -> String {
        let f = fields(date)
        return day(f, separator: "-") + "T" + time(f, separator: ":") + "Z"
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT` (IMF-fixdate, the date format of HTTP headers).
    package static func httpDate(_ date: Date) -> String {
        let f = fields(date)
        return dayNames[Int(f.tm_wday)] + ", " + pad(f.tm_mday, 2) + " " + monthNames[Int(f.tm_mon)] + " "
            + pad(f.tm_year + 1900, 4) + " " + time(f, separator: ":") + " GMT"
    }

    /// The date of valid UTC fields (month 1–12, day within the month, 24-hour time); `nil` otherwise.
    static func date(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Date? {
        guard (1...9999).contains(year), (1...12).contains(month), (1...31).contains(day),
              (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second) else { return nil }
        var f = tm()
        f.tm_year = Int32(year - 1900); f.tm_mon = Int32(month - 1); f.tm_mday = Int32(day)
        f.tm_hour = Int32(hour); f.tm_min = Int32(minute); f.tm_sec = Int32(second)
        let seconds = timegm(&f)
        // timegm normalizes out-of-range days (Feb 30 → Mar 2): refuse those.
        guard f.tm_mday == Int32(day), f.tm_mon == Int32(month - 1) else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// Parses `yyyyMMdd_HHmmss`.
    package static func date(stamp text: String) -> Date? {
        let digits = Array(text.utf8)
        guard digits.count == 15, digits[8] == UInt8(ascii: "_") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            let slice = digits[range]
            guard slice.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
            return slice.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
              let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15) else { return nil }
        return date(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }

    /// Parses an ISO 8601 date-time as GitHub writes it: `2013-02-27T19:35:32Z`, with optional
    /// fractional seconds (`.500`) and a `Z` or `±HH:MM` / `±HHMM` offset instead of `Z`.
    /// (`Date.ISO8601FormatStyle` would do, but it builds a calendar in the current time zone,
    /// which loads ICU's time-zone data: megabytes resident for the agent's whole life.)
    package static func date(iso8601 text: String) -> Date? {
        let bytes = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[start..<(start + count)] {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        func at(_ index: Int, _ character: Character) -> Bool {
            index < bytes.count && bytes[index] == character.asciiValue
        }
        guard let year = number(0, 4), at(4, "-"), let month = number(5, 2), at(7, "-"), let day = number(8, 2),
              at(10, "T") || at(10, "t"), let hour = number(11, 2), at(13, ":"), let minute = number(14, 2),
              at(16, ":"), let second = number(17, 2),
              var date = date(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        else { return nil }
        var index = 19
        if at(index, ".") {
            index += 1
            var fraction = 0.0, scale = 0.1
            let start = index
            while index < bytes.count, (0x30...0x39).contains(bytes[index]) {
                fraction += Double(bytes[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
            date += fraction
        }
        if at(index, "Z") || at(index, "z") {
            index += 1
        } else if at(index, "+") || at(index, "-") {
            let sign = at(index, "+") ? 1 : -1
            guard let hours = number(index + 1, 2), hours <= 23 else { return nil }
            index += 3
            if at(index, ":") { index += 1 }
            guard let minutes = number(index, 2), minutes <= 59 else { return nil }
            index += 2
            date -= TimeInterval(sign * (hours * 3600 + minutes * 60))
        } else {
            return nil
        }
        return index == bytes.count ? date : nil
    }

    /// Parses an IMF-fixdate (`Wed, 21 Oct 2015 07:28:00 GMT`), the date format of HTTP headers.
    package static func date(httpDate text: String) -> Date? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[0].hasSuffix(","), parts[5] == "GMT",
              let day = Int(parts[1]), parts[1].count == 2, let month = monthNames.firstIndex(of: String(parts[2])),
              let year = Int(parts[3]), parts[3].count == 4 else { return nil }
        let time = parts[4].split(separator: ":", omittingEmptySubsequences: false)
        guard time.count == 3, time.allSatisfy({ $0.count == 2 }),
              let hour = Int(time[0]), let minute = Int(time[1]), let second = Int(time[2]) else { return nil }
        return date(year: year, month: month + 1, day: day, hour: hour, minute: minute, second: second)
    }
}
