import Foundation

/// A `bin`/`datefloor`/`dateceil` period after the documented caps (spec §2.4): ms ≤ 1000,
/// s ≤ 60, m ≤ 60, h ≤ 24 (`bin(300s)` is `bin(60s)`); days and weeks are fixed lengths
/// (weeks counted from the epoch, so they start on Thursdays); months, quarters and years are
/// calendar-aligned in UTC (multiples counted from January 1970).
struct Period: Equatable {
    enum Kind: Equatable {
        case fixed(Int64)
        case months(Int)
    }
    var kind: Kind

    init(_ p: TimePeriod) throws(InsightsError) {
        guard p.value > 0, p.value.isFinite else {
            throw InsightsError(.semantic, "a time period must be positive")
        }
        switch p.unit {
        case .millisecond: kind = .fixed(max(1, Int64(min(p.value, 1000))))
        case .second: kind = .fixed(Int64(min(p.value, 60) * 1000))
        case .minute: kind = .fixed(Int64(min(p.value, 60) * 60_000))
        case .hour: kind = .fixed(Int64(min(p.value, 24) * 3_600_000))
        case .day: kind = .fixed(Int64(p.value * 86_400_000))
        case .week: kind = .fixed(Int64(p.value * 7 * 86_400_000))
        case .month: kind = .months(max(1, Int(p.value.rounded())))
        case .quarter: kind = .months(3 * max(1, Int(p.value.rounded())))
        case .year: kind = .months(12 * max(1, Int(p.value.rounded())))
        }
        if case .fixed(let ms) = kind, ms <= 0 { throw InsightsError(.semantic, "a time period must be at least 1 ms") }
    }

    init(fixedMillis: Int64) { kind = .fixed(fixedMillis) }

    /// The start of the bucket holding `ms`.
    func floor(_ ms: Int64) -> Int64 {
        switch kind {
        case .fixed(let p):
            let r = ms % p
            return r < 0 ? ms - r - p : ms - r
        case .months(let n):
            let c = CivilTime(millis: ms)
            let index = (c.year - 1970) * 12 + (c.month - 1)
            var q = index / n
            if index % n < 0 { q -= 1 }
            let start = q * n
            let y = 1970 + Int((Double(start) / 12).rounded(.down))
            let m = start - (y - 1970) * 12 + 1
            return CivilTime(year: y, month: m, day: 1).millis
        }
    }

    /// The end of the bucket holding `ms`; a value on a boundary is unchanged.
    func ceil(_ ms: Int64) -> Int64 {
        let f = floor(ms)
        if f == ms { return ms }
        switch kind {
        case .fixed(let p): return f + p
        case .months(let n): return Period.addMonths(f, n)
        }
    }

    static func addMonths(_ ms: Int64, _ n: Int) -> Int64 {
        var c = CivilTime(millis: ms)
        let index = (c.year * 12 + c.month - 1) + n
        c.year = Int((Double(index) / 12).rounded(.down))
        c.month = index - c.year * 12 + 1
        c.day = min(c.day, CivilTime.daysInMonth(c.year, c.month))
        return c.millis
    }
}

extension InsightsValue {
    /// A value as an instant: timestamps, epoch-ms numbers, numeric strings and ISO-8601 text.
    var asMillis: Int64? {
        switch self {
        case .timestamp(let ms): return ms
        case .number(let d): return d.isFinite && abs(d) < 9.2e18 ? Int64(d.rounded(.down)) : nil
        case .string(let s):
            if let d = parseStrictNumber(s), abs(d) < 9.2e18 { return Int64(d.rounded(.down)) }
            return parseISO8601Millis(s)
        default: return nil
        }
    }
}

/// Time zones for `parseDate`/`formatDate`: `UTC`, `Z`, fixed offsets (`+05:30`, `-0800`) and
/// IANA names through Foundation's time-zone database.
enum Zone {
    static func offsetMillis(_ tz: String?, at utcMillis: Int64) -> Int64? {
        guard let tz, !tz.isEmpty else { return 0 }
        if tz == "UTC" || tz == "Z" || tz == "GMT" { return 0 }
        if let first = tz.first, first == "+" || first == "-" {
            let digits = tz.dropFirst().filter(\.isNumber)
            guard digits.count == 2 || digits.count == 4, let v = Int(digits) else { return nil }
            let minutes = digits.count == 2 ? v * 60 : (v / 100) * 60 + v % 100
            return Int64(first == "-" ? -minutes : minutes) * 60_000
        }
        guard let zone = TimeZone(identifier: tz) else { return nil }
        return Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(utcMillis) / 1000))) * 1000
    }

    /// The UTC instant of a local wall-clock time in `tz` (two passes settle DST edges).
    static func utc(fromLocal local: Int64, _ tz: String?) -> Int64? {
        guard var off = offsetMillis(tz, at: local) else { return nil }
        off = offsetMillis(tz, at: local - off) ?? off
        return local - off
    }
}

