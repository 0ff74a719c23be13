#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The device's local time: how far its wall clock is from UTC at a given instant.
///
/// `.system` asks the C library (`localtime_r`, which reads `TZ` or `/etc/localtime`) and so follows
/// daylight saving time; Foundation's `TimeZone` would load ICU's time-zone data, megabytes resident for
/// the agent's whole life. Tests inject `.fixed(secondsEastOfUTC:)`.
public struct LocalTimeZone: Sendable {
    /// Seconds east of UTC of the wall clock at an instant (`3600` for UTC+1).
    public let offset: @Sendable (Date) -> Int

    /// A zone whose offset at each instant is `offset(instant)`.
    public init(offset: @escaping @Sendable (Date) -> Int) {
        self.offset = offset
    }

    /// A zone without daylight saving time, `seconds` east of UTC.
    public static func fixed(secondsEastOfUTC seconds: Int) -> LocalTimeZone {
        LocalTimeZone { _ in seconds }
    }

    /// UTC.
    public static let utc = fixed(secondsEastOfUTC: 0)

    /// The device's time zone, as the C library sees it.
    public static let system: LocalTimeZone = {
        tzset()
        return LocalTimeZone { date in
            var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
            var fields = tm()
            guard localtime_r(&seconds, &fields) != nil else { return 0 }
            return Int(fields.tm_gmtoff)
        }
    }()

    /// Seconds since 1970-01-01 00:00 on the local wall clock at `date`.
    func wallSeconds(at date: Date) -> Int {
        Int(date.timeIntervalSince1970.rounded(.down)) + offset(date)
    }

    /// The instant at which the wall clock shows `wallSeconds` (in a daylight saving gap: about then).
    func instant(atWallSeconds wallSeconds: Int) -> Date {
        let guess = wallSeconds - offset(Date(timeIntervalSince1970: TimeInterval(wallSeconds)))
        let utc = wallSeconds - offset(Date(timeIntervalSince1970: TimeInterval(guess)))
        return Date(timeIntervalSince1970: TimeInterval(utc))
    }
}
