import TrailJSON
import UTCCalendar

// Rendering values as text (spec §8), converting JSON leaves (spec §9), and the numeric view of
// a value that comparisons and arithmetic use (spec §3 coercion).

extension InsightsValue {
    /// The value as CloudWatch would return it in a result cell: timestamps
    /// `yyyy-MM-dd HH:mm:ss.SSS` (UTC), numbers in shortest round-trip form (integers without
    /// `.0`), booleans `1`/`0`, lists and maps as compact JSON; nil for null (an empty cell, or an
    /// absent key in JSON output).
    public var text: String? {
        switch self {
        case .null: return nil
        case .string(let s): return s
        case .number(let d): return InsightsValue.formatNumber(d)
        case .timestamp(let ms): return InsightsValue.formatTimestamp(ms)
        case .bool(let b): return b ? "1" : "0"
        case .list, .map: return structuredJSON.jsonText()
        }
    }

    /// The value for `--format json`: numbers stay numbers, booleans become 1/0, timestamps their
    /// text form, lists/maps nested JSON, null JSON null.
    public var jsonValue: JSONValue {
        switch self {
        case .null: return .null
        case .string(let s): return .string(s)
        case .number(let d): return d.isFinite ? .number(d) : .null
        case .timestamp(let ms): return .string(InsightsValue.formatTimestamp(ms))
        case .bool(let b): return .number(b ? 1 : 0)
        case .list, .map: return structuredJSON
        }
    }

    /// A field leaf read from a JSON record (spec §9): JSON null is absent, booleans are the strings
    /// "true"/"false", numbers stay numbers, and objects/arrays are not addressable (only their
    /// leaves are), so they read as null.
    public static func fromJSON(_ json: JSONValue) -> InsightsValue {
        switch json {
        case .null, .object, .array: return .null
        case .bool(let b): return .string(b ? "true" : "false")
        case .number(let d): return .number(d)
        case .string(let s): return .string(s)
        }
    }

    /// A whole JSON document as a structure value (`jsonParse`): objects become maps, arrays
    /// lists; booleans inside structures stay booleans so `jsonStringify` writes them back as
    /// `true`/`false`.
    public static func fromParsedJSON(_ json: JSONValue) -> InsightsValue {
        switch json {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let d): return .number(d)
        case .string(let s): return .string(s)
        case .array(let a): return .list(a.map(fromParsedJSON))
        case .object(let o): return .map(InsightsMap(keys: Array(o.keys), values: o.values.map(fromParsedJSON)))
        }
    }

    /// JSON for a value nested in a list or map (booleans as JSON booleans there).
    var structuredJSON: JSONValue {
        switch self {
        case .null: return .null
        case .string(let s): return .string(s)
        case .number(let d): return d.isFinite ? .number(d) : .null
        case .timestamp(let ms): return .string(InsightsValue.formatTimestamp(ms))
        case .bool(let b): return .bool(b)
        case .list(let l): return .array(l.map(\.structuredJSON))
        case .map(let m): return .object(JSONObject(Array(zip(m.keys, m.values.map(\.structuredJSON)))))
        }
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    // MARK: Number and timestamp text

    /// Shortest round-trip decimal; integral values below 1e15 print without a fraction.
    public static func formatNumber(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.rounded() == d && abs(d) < 1e15 { return String(Int64(d)) }
        return "\(d)"
    }

    /// `yyyy-MM-dd HH:mm:ss.SSS` in UTC.
    public static func formatTimestamp(_ ms: Int64) -> String {
        let c = CivilTime(millis: ms)
        var out = [UInt8]()
        out.reserveCapacity(23)
        func put(_ v: Int, _ width: Int) {
            var digits = [UInt8](repeating: 48, count: width)
            var x = abs(v)
            var i = width - 1
            while i >= 0 { digits[i] = UInt8(48 + x % 10); x /= 10; i -= 1 }
            if v < 0 { out.append(45) }
            out += digits
        }
        put(c.year, 4); out.append(45); put(c.month, 2); out.append(45); put(c.day, 2)
        out.append(32); put(c.hour, 2); out.append(58); put(c.minute, 2); out.append(58); put(c.second, 2)
        out.append(46); put(c.millisecond, 3)
        return String(decoding: out, as: UTF8.self)
    }
}

// MARK: - Numeric views

