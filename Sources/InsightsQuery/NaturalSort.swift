/// The ordering of `sort`, `dedup`, `min`/`max`, `sortsFirst`/`sortsLast` and of `stats` output
/// (spec §4.5): "number values" (numbers, timestamps, booleans, numeric-looking strings) come after
/// every other value and compare numerically; other values compare by natural sort — runs of
/// digits by length, then value; everything else by Unicode scalar value. Null (and lists/maps,
/// which cannot be sorted) come last in ascending order. Descending is the exact reverse.
enum NaturalSort {
    /// A precomputed sort key, so a sort compares keys without re-deriving them. Numbers keep
    /// their value; their text is only needed to break ties between equal values.
    enum Key {
        case text(String)
        case number(Double, InsightsValue)
        case null

        @inline(__always)
        init(_ value: InsightsValue) {
            switch value {
            case .null, .list, .map: self = .null
            case .number(let d): self = .number(d, value)
            case .timestamp(let ms): self = .number(Double(ms), value)
            case .bool(let b): self = .number(b ? 1 : 0, value)
            case .string(let s):
                if let d = parseStrictNumber(s) { self = .number(d, value) } else { self = .text(s) }
            }
        }
    }

    /// -1, 0, 1 in ascending order.
    static func compare(_ a: Key, _ b: Key) -> Int {
        switch (a, b) {
        case (.null, .null): return 0
        case (.null, _): return 1
        case (_, .null): return -1
        case (.text, .number): return -1
        case (.number, .text): return 1
        case (.text(let x), .text(let y)): return compareText(x, y)
        case (.number(let x, let xv), .number(let y, let yv)):
            if x < y { return -1 }
            if x > y { return 1 }
            // Equal values ("01" and "1"): the documented list puts "01" first — plain text order.
            let xs = xv.text ?? "", ys = yv.text ?? ""
            return xs == ys ? 0 : (xs.utf8.lexicographicallyPrecedes(ys.utf8) ? -1 : 1)
        }
    }

    static func compare(_ a: InsightsValue, _ b: InsightsValue) -> Int {
        compare(Key(a), Key(b))
    }

    static func compareText(_ a: String, _ b: String) -> Int {
        if a == b { return 0 }
        var a = a, b = b
        return a.withUTF8 { pa in b.withUTF8 { pb in compareText(pa, pb) } }
    }

    /// Natural comparison of UTF-8 text. UTF-8 byte order equals Unicode scalar order, and digits
    /// are ASCII, so no decoding is needed.
    static func compareText(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        var i = 0, j = 0
        let n = a.count, m = b.count
        while i < n && j < m {
            let x = a[i], y = b[j]
            if isDigit(x) && isDigit(y) {
                var ie = i, je = j
                while ie < n && isDigit(a[ie]) { ie += 1 }
                while je < m && isDigit(b[je]) { je += 1 }
                let lx = ie - i, ly = je - j
                if lx != ly { return lx < ly ? -1 : 1 }
                // Same length: digit strings compare like their values.
                for k in 0..<lx where a[i + k] != b[j + k] { return a[i + k] < b[j + k] ? -1 : 1 }
                i = ie; j = je
                continue
            }
            if x != y { return x < y ? -1 : 1 }
            i += 1; j += 1
        }
        if i < n { return 1 }
        if j < m { return -1 }
        return 0
    }

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
}
