import UTCCalendar
/// Text formats CloudWatch uses in alarm reasons, reason data and notifications. Written by hand
/// rather than with Foundation formatters: the output must be byte-identical on every platform and
/// Foundation's date formatters are slow and locale-sensitive on Linux.
public enum CloudWatchFormat {
    /// A double the way CloudWatch (a Java service) prints it: `Double.toString` — shortest
    /// round-trip digits, always a fraction part (`1.0`), scientific notation below 10⁻³ and from
    /// 10⁷ up (`1.0E7`, `2.5E-4`).
    public static func number(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x < 0 ? "-Infinity" : "Infinity" }
        if x == 0 { return x.sign == .minus ? "-0.0" : "0.0" }
        let magnitude = abs(x)
        if magnitude >= 1e-3 && magnitude < 1e7 {
            // Swift's description is also shortest round-trip and is positional in this range.
            return x.description
        }
        let (digits, exponent) = decimalDigits(magnitude)
        let first = digits.prefix(1)
        let rest = digits.dropFirst()
        return (x < 0 ? "-" : "") + first + "." + (rest.isEmpty ? "0" : rest) + "E" + String(exponent)
    }

    /// Shortest round-trip significant digits of a positive finite double and the decimal
    /// exponent of the first digit (x = d.ddd × 10^exponent).
    static func decimalDigits(_ x: Double) -> (digits: String, exponent: Int) {
        let text = x.description
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...].replacingPlus()) ?? 0
        }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let integer = parts.first.map(String.init) ?? ""
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        var all = Array(integer + fraction)
        var leadingZeros = 0
        while let c = all.first, c == "0", all.count > 1 { all.removeFirst(); leadingZeros += 1 }
        while let c = all.last, c == "0", all.count > 1 { all.removeLast() }
        return (String(all), exponent + integer.count - 1 - leadingZeros)
    }

    /// `dd/MM/yy HH:mm:ss` in UTC, as datapoints appear in state reasons.
    public static func reasonTimestamp(_ millis: Int64) -> String {
        let t = UTCTime(millis)
        return "\(pad(t.day))/\(pad(t.month))/\(pad(t.year % 100)) \(pad(t.hour)):\(pad(t.minute)):\(pad(t.second))"
    }

    /// `yyyy-MM-dd'T'HH:mm:ss.SSS+0000`, CloudWatch's timestamp format in notifications and
    /// reason data.
    public static func timestamp(_ millis: Int64) -> String {
        let t = UTCTime(millis)
        return "\(pad(t.year, 4))-\(pad(t.month))-\(pad(t.day))T\(pad(t.hour)):\(pad(t.minute)):\(pad(t.second)).\(pad(t.millisecond, 3))+0000"
    }

    static func pad(_ value: Int, _ width: Int = 2) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}

private extension Substring {
    func replacingPlus() -> Substring { first == "+" ? dropFirst() : self }
}

/// A UTC calendar breakdown of epoch milliseconds (proleptic Gregorian; Howard Hinnant's
/// days-from-civil inverse).
struct UTCTime {
    var year, month, day, hour, minute, second, millisecond: Int

    init(_ millis: Int64) {
        let t = UTCDateTime(millis: millis)
        (year, month, day) = (t.year, t.month, t.day)
        (hour, minute, second, millisecond) = (t.hour, t.minute, t.second, t.millisecond)
    }
}

/// A minimal JSON writer that keeps keys in insertion order and prints numbers as CloudWatch
/// does, so payloads are stable byte for byte (JSONEncoder sorts keys alphabetically at best and
/// prints `1.0` as `1`).
indirect enum OrderedJSON: Sendable {
    case string(String)
    case number(Double)
    case integer(Int64)
    case bool(Bool)
    case null
    case array([OrderedJSON])
    case object([(String, OrderedJSON)])

    static func optional(_ s: String?) -> OrderedJSON { s.map(OrderedJSON.string) ?? .null }

    func render() -> String {
        var out = ""
        write(into: &out)
        return out
    }

    func write(into out: inout String) {
        switch self {
        case .string(let s): OrderedJSON.writeString(s, into: &out)
        case .number(let d): out += d.isFinite ? CloudWatchFormat.number(d) : "null"
        case .integer(let i): out += String(i)
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.write(into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, (key, value)) in members.enumerated() {
                if i > 0 { out += "," }
                OrderedJSON.writeString(key, into: &out)
                out += ":"
                value.write(into: &out)
            }
            out += "}"
        }
    }

    static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