extension InsightsValue {
    /// The number a value stands for in arithmetic and numeric comparison: numbers, numeric-looking
    /// strings, timestamps (epoch ms) and booleans (1/0). Lists, maps, null and other strings: nil.
    @inline(__always)
    var numeric: Double? {
        switch self {
        case .number(let d): return d
        case .string(let s): return parseStrictNumber(s)
        case .timestamp(let ms): return Double(ms)
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    /// The string a value stands for in string functions, `like` and `in`: its rendered text;
    /// nil for null, lists and maps ("maps and lists are treated as null for string functions").
    @inline(__always)
    var stringForm: String? {
        switch self {
        case .string(let s): return s
        case .null, .list, .map: return nil
        default: return text
        }
    }
}

/// The numbers the language accepts in text: `-?\d+(\.\d*)?([eE][+-]?\d+)?` or `-?\.\d+…`,
/// optional leading `+`. Stricter than `Double(_:)`, which also takes `nan`, `inf` and hex floats
/// that must stay strings here.
func parseStrictNumber(_ s: String) -> Double? {
    var s = s
    return s.withUTF8 { b -> Double? in
        let n = b.count
        if n == 0 || n > 64 { return nil }
        var i = 0
        if b[0] == 45 || b[0] == 43 { i = 1 }
        var digits = 0
        var intValue: Int64 = 0
        var simple = true
        while i < n, b[i] >= 48, b[i] <= 57 {
            if digits < 18 { intValue = intValue * 10 + Int64(b[i] - 48) } else { simple = false }
            digits += 1; i += 1
        }
        if i < n, b[i] == 46 {
            simple = false
            i += 1
            while i < n, b[i] >= 48, b[i] <= 57 { digits += 1; i += 1 }
        }
        if digits == 0 { return nil }
        if i < n, b[i] == 101 || b[i] == 69 {
            simple = false
            i += 1
            if i < n, b[i] == 43 || b[i] == 45 { i += 1 }
            var expDigits = 0
            while i < n, b[i] >= 48, b[i] <= 57 { expDigits += 1; i += 1 }
            if expDigits == 0 { return nil }
        }
        if i != n { return nil }
        // Plain integers (the common case: status codes, ports, account ids) skip the float parser.
        if simple { return b[0] == 45 ? -Double(intValue) : Double(intValue) }
        return Double(String(decoding: b, as: UTF8.self))
    }
}

// MARK: - Civil time (UTC), without Foundation

/// Proleptic-Gregorian date and time of an epoch-millisecond instant, UTC (Howard Hinnant's
/// days-from-civil algorithms; exact for any Int64 day count in range).
struct CivilTime: Equatable {
    var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int

    init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, millisecond: Int = 0) {
        self.year = year; self.month = month; self.day = day
        self.hour = hour; self.minute = minute; self.second = second; self.millisecond = millisecond
    }

    init(millis: Int64) {
        let t = UTCDateTime(millis: millis)
        self.init(year: t.year, month: t.month, day: t.day, hour: t.hour, minute: t.minute, second: t.second, millisecond: t.millisecond)
    }

    var millis: Int64 {
        let days = Int64(CivilTime.days(fromCivil: year, month, day))
        return days * 86_400_000 + Int64(hour) * 3_600_000 + Int64(minute) * 60_000 + Int64(second) * 1000 + Int64(millisecond)
    }

    /// 0 = Sunday.
    var weekday: Int {
        let days = CivilTime.days(fromCivil: year, month, day)
        return ((days % 7) + 11) % 7  // 1970-01-01 was a Thursday (4).
    }

    var dayOfYear: Int { CivilTime.days(fromCivil: year, month, day) - CivilTime.days(fromCivil: year, 1, 1) + 1 }

    static func days(fromCivil y: Int, _ m: Int, _ d: Int) -> Int { DayNumber.of(year: y, month: m, day: d) }

    static func daysInMonth(_ y: Int, _ m: Int) -> Int { DayNumber.daysInMonth(year: y, month: m) }
}

/// ISO-8601 / RFC 3339 text → epoch ms: `2022-01-14T13:18:31.000-08:00`, `2023-05-01T10:00:00Z`,
/// `2023-05-01 10:00:00.123`, `2023-05-01` (no zone = UTC). Used by `toMillis` on strings and
/// by `JSONRecord` for CloudTrail `eventTime`.
public func parseISO8601Millis(_ text: String) -> Int64? {
    let b = Array(text.utf8)
    var i = 0
    func num(_ width: Int) -> Int? {
        guard i + width <= b.count else { return nil }
        var v = 0
        for k in i..<(i + width) {
            guard b[k] >= 48, b[k] <= 57 else { return nil }
            v = v * 10 + Int(b[k] - 48)
        }
        i += width
        return v
    }
    func eat(_ c: UInt8) -> Bool {
        if i < b.count, b[i] == c { i += 1; return true }
        return false
    }
    guard let y = num(4), eat(45), let mo = num(2), eat(45), let d = num(2),
          (1...12).contains(mo), d >= 1, d <= CivilTime.daysInMonth(y, mo) else { return nil }
    var t = CivilTime(year: y, month: mo, day: d)
    if i == b.count { return t.millis }
    guard eat(84) || eat(116) || eat(32) else { return nil }
    guard let h = num(2), eat(58), let mi = num(2), h < 24, mi < 60 else { return nil }
    t.hour = h; t.minute = mi
    if eat(58) {
        // Accept more than two second digits only as the documented `31.000` typo form would not
        // parse anyway; seconds are exactly two digits.
        guard let s = num(2), s < 61 else { return nil }
        t.second = min(s, 59)
        if eat(46) || eat(44) {
            var frac = 0, digits = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if digits < 3 { frac = frac * 10 + Int(b[i] - 48) }
                digits += 1; i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<3 where digits < 3 { frac *= 10 }
            t.millisecond = frac
        }
    }
    var offsetMinutes = 0
    if i < b.count {
        if eat(90) || eat(122) {
        } else if b[i] == 43 || b[i] == 45 {
            let sign = b[i] == 45 ? -1 : 1
            i += 1
            guard let oh = num(2) else { return nil }
            _ = eat(58)
            let om = i < b.count ? (num(2) ?? -1) : 0
            guard om >= 0, oh < 24, om < 60 else { return nil }
            offsetMinutes = sign * (oh * 60 + om)
        } else {
            return nil
        }
    }
    guard i == b.count else { return nil }
    return t.millis - Int64(offsetMinutes) * 60_000
}
