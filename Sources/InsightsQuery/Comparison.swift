/// Comparison and arithmetic semantics (spec §3; documented in docs/insights.md "Null semantics"
/// and "Comparison and coercion").
enum Operators {
    /// Three-way comparison with the spec's coercion: when both operands read as numbers
    /// (numbers, numeric-looking strings, timestamps as epoch ms, booleans as 1/0) they compare
    /// numerically, otherwise their text forms compare by Unicode scalar order. nil when either
    /// side is null, a list or a map: such a comparison is *unknown*, not true or false.
    @inline(__always)
    static func compare(_ a: InsightsValue, _ b: InsightsValue) -> Int? {
        if let x = a.numeric, let y = b.numeric {
            return x < y ? -1 : (x > y ? 1 : 0)
        }
        guard let s = a.stringForm, let t = b.stringForm else { return nil }
        if s == t { return 0 }
        return s.utf8.lexicographicallyPrecedes(t.utf8) ? -1 : 1
    }

    /// Arithmetic. Numbers and numeric-looking strings combine as doubles; a timestamp plus or
    /// minus a number of milliseconds stays a timestamp, the difference of two timestamps is a
    /// number of ms; anything else that is not numeric (or a non-finite result, a division or
    /// modulo by zero) is null.
    static func arithmetic(_ op: BinaryOperator, _ a: InsightsValue, _ b: InsightsValue) -> InsightsValue {
        guard let x = a.numeric, let y = b.numeric else { return .null }
        let r: Double
        switch op {
        case .add: r = x + y
        case .subtract: r = x - y
        case .multiply: r = x * y
        case .divide:
            guard y != 0 else { return .null }
            r = x / y
        case .modulo:
            guard y != 0 else { return .null }
            r = x.truncatingRemainder(dividingBy: y)
        case .power: r = power(x, y)
        default: return .null
        }
        guard r.isFinite else { return .null }
        switch (a, b, op) {
        case (.timestamp, .timestamp, .subtract): return .number(r)
        case (.timestamp, .timestamp, _): return .number(r)
        case (.timestamp, _, .add), (.timestamp, _, .subtract), (_, .timestamp, .add):
            return .timestamp(Int64(r.rounded(.down)))
        default: return .number(r)
        }
    }

    /// Kleene three-valued logic on unknown (null) truth values.
    @inline(__always) static func truth(_ v: InsightsValue) -> Bool? {
        switch v {
        case .bool(let b): return b
        case .null, .list, .map: return nil
        case .number(let d): return d != 0
        case .timestamp: return true
        case .string(let s):
            // A field used as a condition (`filter f`): numbers by value, "true"/"false" by name,
            // other text is true when non-empty.
            if let d = parseStrictNumber(s) { return d != 0 }
            if s == "false" { return false }
            return !s.isEmpty
        }
    }
}

@inline(__always) func power(_ x: Double, _ y: Double) -> Double {
    // Integer exponents exactly (2 ^ 3 = 8 without libm rounding); otherwise libm.
    if y == y.rounded(), abs(y) <= 64 {
        var result = 1.0, base = x, e = Int(abs(y))
        while e > 0 {
            if e & 1 == 1 { result *= base }
            base *= base
            e >>= 1
        }
        return y < 0 ? 1 / result : result
    }
    return Foundation.pow(x, y)
}

import Foundation

/// Substring search over UTF-8 bytes (the `like "text"` path: faster than String.contains, and
/// byte-exact, which is what a case-sensitive substring test means).
@inline(__always)
func utf8Contains(_ haystack: String, _ needle: [UInt8]) -> Bool {
    if needle.isEmpty { return true }
    var h = haystack
    return h.withUTF8 { hb -> Bool in
        let n = hb.count, m = needle.count
        if m > n { return false }
        let first = needle[0]
        var i = 0
        let last = n - m
        while i <= last {
            if hb[i] == first {
                var k = 1
                while k < m && hb[i + k] == needle[k] { k += 1 }
                if k == m { return true }
            }
            i += 1
        }
        return false
    }
}
