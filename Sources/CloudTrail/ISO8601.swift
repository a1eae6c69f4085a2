import UTCCalendar
/// ISO-8601 timestamps on raw bytes, for `eventTime` and CloudWatch export lines.
///
/// Foundation's formatters cost 1–100 µs a call on Linux; this is a few nanoseconds, which
/// matters at a million records. It is deliberately strict: anything but
/// `YYYY-MM-DDTHH:MM:SS(.f+)?(Z|±HH:MM)` with in-range fields is rejected, so garbage never
/// turns into a plausible time.
public enum ISO8601 {
    /// Epoch milliseconds, or nil when `bytes` is not exactly one valid timestamp. Fractions
    /// beyond milliseconds are truncated.
    public static func parseMillis(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        let n = bytes.count
        guard n >= 20, let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        @inline(__always) func d(_ i: Int) -> Int? {
            let v = Int(base[i]) &- 0x30
            return v >= 0 && v <= 9 ? v : nil
        }
        guard let y0 = d(0), let y1 = d(1), let y2 = d(2), let y3 = d(3), base[4] == 0x2D,
            let mo0 = d(5), let mo1 = d(6), base[7] == 0x2D,
            let d0 = d(8), let d1 = d(9), base[10] == 0x54,
            let h0 = d(11), let h1 = d(12), base[13] == 0x3A,
            let mi0 = d(14), let mi1 = d(15), base[16] == 0x3A,
            let s0 = d(17), let s1 = d(18)
        else { return nil }
        let year = y0 * 1000 + y1 * 100 + y2 * 10 + y3
        let month = mo0 * 10 + mo1
        let day = d0 * 10 + d1
        let hour = h0 * 10 + h1
        let minute = mi0 * 10 + mi1
        let second = s0 * 10 + s1
        guard month >= 1, month <= 12, day >= 1, day <= DayNumber.daysInMonth(year: year, month: month), hour <= 23, minute <= 59, second <= 59
        else { return nil }

        var i = 19
        var millis = 0
        if base[i] == 0x2E {
            i += 1
            let start = i
            var scale = 100
            while i < n, let v = d(i) {
                millis += v * scale
                scale /= 10
                i += 1
            }
            guard i > start, i < n else { return nil }
        }
        var offsetSeconds = 0
        switch base[i] {
        case 0x5A:
            i += 1
        case 0x2B, 0x2D:
            guard i + 6 == n, let oh0 = d(i + 1), let oh1 = d(i + 2), base[i + 3] == 0x3A, let om0 = d(i + 4), let om1 = d(i + 5)
            else { return nil }
            let oh = oh0 * 10 + oh1, om = om0 * 10 + om1
            guard oh <= 23, om <= 59 else { return nil }
            offsetSeconds = (oh * 3600 + om * 60) * (base[i] == 0x2D ? -1 : 1)
            i += 6
        default:
            return nil
        }
        guard i == n else { return nil }
        let days = DayNumber.of(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second - offsetSeconds)
        return seconds * 1000 + Int64(millis)
    }

    public static func parseMillis(_ bytes: [UInt8]) -> Int64? {
        bytes.withUnsafeBytes { parseMillis($0) }
    }

    public static func parseMillis(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { parseMillis(UnsafeRawBufferPointer($0)) }
    }

    /// UTC text: `YYYY-MM-DDTHH:MM:SSZ` for whole seconds (CloudTrail's `eventTime` form) and
    /// `YYYY-MM-DDTHH:MM:SS.fffZ` otherwise, so `parseMillis(format(millis: x)) == x`.
    public static func format(millis: Int64) -> String {
        let (secs, ms) = floorDivMod(millis, 1000)
        let (days, sod) = floorDivMod(secs, 86_400)
        let (y, m, d) = DayNumber.date(Int(days))
        let hour = Int(sod / 3600), minute = Int(sod / 60 % 60), second = Int(sod % 60)
        return String(unsafeUninitializedCapacity: 32) { buf in
            var n = 0
            func put(_ value: Int, _ width: Int) {
                var v = value
                var k = n + width - 1
                while k >= n {
                    buf[k] = UInt8(truncatingIfNeeded: 0x30 + v % 10)
                    v /= 10
                    k -= 1
                }
                n += width
            }
            func put(byte: UInt8) {
                buf[n] = byte
                n += 1
            }
            if y < 0 { put(byte: 0x2D) }
            put(abs(y), 4); put(byte: 0x2D)
            put(m, 2); put(byte: 0x2D)
            put(d, 2); put(byte: 0x54)
            put(hour, 2); put(byte: 0x3A)
            put(minute, 2); put(byte: 0x3A)
            put(second, 2)
            if ms != 0 {
                put(byte: 0x2E)
                put(Int(ms), 3)
            }
            put(byte: 0x5A)
            return n
        }
    }



    @inline(__always) static func floorDivMod(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        var q = a / b, r = a % b
        if r < 0 { q -= 1; r += b }
        return (q, r)
    }
}
