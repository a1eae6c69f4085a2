import UTCCalendar
import Foundation

/// `timestamp,value` text in, regular series out, and the scored CSV back: the pure half of
/// `trailwatch models score --csv`.
public enum SeriesCSV {
    public struct Row: Sendable, Equatable {
        /// 1-based line number in the input, for messages.
        public var line: Int
        public var millis: Int64
        public var value: Double
        /// Every field of the line as written, so the output can echo the input columns.
        public var fields: [String]
    }

    public struct BadRow: Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    public struct Table: Sendable, Equatable {
        /// The header line's fields, when the first line is one.
        public var header: [String]?
        public var rows: [Row]
        public var bad: [BadRow]
    }

    /// Parses the text. A first line whose timestamp field does not parse as a time is a header;
    /// when it names `timestamp` and `value` columns those are used, otherwise the first two.
    /// Blank lines are skipped; every other line that does not parse becomes a `BadRow`, never a
    /// silent drop. Fields may be double-quoted (RFC 4180).
    public static func parse(_ text: String) -> Table {
        var header: [String]?
        var rows: [Row] = []
        var bad: [BadRow] = []
        var timeColumn = 0, valueColumn = 1
        var lineNumber = 0
        var first = true
        text.enumerateLines { line, _ in
            lineNumber += 1
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { return }
            let fields = splitFields(line)
            if first {
                first = false
                if parseTimestamp(fields[0].trimmingCharacters(in: .whitespaces)) == nil {
                    header = fields
                    let names = fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                    if let t = names.firstIndex(of: "timestamp"), let v = names.firstIndex(of: "value") {
                        timeColumn = t
                        valueColumn = v
                    }
                    return
                }
            }
            guard fields.count > max(timeColumn, valueColumn) else {
                bad.append(BadRow(line: lineNumber, message: "expected at least \(max(timeColumn, valueColumn) + 1) fields, found \(fields.count)"))
                return
            }
            let ts = fields[timeColumn].trimmingCharacters(in: .whitespaces)
            guard let millis = parseTimestamp(ts) else {
                bad.append(BadRow(line: lineNumber, message: "'\(ts)' is not a timestamp (ISO-8601 or YYYY-MM-DD HH:MM:SS, UTC)"))
                return
            }
            let vs = fields[valueColumn].trimmingCharacters(in: .whitespaces)
            guard let value = Double(vs), value.isFinite else {
                bad.append(BadRow(line: lineNumber, message: "'\(vs)' is not a finite number"))
                return
            }
            rows.append(Row(line: lineNumber, millis: millis, value: value, fields: fields))
        }
        return Table(header: header, rows: rows, bad: bad)
    }

