/// Splits a query into what a store can answer from indexed, promoted columns and what the
/// evaluator must run over records. Pure: the store says which fields it has as columns; the
/// planner says which conditions and which `stats` it may compute there.
///
/// Every pushed condition is one the evaluator would give the same answer for (the differential
/// test in EventStoreTests holds both paths to that), so the evaluator still runs the whole
/// query over the narrowed records and the pushed predicate is only a pre-filter. Only leading
/// `filter`/`filterIndex` commands are considered: after a `fields` or `parse` a name may no
/// longer mean the stored field.
public struct QueryPlan: Hashable, Sendable {
    /// A condition every record the query can use satisfies; nil when nothing could be pushed.
    public var predicate: PushdownPredicate?
    /// The leading filters are exactly `predicate` (nothing left for Swift to decide).
    public var filtersFullyPushed: Bool
    /// When set, the store computes the commands up to and including `stats.commandIndex`
    /// itself, and the evaluator continues from the next command.
    public var stats: PushdownStats?
    /// Fields the query reads (flattened names), to decide whether records need their JSON.
    public var referencedFields: Set<String>
    /// The query needs each record's full JSON (`@message`, or a field that is not promoted).
    public var needsRecordJSON: Bool
}

public indirect enum PushdownPredicate: Hashable, Sendable, CustomStringConvertible {
    case equals(field: String, value: String)
    case notEquals(field: String, value: String)
    case oneOf(field: String, values: [String])
    case noneOf(field: String, values: [String])
    case present(field: String)
    case absent(field: String)
    /// `like "text"`: case-sensitive substring.
    case contains(field: String, text: String)
    case notContains(field: String, text: String)
    /// The record's JSON text contains `"text"` (quotes included): necessary for a field that is
    /// not a column to equal `text`, so a cheap byte search can skip records before any field
    /// is read. Never complete on its own: the evaluator still checks the field.
    case recordMentions(String)
    case and([PushdownPredicate])
    case or([PushdownPredicate])

    public var description: String {
        func quoted(_ s: String) -> String { "\"" + s + "\"" }
        switch self {
        case .equals(let f, let v): return "\(f) = \(quoted(v))"
        case .notEquals(let f, let v): return "\(f) != \(quoted(v))"
        case .oneOf(let f, let vs): return "\(f) in [\(vs.map(quoted).joined(separator: ", "))]"
        case .noneOf(let f, let vs): return "\(f) not in [\(vs.map(quoted).joined(separator: ", "))]"
        case .present(let f): return "ispresent(\(f))"
        case .absent(let f): return "not ispresent(\(f))"
        case .contains(let f, let t): return "\(f) like \(quoted(t))"
        case .notContains(let f, let t): return "\(f) not like \(quoted(t))"
        case .recordMentions(let t): return "record mentions \(quoted(t))"
        case .and(let ps): return ps.map { "(\($0))" }.joined(separator: " and ")
        case .or(let ps): return ps.map { "(\($0))" }.joined(separator: " or ")
        }
    }
}

/// A `stats` made only of counts grouped by promoted fields and fixed-length `bin()`s.
public struct PushdownStats: Hashable, Sendable {
    public enum Group: Hashable, Sendable {
        case field(String, name: String)
        /// `bin(period)` after the spec's caps; buckets are multiples of `millis` since the epoch.
        case bin(millis: Int64, name: String)
    }

    public enum Aggregation: Hashable, Sendable {
        /// `count(*)` / `count()`.
        case countAll(name: String)
        /// `count(field)`: records where the field is present.
        case countField(String, name: String)
    }

    public var commandIndex: Int
    public var groups: [Group]
    public var aggregations: [Aggregation]

    public init(commandIndex: Int, groups: [Group], aggregations: [Aggregation]) {
        self.commandIndex = commandIndex
        self.groups = groups
        self.aggregations = aggregations
    }
}

