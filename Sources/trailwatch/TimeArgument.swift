import CloudTrail
import Foundation

/// Points in time on the command line: ISO-8601 (`2026-10-09T03:00:00Z`, or a date
/// `2026-10-09` for its midnight UTC), `now`, or relative to now (`-7d`, `-90m`, `-2h`, `-30s`, `-1w`).
enum TimeArgument {
    struct Invalid: Error, CustomStringConvertible {
        var text: String
        var description: String {
            "invalid time '\(text)': expected ISO-8601 (2026-10-09T03:00:00Z or 2026-10-09), now, or a relative time such as -7d, -90m, -2h"
        }
    }

    static func parse(_ text: String, now: Int64 = nowMillis()) throws -> Int64 {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t == "now" { return now }
        if t.first == "-" || t.first == "+", let unit = t.last, let n = Int64(t.dropFirst().dropLast()), n >= 0 {
            let scale: Int64
            switch unit {
            case "s": scale = 1000
            case "m": scale = 60_000
            case "h": scale = 3_600_000
            case "d": scale = 86_400_000
            case "w": scale = 604_800_000
            default: throw Invalid(text: text)
            }
            return t.first == "-" ? now - n * scale : now + n * scale
        }
        if let ms = ISO8601.parseMillis(t) { return ms }
        if t.count == 10, let ms = ISO8601.parseMillis(t + "T00:00:00Z") { return ms }
        throw Invalid(text: text)
    }

    static func nowMillis() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
}

/// Periods such as `60`, `5m`, `1h`, `1d`: whole minutes from one minute to one day, as metric
/// datapoints are per minute.
enum PeriodArgument {
    static func parse(_ text: String) throws -> Int64 {
        let scale: Int64
        var digits = Substring(text)
        switch text.last {
        case "s": scale = 1000; digits = digits.dropLast()
        case "m": scale = 60_000; digits = digits.dropLast()
        case "h": scale = 3_600_000; digits = digits.dropLast()
        case "d": scale = 86_400_000; digits = digits.dropLast()
        default: scale = 1000
        }
        guard let n = Int64(digits), n > 0 else { throw CLIError("invalid period '\(text)': expected e.g. 60, 5m, 1h, 1d") }
        let ms = n * scale
        guard ms % 60_000 == 0, ms >= 60_000, ms <= 86_400_000 else {
            throw CLIError("invalid period '\(text)': must be whole minutes from 1m to 1d")
        }
        return ms
    }
}