    static func splitFields(_ line: String) -> [String] {
        guard line.contains("\"") else { return line.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        var fields: [String] = []
        var current = ""
        var quoted = false
        var chars = Array(line)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" { current.append("\""); chars.removeFirst() } else { quoted = false }
                } else {
                    current.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                fields.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        fields.append(current)
        return fields
    }

    /// `YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]` or the same with a space instead of `T`; no zone
    /// means UTC. Also a bare date (midnight UTC). Returns epoch milliseconds.
    public static func parseTimestamp(_ s: String) -> Int64? {
        let b = Array(s.utf8)
        func digits(_ at: Int, _ n: Int) -> Int? {
            guard at + n <= b.count else { return nil }
            var v = 0
            for i in at..<(at + n) {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                v = v * 10 + Int(b[i] - 48)
            }
            return v
        }
        guard let year = digits(0, 4), b.count >= 10, b[4] == UInt8(ascii: "-"), let month = digits(5, 2),
              b[7] == UInt8(ascii: "-"), let day = digits(8, 2) else { return nil }
        guard (1...12).contains(month), day >= 1, day <= DayNumber.daysInMonth(year: year, month: month) else { return nil }
        var hour = 0, minute = 0, second = 0, millis = 0, offset = 0
        var i = 10
        if i < b.count {
            guard b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: " "), let h = digits(11, 2), b.count > 13,
                  b[13] == UInt8(ascii: ":"), let m = digits(14, 2) else { return nil }
            hour = h
            minute = m
            i = 16
            if i < b.count, b[i] == UInt8(ascii: ":") {
                guard let sec = digits(17, 2) else { return nil }
                second = sec
                i = 19
                if i < b.count, b[i] == UInt8(ascii: ".") {
                    i += 1
                    var scale = 100, any = false
                    while i < b.count, b[i] >= 48, b[i] <= 57 {
                        millis += Int(b[i] - 48) * scale
                        scale /= 10
                        i += 1
                        any = true
                    }
                    guard any else { return nil }
                }
            }
            if i < b.count {
                if b[i] == UInt8(ascii: "Z") && i == b.count - 1 {
                    i += 1
                } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                    let sign = b[i] == UInt8(ascii: "+") ? 1 : -1
                    guard let oh = digits(i + 1, 2) else { return nil }
                    var j = i + 3
                    if j < b.count, b[j] == UInt8(ascii: ":") { j += 1 }
                    guard let om = digits(j, 2), j + 2 == b.count, oh <= 23, om <= 59 else { return nil }
                    offset = sign * (oh * 60 + om)
                    i = b.count
                } else {
                    return nil
                }
            }
            guard hour <= 23, minute <= 59, second <= 60 else { return nil }
        }
        let days = DayNumber.of(year: year, month: month, day: day)
        let total = ((days * 24 + hour) * 60 + minute - offset) * 60 + second
        return Int64(total) * 1000 + Int64(millis)
    }

    /// `5m`, `1h`, `30s`, `1d`, or a plain number of seconds.
    public static func parsePeriod(_ s: String) -> Int64? {
        let t = s.trimmingCharacters(in: .whitespaces).lowercased()
        guard let unit = t.last else { return nil }
        let scale: Int64
        var number = t
        switch unit {
        case "s": scale = 1000; number.removeLast()
        case "m": scale = 60_000; number.removeLast()
        case "h": scale = 3_600_000; number.removeLast()
        case "d": scale = millisPerDay; number.removeLast()
        default: scale = 1000
        }
        guard let n = Int64(number), n > 0, n <= 366 * millisPerDay / scale else { return nil }
        return n * scale
    }

    /// The median gap between consecutive distinct timestamps: robust to a few missing or doubled
    /// samples, which a mean or a minimum is not. Rounded to whole seconds. nil with fewer than two
    /// distinct times.
    public static func inferPeriod(_ times: [Int64]) -> Int64? {
        let sorted = Array(Set(times)).sorted()
        guard sorted.count >= 2 else { return nil }
        let gaps = zip(sorted.dropFirst(), sorted).map { Double($0 - $1) }
        let m = median(gaps)
        let seconds = max(1, (m / 1000).rounded())
        return Int64(seconds) * 1000
    }

    public enum Aggregation: String, Sendable, Equatable {
        /// Counts: events in a period add up.
        case sum
        /// Gauges (CPU %, latency): readings in a period average.
        case mean
    }

    /// Buckets rows into periods aligned to multiples of `periodMillis` since the epoch. Periods
    /// with no row are missing (NaN), not zero: for a gauge, absence is not a reading of 0.
    public static func regularize(_ rows: [Row], periodMillis: Int64, aggregation: Aggregation) -> (series: RegularSeries, rowsPerPeriod: [Int]) {
        guard let lo = rows.map(\.millis).min(), let hi = rows.map(\.millis).max() else {
            return (RegularSeries(startMillis: 0, periodMillis: periodMillis, values: []), [])
        }
        let start = OnlineScorer.floorMultiple(lo, periodMillis)
        let count = Int((OnlineScorer.floorMultiple(hi, periodMillis) - start) / periodMillis) + 1
        var sums = [Double](repeating: 0, count: count)
        var counts = [Int](repeating: 0, count: count)
        for r in rows {
            let i = Int((r.millis - start) / periodMillis)
            sums[i] += r.value
            counts[i] += 1
        }
        let values = (0..<count).map { i -> Double in
            guard counts[i] > 0 else { return .nan }
            return aggregation == .sum ? sums[i] : sums[i] / Double(counts[i])
        }
        return (RegularSeries(startMillis: start, periodMillis: periodMillis, values: values), counts)
    }

    /// A number for a CSV cell: integers without a fraction, others with up to six decimals and
    /// no trailing zeros, so output is exact where the input was and stable across runs.
    public static func format(_ v: Double) -> String {
        guard v.isFinite else { return "" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        var s = String(format: "%.6f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s == "-0" ? "0" : s
    }

    /// Quotes a field that needs it (RFC 4180).
    public static func escape(_ field: String) -> String {
        guard field.contains(",") || field.contains("\"") || field.contains("\n") else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    public static func isoString(_ millis: Int64) -> String {
        let secs = Int(floorDiv(millis, 1000))
        let ms = Int(millis - Int64(secs) * 1000)
        let days = floorDiv(Int64(secs), 86_400)
        let rem = Int(Int64(secs) - days * 86_400)
        let (y, m, d) = DayNumber.date(Int(days))
        let base = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d, rem / 3600, rem / 60 % 60, rem % 60)
        return base + (ms == 0 ? "Z" : String(format: ".%03dZ", ms))
    }
}

private func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}