public enum QueryPlanner {
    /// Plans `query` for a store whose promoted fields are `promotedFields` (flattened names,
    /// e.g. `eventName`, `userIdentity.arn`).
    public static func plan(_ query: Query, promotedFields: Set<String>) -> QueryPlan {
        var referenced = Set<String>()
        for node in query.commands { collectFields(node.command, into: &referenced) }

        var conjuncts: [PushdownPredicate] = []
        var fullyPushed = true
        var index = 0
        while index < query.commands.count {
            let expr: Expr
            switch query.commands[index].command {
            case .filter(let e), .filterIndex(let e): expr = e
            default: expr = .star
            }
            if case .star = expr { break }
            let (pushed, complete) = pushdown(expr, promotedFields)
            conjuncts += pushed.map(flattenAnd) ?? []
            fullyPushed = fullyPushed && complete
            index += 1
        }
        let predicate: PushdownPredicate? = conjuncts.isEmpty ? nil : conjuncts.count == 1 ? conjuncts[0] : .and(conjuncts)

        var stats: PushdownStats?
        if fullyPushed, index < query.commands.count, case .stats(let s) = query.commands[index].command {
            stats = pushdownStats(s, commandIndex: index, promotedFields)
        }

        let cheapSystem: Set<String> = ["@timestamp", "@log", "@logStream", "@ingestionTime", "@ptr"]
        let showsMessage = !query.commands.contains { node in
            switch node.command {
            case .fields, .display, .stats, .pattern: true
            default: false
            }
        }
        let needsJSON = showsMessage || referenced.contains { !promotedFields.contains($0) && !cheapSystem.contains($0) }
        return QueryPlan(predicate: predicate, filtersFullyPushed: fullyPushed, stats: stats,
                         referencedFields: referenced, needsRecordJSON: stats == nil && needsJSON)
    }

    private static func flattenAnd(_ p: PushdownPredicate) -> [PushdownPredicate] {
        if case .and(let ps) = p { return ps.flatMap(flattenAnd) }
        return [p]
    }

    /// A string literal the evaluator compares as a string whatever the field holds: one that
    /// does not read as a number (spec §3: numbers compare numerically only when both sides are
    /// numeric).
    private static func textLiteral(_ e: Expr) -> String? {
        guard case .literal(.string(let s)) = e, !s.isEmpty, Double(s) == nil,
              !s.unicodeScalars.contains(where: { $0.properties.isWhitespace }) else { return nil }
        return s
    }

    /// For `field = "text"` on a JSON field: the text when every record whose field equals it
    /// must contain `"text"` verbatim. JSON encoders write such strings unescaped (the store's
    /// byte search also lets through any record with a `\u` escape); `true`/`false` are
    /// excluded because booleans read as those strings without quotes in the JSON.
    private static func mentionable(_ fieldSide: Expr, _ literalSide: Expr) -> String? {
        guard case .field(let f) = fieldSide, !f.name.hasPrefix("@"), let text = textLiteral(literalSide),
              text != "true", text != "false",
              text.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.:@+=,".unicodeScalars.contains($0)) })
        else { return nil }
        return text
    }

    private static func promotedField(_ e: Expr, _ promoted: Set<String>) -> String? {
        guard case .field(let f) = e, promoted.contains(f.name) else { return nil }
        return f.name
    }

    /// The pushable part of `expr` and whether it is all of it.
    static func pushdown(_ expr: Expr, _ promoted: Set<String>) -> (PushdownPredicate?, Bool) {
        switch expr {
        case .binary(.and, let l, let r):
            let (pl, cl) = pushdown(l, promoted)
            let (pr, cr) = pushdown(r, promoted)
            let parts = [pl, pr].compactMap { $0 }
            let p: PushdownPredicate? = parts.isEmpty ? nil : parts.count == 1 ? parts[0] : .and(parts)
            return (p, cl && cr)
        case .binary(.or, let l, let r):
            let (pl, cl) = pushdown(l, promoted)
            let (pr, cr) = pushdown(r, promoted)
            guard let pl, let pr, cl, cr else { return (nil, false) }
            // `a = "x" or a = "y"` reads best (and plans best) as one IN list.
            if case .equals(let fl, let vl) = pl, case .equals(let fr, let vr) = pr, fl == fr { return (.oneOf(field: fl, values: [vl, vr]), true) }
            if case .oneOf(let fl, let vl) = pl, case .equals(let fr, let vr) = pr, fl == fr { return (.oneOf(field: fl, values: vl + [vr]), true) }
            return (.or([pl, pr]), true)
        case .binary(let op, let l, let r) where op == .equal || op == .notEqual:
            let pair = promotedField(l, promoted).flatMap { f in textLiteral(r).map { (f, $0) } }
                ?? promotedField(r, promoted).flatMap { f in textLiteral(l).map { (f, $0) } }
            guard let (field, value) = pair else {
                if op == .equal, let mention = mentionable(l, r) ?? mentionable(r, l) { return (.recordMentions(mention), false) }
                return (nil, false)
            }
            return (op == .equal ? .equals(field: field, value: value) : .notEquals(field: field, value: value), true)
        case .binary(let op, let l, .array(let elements)) where op == .in || op == .notIn:
            guard let field = promotedField(l, promoted) else { return (nil, false) }
            let values = elements.compactMap(textLiteral)
            guard values.count == elements.count, !values.isEmpty else { return (nil, false) }
            return (op == .in ? .oneOf(field: field, values: values) : .noneOf(field: field, values: values), true)
        case .binary(let op, let l, .literal(.string(let text))) where op == .like || op == .notLike:
            guard let field = promotedField(l, promoted), !text.isEmpty else { return (nil, false) }
            return (op == .like ? .contains(field: field, text: text) : .notContains(field: field, text: text), true)
        case .call("ispresent", let args) where args.count == 1:
            guard let field = promotedField(args[0], promoted) else { return (nil, false) }
            return (.present(field: field), true)
        case .unary(.not, .call("ispresent", let args)) where args.count == 1:
            guard let field = promotedField(args[0], promoted) else { return (nil, false) }
            return (.absent(field: field), true)
        default:
            return (nil, false)
        }
    }

