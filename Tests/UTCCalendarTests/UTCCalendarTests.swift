import Testing
import UTCCalendar

@Suite struct UTCCalendarTests {
    @Test func knownDates() {
        #expect(DayNumber.of(year: 1970, month: 1, day: 1) == 0)
        #expect(DayNumber.of(year: 2000, month: 3, day: 1) == 11_017)
        #expect(DayNumber.of(year: 1969, month: 12, day: 31) == -1)
        #expect(DayNumber.date(20_413) == (2025, 11, 21))
        #expect(DayNumber.daysInMonth(year: 2024, month: 2) == 29)
        #expect(DayNumber.daysInMonth(year: 1900, month: 2) == 28)
        #expect(DayNumber.daysInMonth(year: 2000, month: 2) == 29)
    }

    @Test func dayNumbersRoundTripAndStepByOneDay() {
        var previous = DayNumber.date(-800_000)
        for days in -799_999...800_000 {
            let date = DayNumber.date(days)
            #expect(DayNumber.of(year: date.year, month: date.month, day: date.day) == days)
            let next = previous.day == DayNumber.daysInMonth(year: previous.year, month: previous.month)
                ? (previous.month == 12 ? (previous.year + 1, 1, 1) : (previous.year, previous.month + 1, 1))
                : (previous.year, previous.month, previous.day + 1)
            #expect(date == next)
            if date != next { break }
            previous = date
        }
    }

    @Test func dateTimesIncludingNegativeMillis() {
        let t = UTCDateTime(millis: 1_642_195_111_000)  // 2022-01-14T21:18:31Z
        #expect([t.year, t.month, t.day, t.hour, t.minute, t.second, t.millisecond] == [2022, 1, 14, 21, 18, 31, 0])
        #expect(t.millis == 1_642_195_111_000)
        let before = UTCDateTime(millis: -1)  // 1969-12-31T23:59:59.999Z
        #expect([before.year, before.month, before.day, before.hour, before.minute, before.second, before.millisecond] == [1969, 12, 31, 23, 59, 59, 999])
        #expect(before.dayNumber == -1 && before.millis == -1)
    }
}
