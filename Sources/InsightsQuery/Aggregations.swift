/// Aggregation functions (spec §5.9) and the `stats` stage. Decisions (docs/insights.md
/// "Aggregations"): null values are ignored by every aggregate except `count()`/`count(*)`;
/// `count(f)` counts rows where `f` is present (an empty string counts); `avg`/`sum`/`stddev`/`pct`
/// ignore values that are not numeric; `sum`/`avg` of no numeric values are null; `stddev` is
/// the sample deviation (n − 1; null below two values); `pct` is nearest-rank; `count_distinct`
/// is exact; `min`/`max`/`sortsFirst`/`sortsLast` use the `sort` order (numbers after text);
/// `earliest`/`latest` take the value of the row with the smallest/largest `@timestamp`
/// (ties: the value that sorts first).
struct AggregateCall {
    enum Kind { case countAll, count, countDistinct, sum, avg, min, max, pct, stddev, earliest, latest, sortsFirst, sortsLast }
    var kind: Kind
    var argument: Eval?
    var percentile: Double = 0
}

final class Boxed<T> {
    var value: T
    init(_ value: T) { self.value = value }
}

enum AggregateState {
    case count(Int)
    case sum(Double, Int)
    case moments(n: Int, mean: Double, m2: Double)
    case extreme(InsightsValue)
    case distinct(Boxed<Set<InsightsValue>>)
    case samples(Boxed<[Double]>)
    case timed(Int64, InsightsValue)

    static func initial(_ kind: AggregateCall.Kind) -> AggregateState {
        switch kind {
        case .countAll, .count: return .count(0)
        case .sum, .avg: return .sum(0, 0)
        case .stddev: return .moments(n: 0, mean: 0, m2: 0)
        case .min, .max, .sortsFirst, .sortsLast: return .extreme(.null)
        case .countDistinct: return .distinct(Boxed([]))
        case .pct: return .samples(Boxed([]))
        case .earliest, .latest: return .timed(0, .null)
        }
    }

    @inline(__always)
    mutating func add(_ call: AggregateCall, _ value: InsightsValue, timestamp: Int64) {
        switch (call.kind, self) {
        case (.countAll, .count(let n)):
            self = .count(n + 1)
        case (.count, .count(let n)):
            if !value.isNull { self = .count(n + 1) }
        case (.sum, .sum(let s, let n)), (.avg, .sum(let s, let n)):
            if let d = value.numeric { self = .sum(s + d, n + 1) }
        case (.stddev, .moments(let n, let mean, let m2)):
            // Welford's update: stable for long runs of similar values.
            guard let x = value.numeric else { return }
            let n1 = n + 1
            let delta = x - mean
            let newMean = mean + delta / Double(n1)
            self = .moments(n: n1, mean: newMean, m2: m2 + delta * (x - newMean))
        case (.min, .extreme(let cur)), (.sortsFirst, .extreme(let cur)):
            if value.isNull { return }
            if cur.isNull || NaturalSort.compare(value, cur) < 0 { self = .extreme(value) }
        case (.max, .extreme(let cur)), (.sortsLast, .extreme(let cur)):
            if value.isNull { return }
            if cur.isNull || NaturalSort.compare(value, cur) > 0 { self = .extreme(value) }
        case (.countDistinct, .distinct(let box)):
            if !value.isNull { box.value.insert(value) }
        case (.pct, .samples(let box)):
            if let d = value.numeric { box.value.append(d) }
        case (.earliest, .timed(let t, let cur)):
            if value.isNull { return }
            if cur.isNull || timestamp < t || (timestamp == t && NaturalSort.compare(value, cur) < 0) { self = .timed(timestamp, value) }
        case (.latest, .timed(let t, let cur)):
            if value.isNull { return }
            if cur.isNull || timestamp > t || (timestamp == t && NaturalSort.compare(value, cur) < 0) { self = .timed(timestamp, value) }
        default:
            break
        }
    }

    func result(_ call: AggregateCall) -> InsightsValue {
        switch self {
        case .count(let n): return .number(Double(n))
        case .sum(let s, let n):
            guard n > 0 else { return .null }
            return .number(call.kind == .avg ? s / Double(n) : s)
        case .moments(let n, _, let m2):
            guard n > 1 else { return .null }
            return .number((m2 / Double(n - 1)).squareRoot())
        case .extreme(let v): return v
        case .distinct(let box): return .number(Double(box.value.count))
        case .samples(let box):
            guard !box.value.isEmpty else { return .null }
            let sorted = box.value.sorted()
            // Nearest rank: the smallest value with at least p% of the values at or below it.
            let rank = Int((call.percentile / 100 * Double(sorted.count)).rounded(.up))
            return .number(sorted[min(sorted.count, max(1, rank)) - 1])
        case .timed(_, let v): return v
        }
    }
}

