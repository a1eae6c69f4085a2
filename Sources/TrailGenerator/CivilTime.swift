import UTCCalendar

/// UTC calendar arithmetic on epoch seconds. Hand-rolled (Hinnant's days-from-civil) because
/// the generator formats a timestamp per record and Foundation's formatters are orders of
/// magnitude slower on Linux; it also keeps the output independent of the host time zone.
struct CivilDate: Sendable, Hashable, Comparable {
    var year: Int
    var month: Int
    var day: Int

    /// Days since 1970-01-01.
    var dayNumber: Int { DayNumber.of(year: year, month: month, day: day) }

    init(year: Int, month: Int, day: Int) {
        self.year = year; self.month = month; self.day = day
    }

    init(dayNumber: Int) {
        (year, month, day) = DayNumber.date(dayNumber)
    }

    /// Parses `YYYY-MM-DD`, rejecting impossible dates such as 2026-02-30.
    init?(parsing text: String) {
        let b = Array(text.utf8)
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              let y = parseDigits(b[0..<4]), let m = parseDigits(b[5..<7]), let d = parseDigits(b[8..<10]),
              (1...12).contains(m), d >= 1 else { return nil }
        self.init(year: y, month: m, day: d)
        guard CivilDate(dayNumber: dayNumber) == self else { return nil }
    }

    /// 0 = Monday … 6 = Sunday.
    var weekday: Int { ((dayNumber % 7) + 7 + 3) % 7 }

    var text: String {
        String(decoding: formatted(), as: UTF8.self)
    }

    func formatted() -> [UInt8] {
        var out: [UInt8] = []
        appendDigits(&out, year, 4); out.append(UInt8(ascii: "-"))
        appendDigits(&out, month, 2); out.append(UInt8(ascii: "-"))
        appendDigits(&out, day, 2)
        return out
    }

    static func < (a: CivilDate, b: CivilDate) -> Bool { a.dayNumber < b.dayNumber }
}

private func parseDigits(_ s: ArraySlice<UInt8>) -> Int? {
    var v = 0
    for c in s {
        guard c >= 48, c <= 57 else { return nil }
        v = v * 10 + Int(c - 48)
    }
    return v
}

@inline(__always)
func appendDigits(_ out: inout [UInt8], _ value: Int, _ width: Int) {
    var divisor = 1
    for _ in 1..<width { divisor *= 10 }
    var v = value
    while divisor > 0 {
        out.append(UInt8(48 + (v / divisor) % 10))
        v %= divisor
        divisor /= 10
    }
}

enum UTC {
    static let secondsPerDay: Int64 = 86_400

    /// `YYYY-MM-DDTHH:MM:SSZ`, the only eventTime format CloudTrail emits.
    static func appendISO(_ out: inout [UInt8], _ t: Int64) {
        let days = Int(t >= 0 ? t / secondsPerDay : (t - secondsPerDay + 1) / secondsPerDay)
        let secs = Int(t - Int64(days) * secondsPerDay)
        let d = CivilDate(dayNumber: days)
        appendDigits(&out, d.year, 4); out.append(UInt8(ascii: "-"))
        appendDigits(&out, d.month, 2); out.append(UInt8(ascii: "-"))
        appendDigits(&out, d.day, 2); out.append(UInt8(ascii: "T"))
        appendDigits(&out, secs / 3600, 2); out.append(UInt8(ascii: ":"))
        appendDigits(&out, secs / 60 % 60, 2); out.append(UInt8(ascii: ":"))
        appendDigits(&out, secs % 60, 2); out.append(UInt8(ascii: "Z"))
    }

    static func iso(_ t: Int64) -> String {
        var b: [UInt8] = []
        appendISO(&b, t)
        return String(decoding: b, as: UTF8.self)
    }

    /// IAM/STS/KMS responseElements render dates like `Oct 9, 2026, 2:11:41 AM` (Java's default
    /// medium format), so mimic it where those responses carry dates.
    static func appendJavaMedium(_ out: inout [UInt8], _ t: Int64) {
        let days = Int(t / secondsPerDay)
        let secs = Int(t - Int64(days) * secondsPerDay)
        let d = CivilDate(dayNumber: days)
        out.append(contentsOf: monthNames[d.month - 1])
        out.append(UInt8(ascii: " "))
        appendInt(&out, d.day)
        out.append(contentsOf: Array(", ".utf8))
        appendDigits(&out, d.year, 4)
        out.append(contentsOf: Array(", ".utf8))
        let h = secs / 3600
        appendInt(&out, h % 12 == 0 ? 12 : h % 12)
        out.append(UInt8(ascii: ":"))
        appendDigits(&out, secs / 60 % 60, 2); out.append(UInt8(ascii: ":"))
        appendDigits(&out, secs % 60, 2)
        out.append(contentsOf: h < 12 ? Array(" AM".utf8) : Array(" PM".utf8))
    }

    private static let monthNames: [[UInt8]] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].map { Array($0.utf8) }

    /// Parses `YYYY-MM-DDTHH:MM[:SS]Z` (what an anomalies file may contain) to epoch seconds.
    static func parseISO(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count == 17 || b.count == 20, b.last == UInt8(ascii: "Z"), b[10] == UInt8(ascii: "T"),
              b[13] == UInt8(ascii: ":"),
              let date = CivilDate(parsing: String(decoding: b[0..<10], as: UTF8.self)),
              let h = parseDigits(b[11..<13]), let m = parseDigits(b[14..<16]), h < 24, m < 60 else { return nil }
        var s = 0
        if b.count == 20 {
            guard b[16] == UInt8(ascii: ":"), let ss = parseDigits(b[17..<19]), ss < 60 else { return nil }
            s = ss
        }
        return Int64(date.dayNumber) * secondsPerDay + Int64(h * 3600 + m * 60 + s)
    }
}

@inline(__always)
func appendInt(_ out: inout [UInt8], _ value: Int) {
    if value < 0 { out.append(UInt8(ascii: "-")); appendInt(&out, -value); return }
    var divisor = 1
    while divisor <= value / 10 { divisor *= 10 }
    var v = value
    while divisor > 0 {
        out.append(UInt8(48 + v / divisor))
        v %= divisor
        divisor /= 10
    }
}
