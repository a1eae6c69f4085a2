/// Compiles a `stats` command: group expressions, the aggregate calls found inside the
/// aggregation expressions, and the expressions over their results.
enum StatsPlanner {
    struct Result {
        var outputNames: [String]
        var make: QueryEvaluator.Factory?
    }

    /// Marks an aggregate call's result in a rewritten expression (a name no query can write).
    static func callSlotName(_ k: Int) -> String { "\u{1}agg\(k)" }

    static func plan(_ stats: Stats, compiler c: ExprCompiler, compile: Bool) throws(InsightsError) -> Result {
        guard !stats.aggregations.isEmpty else { throw InsightsError(.semantic, "stats needs at least one aggregation") }
        let groupNames = stats.groups.map(\.name)
        let outputNames = groupNames + stats.aggregations.map(\.name)
        guard compile else { return Result(outputNames: outputNames, make: nil) }

        var groups: [Eval] = []
        for g in stats.groups {
            if containsAggregate(g.expr) { throw InsightsError(.semantic, "an aggregation cannot be a stats group (by \(g.name))") }
            groups.append(try c.compile(g.expr))
        }
        var calls: [AggregateCall] = []
        var rewritten: [Expr] = []
        for p in stats.aggregations {
            rewritten.append(try extract(p.expr, into: &calls, compiler: c))
        }
        guard !calls.isEmpty || !stats.aggregations.isEmpty else { throw InsightsError(.semantic, "stats needs an aggregation") }

        // The post-aggregation row: group keys, call results, then each projection in turn.
        var post = Schema(hasRecord: false)
        for (k, n) in groupNames.enumerated() { post.slotIndex[n] = k }
        for k in calls.indices { post.slotIndex[callSlotName(k)] = groupNames.count + k }
        post.slotCount = groupNames.count + calls.count
        var projections: [(slot: Int, eval: Eval)] = []
        var outputSlots = Array(0..<groupNames.count)
        for (p, expr) in zip(stats.aggregations, rewritten) {
            let pc = ExprCompiler(schema: post, context: c.context)
            if let stray = strayField(expr, pc.schema) {
                throw InsightsError(.semantic, "'\(stray)' in stats must be inside an aggregation function (or be a group or an alias defined earlier in this stats)")
            }
            let e = try pc.compile(expr)
            let slot = post.slotCount
            post.slotCount += 1
            post.slotIndex[p.name] = slot
            projections.append((slot, e))
            outputSlots.append(slot)
        }
        let timestamp = c.timestamp
        let postCount = post.slotCount
        let callsFinal = calls
        let make: QueryEvaluator.Factory = { next in
            StatsStage(groups: groups, calls: callsFinal, timestamp: timestamp, projections: projections,
                       postSlotCount: postCount, outputSlots: outputSlots, next: next)
        }
        return Result(outputNames: outputNames, make: make)
    }

    static func containsAggregate(_ e: Expr) -> Bool {
        switch e {
        case .call(let name, let args):
            if FunctionCatalog.lookup(name)?.kind == .aggregate { return true }
            return args.contains(where: containsAggregate)
        case .unary(_, let x): return containsAggregate(x)
        case .binary(_, let l, let r): return containsAggregate(l) || containsAggregate(r)
        case .array(let items): return items.contains(where: containsAggregate)
        default: return false
        }
    }

    /// Replaces each aggregate call by a reference to its result slot, collecting the calls.
    static func extract(_ e: Expr, into calls: inout [AggregateCall], compiler c: ExprCompiler) throws(InsightsError) -> Expr {
        switch e {
        case .call(let name, let args):
            guard let sig = FunctionCatalog.lookup(name), sig.kind == .aggregate else {
                var out: [Expr] = []
                for a in args { out.append(try extract(a, into: &calls, compiler: c)) }
                return .call(name, out)
            }
            guard args.count >= sig.minArguments, sig.maxArguments.map({ args.count <= $0 }) ?? true else {
                throw InsightsError(.semantic, "\(sig.name)() takes \(ExprCompiler.arity(sig)) argument\(sig.maxArguments == 1 && sig.minArguments == 1 ? "" : "s"), not \(args.count)")
            }
            if args.contains(where: containsAggregate) {
                throw InsightsError(.semantic, "aggregations cannot be nested (\(sig.name)(…))")
            }
            var call: AggregateCall
            switch sig.name {
            case "count":
                if args.isEmpty || args[0] == .star {
                    call = AggregateCall(kind: .countAll)
                } else {
                    call = AggregateCall(kind: .count, argument: try c.compile(args[0]))
                }
            case "pct":
                let p: Double
                switch args[1] {
                case .literal(let v) where v.numeric != nil: p = v.numeric!
                case .unary(.negate, _): throw InsightsError(.semantic, "pct() needs a percentile between 0 and 100")
                default: throw InsightsError(.semantic, "pct() needs a number as its percentile, such as pct(@duration, 95)")
                }
                guard p >= 0 && p <= 100 else { throw InsightsError(.semantic, "pct() needs a percentile between 0 and 100, not \(InsightsValue.formatNumber(p))") }
                call = AggregateCall(kind: .pct, argument: try c.compile(args[0]), percentile: p)
            default:
                if args[0] == .star { throw InsightsError(.semantic, "* is only valid in count(*)") }
                let kinds: [String: AggregateCall.Kind] = [
                    "avg": .avg, "count_distinct": .countDistinct, "max": .max, "min": .min, "stddev": .stddev, "sum": .sum,
                    "earliest": .earliest, "latest": .latest, "sortsFirst": .sortsFirst, "sortsLast": .sortsLast,
                ]
                call = AggregateCall(kind: kinds[sig.name]!, argument: try c.compile(args[0]))
            }
            calls.append(call)
            return .field(FieldRef(segments: [callSlotName(calls.count - 1)]))
        case .unary(let op, let x):
            return .unary(op, try extract(x, into: &calls, compiler: c))
        case .binary(let op, let l, let r):
            return .binary(op, try extract(l, into: &calls, compiler: c), try extract(r, into: &calls, compiler: c))
        case .array(let items):
            var out: [Expr] = []
            for x in items { out.append(try extract(x, into: &calls, compiler: c)) }
            return .array(out)
        default:
            return e
        }
    }

    /// A field reference that no group, aggregate or earlier alias defines.
    static func strayField(_ e: Expr, _ schema: Schema) -> String? {
        switch e {
        case .field(let f):
            if schema.slotIndex[f.name] != nil { return nil }
            for k in stride(from: f.segments.count - 1, through: 1, by: -1)
            where schema.slotIndex[f.segments[0..<k].joined(separator: ".")] != nil { return nil }
            return f.name
        case .call(let name, let args):
            // `bin()` reads @timestamp implicitly, which a post-aggregation row lacks.
            if name == "bin" { return "bin" }
            return args.lazy.compactMap { strayField($0, schema) }.first
        case .unary(_, let x): return strayField(x, schema)
        case .binary(_, let l, let r): return strayField(l, schema) ?? strayField(r, schema)
        case .array(let items): return items.lazy.compactMap { strayField($0, schema) }.first
        default: return nil
        }
    }
}