/// `stats`: groups rows by the `by` expressions (a null key is a group of its own), folds the
/// aggregate calls per group, then evaluates each projection over the group's results (so
/// arithmetic over aggregates and over aliases defined earlier in the same `stats` works). Output
/// rows are in ascending `sort` order of their group keys.
final class StatsStage: Stage {
    let groups: [Eval]
    let calls: [AggregateCall]
    let timestamp: Eval
    let needsTimestamp: Bool
    /// Slots of the post-aggregation row: group keys, then call results, then projections.
    let projections: [(slot: Int, eval: Eval)]
    let postSlotCount: Int
    /// Output row: which post slots become the output columns.
    let outputSlots: [Int]
    let next: Stage

    private var singleIndex: [InsightsValue: Int] = [:]
    private var multiIndex: [[InsightsValue]: Int] = [:]
    private var keys: [[InsightsValue]] = []
    private var states: [[AggregateState]] = []
    private var scratch: [InsightsValue] = []
    private let onlyCountAll: Bool

    init(groups: [Eval], calls: [AggregateCall], timestamp: @escaping Eval, projections: [(slot: Int, eval: Eval)],
         postSlotCount: Int, outputSlots: [Int], next: Stage) {
        self.groups = groups
        self.calls = calls
        self.timestamp = timestamp
        self.needsTimestamp = calls.contains { $0.kind == .earliest || $0.kind == .latest }
        self.onlyCountAll = calls.count == 1 && calls[0].kind == .countAll
        self.projections = projections
        self.postSlotCount = postSlotCount
        self.outputSlots = outputSlots
        self.next = next
    }

    func push(_ row: Row) throws -> Bool {
        let gi: Int
        switch groups.count {
        case 0:
            if states.isEmpty { keys.append([]); states.append(calls.map { AggregateState.initial($0.kind) }) }
            gi = 0
        case 1:
            let k = groups[0](row)
            if let i = singleIndex[k] { gi = i } else {
                gi = keys.count
                singleIndex[k] = gi
                keys.append([k])
                states.append(calls.map { AggregateState.initial($0.kind) })
            }
        default:
            // The key is built in a reused buffer, so a lookup of an existing group allocates
            // nothing; only a new group keeps a copy.
            if scratch.count != groups.count { scratch = [InsightsValue](repeating: .null, count: groups.count) }
            for k in groups.indices { scratch[k] = groups[k](row) }
            if let i = multiIndex[scratch] { gi = i } else {
                gi = keys.count
                multiIndex[scratch] = gi
                keys.append(scratch)
                states.append(calls.map { AggregateState.initial($0.kind) })
            }
        }
        if onlyCountAll {
            // `stats count(*) by …`: no argument to evaluate, no state to switch on.
            if case .count(let n) = states[gi][0] { states[gi][0] = .count(n + 1) }
            return true
        }
        let ts = needsTimestamp ? (timestamp(row).asMillis ?? 0) : 0
        for c in calls.indices {
            let v = calls[c].argument.map { $0(row) } ?? .null
            states[gi][c].add(calls[c], v, timestamp: ts)
        }
        return true
    }

    func finish() throws {
        // A `stats` without `by` over no rows still answers one row (count 0).
        if groups.isEmpty && states.isEmpty {
            keys.append([])
            states.append(calls.map { AggregateState.initial($0.kind) })
        }
        var order = Array(keys.indices)
        if !groups.isEmpty {
            let sortKeys = keys.map { $0.map(NaturalSort.Key.init) }
            order.sort { a, b in
                for k in 0..<groups.count {
                    let c = NaturalSort.compare(sortKeys[a][k], sortKeys[b][k])
                    if c != 0 { return c < 0 }
                }
                return a < b
            }
        }
        for gi in order {
            var post = Row(record: nil, slots: [InsightsValue](repeating: .null, count: postSlotCount))
            for (k, v) in keys[gi].enumerated() { post.slots[k] = v }
            for c in calls.indices { post.slots[groups.count + c] = states[gi][c].result(calls[c]) }
            for p in projections { post.slots[p.slot] = p.eval(post) }
            let out = Row(record: nil, slots: outputSlots.map { post.slots[$0] })
            if try !next.push(out) { break }
        }
        try next.finish()
    }
}