enum DateFormats {
    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                             "October", "November", "December"]
    static let dayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    /// strftime subset: %Y %y %m %d %e %H %I %M %S %L (ms) %f (µs) %p %j %a %A %b %B %h %u %w %s
    /// %z %Z %F %T %D %R %n %t %%. Unknown directives are copied verbatim.
    static func strftime(_ ms: Int64, _ format: String, offsetMillis: Int64, zoneName: String) -> String {
        let c = CivilTime(millis: ms + offsetMillis)
        var out = ""
        var it = format.makeIterator()
        func pad(_ v: Int, _ w: Int, _ fill: Character = "0") -> String {
            let s = String(v)
            return s.count >= w ? s : String(repeating: fill, count: w - s.count) + s
        }
        while let ch = it.next() {
            guard ch == "%" else { out.append(ch); continue }
            guard let d = it.next() else { out.append("%"); break }
            switch d {
            case "Y": out += pad(c.year, 4)
            case "y": out += pad(c.year % 100, 2)
            case "m": out += pad(c.month, 2)
            case "d": out += pad(c.day, 2)
            case "e": out += pad(c.day, 2, " ")
            case "H": out += pad(c.hour, 2)
            case "I": out += pad(c.hour % 12 == 0 ? 12 : c.hour % 12, 2)
            case "M": out += pad(c.minute, 2)
            case "S": out += pad(c.second, 2)
            case "L": out += pad(c.millisecond, 3)
            case "f": out += pad(c.millisecond * 1000, 6)
            case "p": out += c.hour < 12 ? "AM" : "PM"
            case "j": out += pad(c.dayOfYear, 3)
            case "a": out += String(dayNames[c.weekday].prefix(3))
            case "A": out += dayNames[c.weekday]
            case "b", "h": out += String(monthNames[c.month - 1].prefix(3))
            case "B": out += monthNames[c.month - 1]
            case "u": out += String(c.weekday == 0 ? 7 : c.weekday)
            case "w": out += String(c.weekday)
            case "s": out += String(Int64((Double(ms) / 1000).rounded(.down)))
            case "z":
                let m = Int(offsetMillis / 60_000)
                out += (m < 0 ? "-" : "+") + pad(abs(m) / 60, 2) + pad(abs(m) % 60, 2)
            case "Z": out += zoneName
            case "F": out += pad(c.year, 4) + "-" + pad(c.month, 2) + "-" + pad(c.day, 2)
            case "T": out += pad(c.hour, 2) + ":" + pad(c.minute, 2) + ":" + pad(c.second, 2)
            case "D": out += pad(c.month, 2) + "/" + pad(c.day, 2) + "/" + pad(c.year % 100, 2)
            case "R": out += pad(c.hour, 2) + ":" + pad(c.minute, 2)
            case "n": out += "\n"
            case "t": out += "\t"
            case "%": out += "%"
            default: out.append("%"); out.append(d)
            }
        }
        return out
    }

    /// Java `DateTimeFormatter` pattern subset for `parseDate`: y (yyyy, yy = 20yy), M (MM, MMM,
    /// MMMM), d, H, h with a, m, s, S… (fraction), E… (day name, skipped), X/x/Z (offset `Z`,
    /// `±hh`, `±hhmm`, `±hh:mm`), `'quoted literal'`; other characters must match literally.
    /// Returns the local wall-clock time as epoch ms and the offset found in the text, if any.
    static func parseJava(_ text: String, _ pattern: String) -> (local: Int64, offsetMillis: Int64?)? {
        // (pattern letter, repeat count); the letter "\0" marks a literal whose index in
        // `literals` is in the count slot.
        var tokens: [(Character, Int)] = []
        var literals: [String] = []
        let p = Array(pattern)
        var i = 0
        while i < p.count {
            let ch = p[i]
            if ch == "'" {
                var lit = ""
                i += 1
                while i < p.count {
                    if p[i] == "'" {
                        if i + 1 < p.count, p[i + 1] == "'" { lit.append("'"); i += 2; continue }
                        i += 1
                        break
                    }
                    lit.append(p[i]); i += 1
                }
                tokens.append(("\0", literals.count)); literals.append(lit)
            } else if ch.isLetter {
                var n = 1
                while i + n < p.count, p[i + n] == ch { n += 1 }
                tokens.append((ch, n)); i += n
            } else {
                tokens.append(("\0", literals.count)); literals.append(String(ch)); i += 1
            }
        }
        let s = Array(text)
        var pos = 0
        var year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, millis = 0
        var pm: Bool?
        var offset: Int64?
        func number(max: Int) -> Int? {
            var v = 0, n = 0
            while pos < s.count, n < max, let d = s[pos].wholeNumberValue, s[pos].isASCII { v = v * 10 + d; pos += 1; n += 1 }
            return n == 0 ? nil : v
        }
        for (k, (letter, count)) in tokens.enumerated() {
            // Fixed-width numeric fields when the next token is also numeric (`yyyyMMdd`).
            let nextIsNumeric = k + 1 < tokens.count && "yMdHhmsS".contains(tokens[k + 1].0)
            let width = { (natural: Int) in nextIsNumeric ? max(count, natural == 4 ? 4 : 2) : natural }
            switch letter {
            case "\0":
                let lit = Array(literals[count])
                guard pos + lit.count <= s.count, Array(s[pos..<(pos + lit.count)]) == lit else { return nil }
                pos += lit.count
            case "y", "u":
                guard let v = number(max: count == 2 ? 2 : width(9)) else { return nil }
                year = count == 2 ? 2000 + v : v
            case "M":
                if count >= 3 {
                    guard let idx = monthNames.firstIndex(where: { name in
                        let cand = count == 3 ? String(name.prefix(3)) : name
                        return pos + cand.count <= s.count && String(s[pos..<(pos + cand.count)]).lowercased() == cand.lowercased()
                    }) else { return nil }
                    pos += count == 3 ? 3 : monthNames[idx].count
                    month = idx + 1
                } else {
                    guard let v = number(max: width(2)) else { return nil }
                    month = v
                }
            case "d": guard let v = number(max: width(2)) else { return nil }; day = v
            case "H", "k": guard let v = number(max: width(2)) else { return nil }; hour = v
            case "h", "K": guard let v = number(max: width(2)) else { return nil }; hour = v % 12
            case "m": guard let v = number(max: width(2)) else { return nil }; minute = v
            case "s": guard let v = number(max: width(2)) else { return nil }; second = v
            case "S":
                let start = pos
                guard let v = number(max: count) else { return nil }
                let digits = pos - start
                millis = digits >= 3 ? v / Int(Foundation.pow(10, Double(digits - 3))) : v * Int(Foundation.pow(10, Double(3 - digits)))
            case "a":
                guard pos + 2 <= s.count else { return nil }
                let t = String(s[pos..<(pos + 2)]).uppercased()
                guard t == "AM" || t == "PM" else { return nil }
                pm = t == "PM"; pos += 2
            case "E":
                while pos < s.count, s[pos].isLetter { pos += 1 }
            case "X", "x", "Z":
                if pos < s.count, s[pos] == "Z" { offset = 0; pos += 1; continue }
                guard pos < s.count, s[pos] == "+" || s[pos] == "-" else { return nil }
                let sign: Int64 = s[pos] == "-" ? -1 : 1
                pos += 1
                guard let h = number(max: 2) else { return nil }
                if pos < s.count, s[pos] == ":" { pos += 1 }
                let m = number(max: 2) ?? 0
                offset = sign * Int64(h * 60 + m) * 60_000
            default:
                return nil
            }
        }
        guard pos == s.count, (1...12).contains(month), day >= 1, day <= CivilTime.daysInMonth(year, month),
              hour < 24, minute < 60, second < 61 else { return nil }
        if let pm { hour = hour % 12 + (pm ? 12 : 0) }
        let local = CivilTime(year: year, month: month, day: day, hour: hour, minute: minute, second: min(second, 59),
                              millisecond: millis).millis
        return (local, offset)
    }
}
