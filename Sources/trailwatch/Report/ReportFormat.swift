import UTCCalendar
import Foundation

/// Text helpers for the HTML report: escaping, UTC times, numbers. Pure.
enum HTML {
    /// Escapes text for element content and double-quoted attributes.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// An id usable as a fragment (`#metric-…`): letters, digits and dashes.
    static func anchor(_ s: String) -> String {
        var out = ""
        var dash = false
        for ch in s.lowercased().unicodeScalars {
            if CharacterSet.alphanumerics.contains(ch) && ch.isASCII {
                out.unicodeScalars.append(ch)
                dash = false
            } else if !dash && !out.isEmpty {
                out += "-"
                dash = true
            }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return out
    }
}

/// UTC calendar arithmetic on epoch milliseconds (days-from-civil, Howard Hinnant's algorithm):
/// exact and fast, with no time-zone database involved.
struct UTCTime {
    var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int
    /// 0 = Monday.
    var weekday: Int

    init(millis: Int64) {
        let t = UTCDateTime(millis: millis)
        (year, month, day, hour, minute, second) = (t.year, t.month, t.day, t.hour, t.minute, t.second)
        weekday = ((t.dayNumber % 7) + 7 + 3) % 7
    }

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    static let weekdayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    private static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// `2026-10-12`
    var date: String { "\(year)-\(Self.two(month))-\(Self.two(day))" }
    /// `10:40`
    var clock: String { "\(Self.two(hour)):\(Self.two(minute))" }
    /// `2026-10-12 10:40`
    var dateTime: String { "\(date) \(clock)" }
    /// `Mon 12 Oct`
    var dayLabel: String { "\(Self.weekdayNames[weekday]) \(day) \(Self.monthNames[month - 1])" }

    /// `2026-10-12 10:40–11:05 UTC`, or with both dates when the range crosses midnight.
    static func range(_ start: Int64, _ end: Int64) -> String {
        let a = UTCTime(millis: start), b = UTCTime(millis: end)
        if a.date == b.date || (b.hour == 0 && b.minute == 0 && end - start <= 86_400_000 && a.date == UTCTime(millis: end - 1).date) {
            return "\(a.dateTime)–\(b.clock == "00:00" && a.date != b.date ? "24:00" : b.clock) UTC"
        }
        return "\(a.dateTime) – \(b.dateTime) UTC"
    }

    static func floorDiv<T: BinaryInteger>(_ a: T, _ b: T) -> T {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}

enum NumberText {
    /// Shortest readable form: integers without decimals, else up to `places` significant
    /// decimals (0.0012, 3.5, 1,234).
    static func format(_ v: Double, places: Int = 2) -> String {
        guard v.isFinite else { return "–" }
        if v == v.rounded() && abs(v) < 1e15 { return Format.count(Int(v)) }
        let magnitude = abs(v)
        let digits = magnitude >= 100 ? 0 : magnitude >= 1 ? places : max(places, Int((-log10(magnitude)).rounded(.up)) + 1)
        var s = String(format: "%.\(min(digits, 6))f", v)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }

    /// A period as people say it: `5 min`, `1 h`, `1 day`.
    static func period(_ millis: Int64) -> String {
        if millis % 86_400_000 == 0 { let d = millis / 86_400_000; return d == 1 ? "1 day" : "\(d) days" }
        if millis % 3_600_000 == 0 { return "\(millis / 3_600_000) h" }
        return "\(millis / 60_000) min"
    }

}
