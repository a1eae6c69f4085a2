/// A push-based pipeline: each command is a stage that receives rows one at a time and passes
/// rows on. Streaming stages (`filter`, `fields`, `parse`, `unnest`, `limit`) keep nothing;
/// materialising stages (`stats`, `sort`, `dedup` on unsorted input, `pattern`) buffer until
/// `finish()`. `push` returns false when no more rows are wanted (a satisfied `limit`), which
/// stops the source early.
protocol Stage: AnyObject {
    func push(_ row: Row) throws -> Bool
    func finish() throws
}

final class FilterStage: Stage {
    let predicate: (Row) -> Bool
    let next: Stage
    init(_ predicate: @escaping (Row) -> Bool, next: Stage) { self.predicate = predicate; self.next = next }
    func push(_ row: Row) throws -> Bool { predicate(row) ? try next.push(row) : true }
    func finish() throws { try next.finish() }
}

/// `fields` (and slot assignments in general): evaluates in order, each seeing the previous.
final class AssignStage: Stage {
    let assignments: [(slot: Int, eval: Eval)]
    let slotCount: Int
    let next: Stage
    init(_ assignments: [(slot: Int, eval: Eval)], slotCount: Int, next: Stage) {
        self.assignments = assignments; self.slotCount = slotCount; self.next = next
    }
    func push(_ row: Row) throws -> Bool {
        var row = row
        row.ensureSlots(slotCount)
        for a in assignments { row.slots[a.slot] = a.eval(row) }
        return try next.push(row)
    }
    func finish() throws { try next.finish() }
}

extension Row {
    @inline(__always) mutating func ensureSlots(_ n: Int) {
        if slots.count < n { slots.append(contentsOf: repeatElement(.null, count: n - slots.count)) }
    }
}

/// Counts rows passing by (the query's `recordsMatched`).
final class CountStage: Stage {
    var count = 0
    let next: Stage
    init(next: Stage) { self.next = next }
    func push(_ row: Row) throws -> Bool { count += 1; return try next.push(row) }
    func finish() throws { try next.finish() }
}

/// The first N rows of an ordered stream (or any N for `limit any`).
final class LimitStage: Stage {
    var remaining: Int
    let next: Stage
    init(_ n: Int, next: Stage) { remaining = n; self.next = next }
    func push(_ row: Row) throws -> Bool {
        guard remaining > 0 else { return false }
        remaining -= 1
        let more = try next.push(row)
        return more && remaining > 0
    }
    func finish() throws { try next.finish() }
}

/// Sort keys compiled against a schema.
struct RowOrder {
    var keys: [Eval]
    var descending: [Bool]

    /// `@timestamp` descending: the order of event results that were not sorted (spec §4.5).
    static func timestampDescending(_ c: ExprCompiler) -> RowOrder { RowOrder(keys: [c.timestamp], descending: [true]) }

    func key(_ row: Row) -> [NaturalSort.Key] { keys.map { NaturalSort.Key($0(row)) } }

    func less(_ a: [NaturalSort.Key], _ sa: Int, _ b: [NaturalSort.Key], _ sb: Int) -> Bool {
        for i in a.indices {
            var c = NaturalSort.compare(a[i], b[i])
            if descending[i] { c = -c }
            if c != 0 { return c < 0 }
        }
        return sa < sb  // Stable: arrival order breaks ties.
    }
}

/// `sort` (all rows), or `sort … | limit N` and an unsorted stream's implicit `@timestamp desc`
/// with a limit (top N): the buffer is cut back to N whenever it reaches 2N, so memory stays
/// O(N) and the work O(n log N).
final class SortStage: Stage {
    let order: RowOrder
    let limit: Int?
    let next: Stage
    private var buffer: [(key: [NaturalSort.Key], seq: Int, row: Row)] = []
    private var seq = 0

    init(_ order: RowOrder, limit: Int?, next: Stage) {
        self.order = order; self.limit = limit; self.next = next
    }