    private static func pushdownStats(_ stats: Stats, commandIndex: Int, _ promoted: Set<String>) -> PushdownStats? {
        var groups: [PushdownStats.Group] = []
        for g in stats.groups {
            if let field = promotedField(g.expr, promoted) {
                groups.append(.field(field, name: g.name))
            } else if case .call("bin", let args) = g.expr, args.count == 1, case .period(let p) = args[0],
                      let millis = p.fixedBinMillis {
                groups.append(.bin(millis: millis, name: g.name))
            } else {
                return nil
            }
        }
        var aggregations: [PushdownStats.Aggregation] = []
        for a in stats.aggregations {
            switch a.expr {
            case .call("count", let args) where args.isEmpty || args == [.star]:
                aggregations.append(.countAll(name: a.name))
            case .call("count", let args) where args.count == 1:
                guard let field = promotedField(args[0], promoted) else { return nil }
                aggregations.append(.countField(field, name: a.name))
            default:
                return nil
            }
        }
        return PushdownStats(commandIndex: commandIndex, groups: groups, aggregations: aggregations)
    }

    // MARK: - Referenced fields

    static func collectFields(_ command: Command, into set: inout Set<String>) {
        switch command {
        case .fields(let ps), .display(let ps): ps.forEach { collectFields($0.expr, into: &set) }
        case .filter(let e), .filterIndex(let e): collectFields(e, into: &set)
        case .stats(let s): (s.aggregations + s.groups).forEach { collectFields($0.expr, into: &set) }
        case .sort(let keys): keys.forEach { collectFields($0.expr, into: &set) }
        case .limit, .diff: break
        case .parse(let p): collectFields(p.source, into: &set)
        case .dedup(let fs): fs.forEach { set.insert($0.name) }
        case .unnest(let f, _): set.insert(f.name)
        case .pattern(let p): collectFields(p.expr, into: &set)
        }
    }

    static func collectFields(_ expr: Expr, into set: inout Set<String>) {
        switch expr {
        case .field(let f): set.insert(f.name)
        case .literal, .period, .regex, .star: break
        case .array(let es): es.forEach { collectFields($0, into: &set) }
        case .unary(_, let e): collectFields(e, into: &set)
        case .binary(_, let l, let r):
            collectFields(l, into: &set)
            collectFields(r, into: &set)
        case .call(let name, let args):
            // `bin`, `earliest`, `latest` read @timestamp without naming it.
            if ["bin", "earliest", "latest"].contains(name) { set.insert("@timestamp") }
            args.forEach { collectFields($0, into: &set) }
        }
    }
}

extension TimePeriod {
    /// The bucket length of `bin(self)` when it is a fixed number of milliseconds (not months,
    /// quarters or years), after CloudWatch's caps (spec §2.4: ms ≤ 1000, s and m ≤ 60, h ≤ 24).
    public var fixedBinMillis: Int64? {
        let capped: Double
        let unitMillis: Double
        switch unit {
        case .millisecond: capped = min(value, 1000); unitMillis = 1
        case .second: capped = min(value, 60); unitMillis = 1000
        case .minute: capped = min(value, 60); unitMillis = 60_000
        case .hour: capped = min(value, 24); unitMillis = 3_600_000
        case .day: capped = value; unitMillis = 86_400_000
        case .week: capped = value; unitMillis = 7 * 86_400_000
        case .month, .quarter, .year: return nil
        }
        let millis = (capped * unitMillis).rounded()
        guard millis >= 1, millis < 1e15 else { return nil }
        return Int64(millis)
    }
}
