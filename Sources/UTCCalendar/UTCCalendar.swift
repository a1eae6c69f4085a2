/// UTC calendar arithmetic, proleptic Gregorian, with Howard Hinnant's days-from-civil
/// algorithms: exact for any date, no time-zone database, and orders of magnitude faster than
/// Foundation's calendars on Linux (ingest converts a timestamp per record). Every module that
/// turns epoch milliseconds into dates or back uses these.
public enum DayNumber {
    /// Days since 1970-01-01 of a date.
    @inlinable
    public static func of(year y0: Int, month m: Int, day d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date of a day number (days since 1970-01-01).
    @inlinable
    public static func date(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    @inlinable
    public static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    @inlinable
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// Epoch milliseconds broken down into UTC calendar fields (negative times included).
public struct UTCDateTime: Hashable, Sendable {
    public var year: Int, month: Int, day: Int
    public var hour: Int, minute: Int, second: Int, millisecond: Int
    /// Days since 1970-01-01 (a Thursday).
    public var dayNumber: Int

    @inlinable
    public init(millis: Int64) {
        let msPerDay: Int64 = 86_400_000
        var days = millis / msPerDay
        var rest = millis % msPerDay
        if rest < 0 { rest += msPerDay; days -= 1 }
        dayNumber = Int(days)
        (year, month, day) = DayNumber.date(dayNumber)
        let r = Int(rest)
        hour = r / 3_600_000
        minute = r / 60_000 % 60
        second = r / 1000 % 60
        millisecond = r % 1000
    }

    /// Back to epoch milliseconds.
    @inlinable
    public var millis: Int64 {
        Int64(DayNumber.of(year: year, month: month, day: day)) * 86_400_000
            + Int64(hour) * 3_600_000 + Int64(minute) * 60_000 + Int64(second) * 1000 + Int64(millisecond)
    }
}