    /// The last kept row after a cut: a row that does not sort before it cannot make the top N.
    private var threshold: (key: [NaturalSort.Key], seq: Int)?

    func push(_ row: Row) throws -> Bool {
        if let limit, limit <= 0 { return false }
        let key = order.key(row)
        defer { seq += 1 }
        if let t = threshold, !order.less(key, seq, t.key, t.seq) { return true }
        buffer.append((key, seq, row))
        if let limit, buffer.count >= max(2 * limit, 1024) { compact(limit) }
        return true
    }

    private func compact(_ n: Int) {
        buffer.sort { order.less($0.key, $0.seq, $1.key, $1.seq) }
        if buffer.count > n { buffer.removeLast(buffer.count - n) }
        if let limit, buffer.count == limit, let last = buffer.last { threshold = (last.key, last.seq) }
    }

    func finish() throws {
        compact(limit ?? buffer.count)
        for item in buffer {
            if try !next.push(item.row) { break }
        }
        buffer = []
        try next.finish()
    }
}

/// `dedup` over an ordered stream: the first row per key combination passes; rows with a null
/// key are always kept (spec §4.8).
final class DedupStage: Stage {
    let keys: [Eval]
    let next: Stage
    private var seen = Set<[InsightsValue]>()
    init(_ keys: [Eval], next: Stage) { self.keys = keys; self.next = next }
    func push(_ row: Row) throws -> Bool {
        let k = keys.map { $0(row) }
        if k.contains(where: \.isNull) { return try next.push(row) }
        guard seen.insert(k).inserted else { return true }
        return try next.push(row)
    }
    func finish() throws { try next.finish() }
}

/// `unnest f into a`: one row per list element; any other non-null value is a one-element list;
/// null and empty lists produce no rows.
final class UnnestStage: Stage {
    let source: Eval
    let slot: Int
    let slotCount: Int
    let next: Stage
    init(_ source: @escaping Eval, slot: Int, slotCount: Int, next: Stage) {
        self.source = source; self.slot = slot; self.slotCount = slotCount; self.next = next
    }
    func push(_ row: Row) throws -> Bool {
        var row = row
        row.ensureSlots(slotCount)
        switch source(row) {
        case .null: return true
        case .list(let items):
            for item in items {
                row.slots[slot] = item
                if try !next.push(row) { return false }
            }
            return true
        case let v:
            row.slots[slot] = v
            return try next.push(row)
        }
    }
    func finish() throws { try next.finish() }
}

/// `parse`: glob or regex; unmatched rows pass with the extracted fields null; `multi` emits a
/// row per match (a row without matches passes once, fields null).
final class ParseStage: Stage {
    enum Matcher {
        case glob(GlobPattern)
        /// `names`: capture names to read (nil = positional groups `1…k`, or 0 if none).
        case regex(Regex<AnyRegexOutput>, captures: [RegexCapture])
    }
    enum RegexCapture { case named(String), index(Int) }

    let source: Eval
    let matcher: Matcher
    let slots: [Int]
    let multi: Bool
    let slotCount: Int
    let next: Stage

    init(source: @escaping Eval, matcher: Matcher, slots: [Int], multi: Bool, slotCount: Int, next: Stage) {
        self.source = source; self.matcher = matcher; self.slots = slots; self.multi = multi
        self.slotCount = slotCount; self.next = next
    }

    func push(_ row: Row) throws -> Bool {
        var row = row
        row.ensureSlots(slotCount)
        for s in slots { row.slots[s] = .null }
        guard let text = source(row).stringForm else { return try next.push(row) }
        switch matcher {
        case .glob(let g):
            if let caps = g.match(text) {
                for (k, s) in slots.enumerated() { row.slots[s] = .string(caps[k]) }
            }
            return try next.push(row)
        case .regex(let re, let captures):
            if multi {
                var any = false
                for m in text.matches(of: re) {
                    any = true
                    fill(&row, m.output, captures)
                    if try !next.push(row) { return false }
                }
                return any ? true : try next.push(row)
            }
            if let m = try? re.firstMatch(in: text) { fill(&row, m.output, captures) }
            return try next.push(row)
        }
    }

    private func fill(_ row: inout Row, _ out: AnyRegexOutput, _ captures: [RegexCapture]) {
        for (k, cap) in captures.enumerated() {
            let sub: Substring?
            switch cap {
            case .named(let n): sub = out[n]?.substring
            case .index(let i): sub = i < out.count ? out[i].substring : nil
            }
            row.slots[slots[k]] = sub.map { .string(String($0)) } ?? .null
        }
    }

    func finish() throws { try next.finish() }
}

/// A `parse` glob: `*` captures; matching is unanchored at the start, each `*` takes the
/// shortest text up to the next literal (leftmost occurrence), and a trailing `*` takes the rest.
/// (With literal separators, leftmost-shortest needs no backtracking: if the next literal is not
/// found after its leftmost possible position, it is not found after any later one.)
struct GlobPattern {
    let literals: [[UInt8]]

    init(_ pattern: String) {
        literals = pattern.split(separator: "*", omittingEmptySubsequences: false).map { Array($0.utf8) }
    }

    var captureCount: Int { literals.count - 1 }

    func match(_ text: String) -> [String]? {
        let t = Array(text.utf8)
        func find(_ lit: [UInt8], from: Int) -> Int? {
            if lit.isEmpty { return from }
            guard t.count >= lit.count, from <= t.count - lit.count else { return nil }
            var i = from
            while i <= t.count - lit.count {
                if t[i] == lit[0] && t[i..<(i + lit.count)].elementsEqual(lit) { return i }
                i += 1
            }
            return nil
        }
        guard let first = find(literals[0], from: 0) else { return nil }
        var pos = first + literals[0].count
        var caps: [String] = []
        for k in 1..<literals.count {
            let lit = literals[k]
            if k == literals.count - 1 && lit.isEmpty {
                caps.append(String(decoding: t[pos...], as: UTF8.self))
                pos = t.count
                break
            }
            guard let at = find(lit, from: pos) else { return nil }
            caps.append(String(decoding: t[pos..<at], as: UTF8.self))
            pos = at + lit.count
        }
        return caps
    }
}

/// `pattern EXPR`: clusters the values (null values are skipped), one row per pattern, most
/// frequent first.
final class PatternStage: Stage {
    let source: Eval
    let next: Stage
    private var clusterer = PatternClusterer()
    private var total = 0
    static let columns = ["@pattern", "@ratio", "@sampleCount", "@severityLabel"]

    init(_ source: @escaping Eval, next: Stage) { self.source = source; self.next = next }

    func push(_ row: Row) throws -> Bool {
        guard let s = source(row).stringForm else { return true }
        clusterer.add(s)
        total += 1
        return true
    }

    func finish() throws {
        let clusters = clusterer.clusters().sorted { a, b in
            a.counts[0] != b.counts[0] ? a.counts[0] > b.counts[0] : a.pattern < b.pattern
        }
        for c in clusters {
            let row = Row(record: nil, slots: [.string(c.pattern), .number(Double(c.counts[0]) / Double(max(total, 1))),
                                               .number(Double(c.counts[0])), .string(c.severity)])
            if try !next.push(row) { break }
        }
        try next.finish()
    }
}

/// The end of a pipeline: evaluates the output columns.
final class Collector: Stage {
    let columns: [Eval]
    let cap: Int
    var rows: [[InsightsValue]] = []
    init(columns: [Eval], cap: Int) { self.columns = columns; self.cap = cap }
    func push(_ row: Row) throws -> Bool {
        guard rows.count < cap else { return false }
        rows.append(columns.map { $0(row) })
        return rows.count < cap
    }
    func finish() throws {}
}

/// Keeps rows as they are (the input of `diff`).
final class RowCollector: Stage {
    var rows: [Row] = []
    func push(_ row: Row) throws -> Bool { rows.append(row); return true }
    func finish() throws {}
}
