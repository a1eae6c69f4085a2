/// Runs a parsed query over records, entirely in memory (spec §4; semantics in docs/insights.md).
///
/// The query is compiled once per run into a chain of stages holding closures: field
/// references resolved to record lookups or row slots, literals pre-converted, regexes compiled.
/// Records stream through `filter`/`fields`/`parse`/`unnest` without being collected; only
/// `stats`, `sort`, `dedup` (on unsorted input), `pattern` and `diff` hold rows, and `sort … |
/// limit N` or an unsorted result with a limit keeps just the top N.
public struct QueryEvaluator: Sendable {
    public let query: Query
    public let context: QueryContext

    /// Checks the whole query (functions, arities, periods, regexes, stats shapes) by compiling it.
    public init(query: Query, context: QueryContext) throws(InsightsError) {
        self.query = query
        self.context = context
        if let d = diffIndex {
            var state = PlanState.records
            _ = try plan(0..<d, state: &state, countAt: nil)
            var after = try Self.diffState(before: state)
            _ = try plan((d + 1)..<query.commands.count, state: &after, countAt: nil)
        } else {
            var state = PlanState.records
            _ = try plan(0..<query.commands.count, state: &state, countAt: nil)
        }
    }

    /// Runs every command over the records of `source` in `context.window`.
    public func run(source: some InsightsRecordSource) throws -> QueryResult {
        if let d = diffIndex { return try runWithDiff(source: source, at: d) }
        var state = PlanState.records
        let counter = CountBox()
        let built = try plan(0..<query.commands.count, state: &state, countAt: firstMaterialising(from: 0, to: query.commands.count), counter: counter)
        let (head, collector, names) = try assemble(built, state: state)
        var scanned = 0
        try source.forEachRecord(in: context.window) { record in
            scanned += 1
            return try head.push(Row(record: record, slots: []))
        }
        try head.finish()
        return QueryResult(columns: names, rows: collector.rows, recordsScanned: scanned, recordsMatched: counter.stage?.count ?? 0)
    }

    /// Runs `query.commands[commandIndex...]` over rows an earlier stage produced elsewhere (the
    /// store runs a pushed-down prefix, e.g. a `stats` on promoted columns, in SQL). Columns are
    /// matched by name; the commands before `commandIndex` still decide the output columns
    /// (`fields`/`display`) and whether the rows are aggregated. Rows of a pushed-down `stats`
    /// are first put in ascending group-key order, as the in-memory `stats` emits them; event
    /// rows that were never sorted get the default `@timestamp` descending order (from a
    /// `@timestamp` column).
    public func run(from commandIndex: Int, rows: [ResultRow]) throws -> QueryResult {
        guard commandIndex >= 0, commandIndex <= query.commands.count else {
            throw InsightsError(.execution, "command index \(commandIndex) is outside the query")
        }
        if let d = diffIndex, d >= commandIndex {
            throw InsightsError(.execution, "diff needs the records themselves and cannot run over precomputed rows")
        }
        var state = PlanState.records
        _ = try plan(0..<commandIndex, state: &state, countAt: nil, compile: false)
        let names = rows.first?.names ?? []
        var schema = Schema(hasRecord: false)
        for n in names { _ = schema.define(n) }
        state.schema = schema
        var built = try plan(commandIndex..<query.commands.count, state: &state, countAt: nil)
        if commandIndex > 0, case .stats(let stats) = query.commands[commandIndex - 1].command, !stats.groups.isEmpty {
            // Rows of a pushed-down `stats` arrive in SQL's order; put them in the order the
            // in-memory `stats` produces (ascending group keys) so both paths agree.
            let c = ExprCompiler(schema: schema, context: context)
            let order = RowOrder(keys: stats.groups.map { c.field(FieldRef($0.name)) }, descending: stats.groups.map { _ in false })
            built.insert({ SortStage(order, limit: nil, next: $0) }, at: 0)
        }
        let (head, collector, columns) = try assemble(built, state: state)
        for r in rows {
            var slots = [InsightsValue](repeating: .null, count: schema.slotCount)
            if r.names == names {
                for (i, v) in r.values.enumerated() where i < slots.count { slots[schema.slotIndex[names[i]]!] = v }
            } else {
                for (n, v) in zip(r.names, r.values) { if let i = schema.slotIndex[n] { slots[i] = v } }
            }
            if try !head.push(Row(record: nil, slots: slots)) { break }
        }
        try head.finish()
        return QueryResult(columns: columns, rows: collector.rows, recordsScanned: rows.count, recordsMatched: rows.count)
    }

    // MARK: Planning

    var diffIndex: Int? {
        query.commands.firstIndex { if case .diff = $0.command { true } else { false } }
    }

    /// The first command that cannot stream; `recordsMatched` counts rows reaching it.
    func firstMaterialising(from: Int, to: Int) -> Int {
        for i in from..<to {
            switch query.commands[i].command {
            case .stats, .sort, .limit, .dedup, .pattern, .diff: return i
            default: continue
            }
        }
        return to
    }

    final class CountBox { var stage: CountStage? }

    typealias Factory = (Stage) throws -> Stage

    /// Walks `range`, updating `state` (schema, output columns, order) and, when `compile`,
    /// returning one stage factory per command in pipeline order.
    func plan(_ range: Range<Int>, state: inout PlanState, countAt: Int?, counter: CountBox? = nil,
              compile: Bool = true) throws(InsightsError) -> [Factory] {
        var factories: [Factory] = []
        var skipNext = false
        for i in range {
            if countAt == i, let counter {
                factories.append { next in let s = CountStage(next: next); counter.stage = s; return s }
            }
            if skipNext { skipNext = false; continue }
            let node = query.commands[i]
            do {
                let following = i + 1 < range.upperBound ? query.commands[i + 1].command : nil
                let rest = query.commands[(i + 1)...].map(\.command)
                let (made, consumedNext) = try step(node.command, following: following, rest: rest, state: &state, compile: compile)
                factories += made
                skipNext = consumedNext
            } catch {
                var e = error
                if e.line == nil {
                    e.line = node.location.line
                    e.column = node.location.column
                    let lines = query.text.split(separator: "\n", omittingEmptySubsequences: false)
                    if node.location.line >= 1, node.location.line <= lines.count { e.sourceLine = String(lines[node.location.line - 1]) }
                }
                throw e
            }
        }
        if countAt == range.upperBound, let counter {
            factories.append { next in let s = CountStage(next: next); counter.stage = s; return s }
        }
        return factories
    }

    /// Adds the implicit `@timestamp desc` order of an unsorted event result, the output columns
    /// and the row cap, then links the stages.
    func assemble(_ factories: [Factory], state: PlanState) throws -> (Stage, Collector, [String]) {
        let c = ExprCompiler(schema: state.schema, context: context)
        var names: [String] = []
        var evals: [Eval] = []
        if let display = state.display {
            for p in display {
                names.append(p.name)
                evals.append(try c.compile(p.expr))
            }
        } else {
            var cols = state.columns
            if !state.aggregated && !state.hasFields {
                cols = ["@timestamp", "@message"] + cols.filter { $0 != "@timestamp" && $0 != "@message" }
            }
            for n in cols {
                names.append(n)
                evals.append(c.field(FieldRef(n)))
            }
        }
        let cap = state.hasLimit ? Int.max : context.defaultLimit
        let collector = Collector(columns: evals, cap: cap)
        var head: Stage = collector
        if !state.ordered {
            head = SortStage(.timestampDescending(c), limit: cap == Int.max ? nil : cap, next: head)
        }
        for f in factories.reversed() { head = try f(head) }
        return (head, collector, names)
    }

    /// Commands that pass every row on exactly once (so a cap before them equals a cap after).
    static func isOneToOne(_ c: Command) -> Bool {
        switch c {
        case .fields, .display: return true
        case .parse(let p): return !p.multi
        default: return false
        }
    }

    // swiftlint:disable:next cyclomatic_complexity function_body_length
    func step(_ command: Command, following: Command?, rest: [Command] = [], state: inout PlanState,
              compile: Bool) throws(InsightsError) -> ([Factory], Bool) {
        let c = ExprCompiler(schema: state.schema, context: context)
        switch command {
        case .fields(let projections):
            state.hasFields = true
            var assignments: [(slot: Int, eval: Eval)] = []
            var compiler = c
            for p in projections {
                state.addColumn(p.name)
                guard compile else { continue }
                // `fields eventName`: the name already resolves to the value, nothing to copy.
                if p.alias == nil, case .field(let f) = p.expr, f.name == p.name { continue }
                let e = try compiler.compile(p.expr)
                let slot = compiler.schema.define(p.name)
                assignments.append((slot, e))
            }
            guard compile else { return ([], false) }
            state.schema = compiler.schema
            if assignments.isEmpty { return ([], false) }
            let count = state.schema.slotCount
            return ([{ AssignStage(assignments, slotCount: count, next: $0) }], false)

        case .display(let projections):
            state.display = projections
            if compile { for p in projections { _ = try c.compile(p.expr) } }
            return ([], false)

        case .filter(let e), .filterIndex(let e):
            guard compile else { return ([], false) }
            let p = try c.predicate(e)
            return ([{ FilterStage(p, next: $0) }], false)

        case .stats(let stats):
            let plan = try StatsPlanner.plan(stats, compiler: c, compile: compile)
            state.resetAggregated(columns: plan.outputNames)
            state.lastStatsGroups = stats.groups.map(\.name)
            guard compile, let make = plan.make else { return ([], false) }
            return ([make], false)

        case .sort(let keys):
            state.ordered = true
            var limit: Int?
            if case .limit(let n, any: false)? = following { limit = n; state.hasLimit = true }
            let consumed = limit != nil
            // A final sort (only one-row-in, one-row-out commands after it) can only ever show
            // the default number of rows: keep just those.
            if limit == nil, rest.allSatisfy(Self.isOneToOne) { limit = context.defaultLimit }
            guard compile else { return ([], consumed) }
            var evals: [Eval] = []
            for k in keys { evals.append(try c.compile(k.expr)) }
            let order = RowOrder(keys: evals, descending: keys.map(\.descending))
            return ([{ SortStage(order, limit: limit, next: $0) }], consumed)

        case .limit(let n, let any):
            guard n >= 0 else { throw InsightsError(.semantic, "limit must not be negative") }
            let wasOrdered = state.ordered
            state.hasLimit = true
            state.ordered = true
            guard compile else { return ([], false) }
            if any || wasOrdered { return ([{ LimitStage(n, next: $0) }], false) }
            let order = RowOrder.timestampDescending(c)
            return ([{ SortStage(order, limit: n, next: $0) }], false)

        case .parse(let parse):
            // The fields a parse defines: its aliases, or a regex's named groups.
            var names = parse.aliases
            switch parse.pattern {
            case .glob(let g):
                let stars = GlobPattern(g).captureCount
                guard stars == parse.aliases.count else {
                    throw InsightsError(.semantic, "the parse pattern has \(stars) * but \(parse.aliases.count) alias\(parse.aliases.count == 1 ? "" : "es")")
                }
            case .regex(let r):
                if parse.aliases.isEmpty {
                    names = TextMatch.groupNames(r.pattern)
                    guard !names.isEmpty else {
                        throw InsightsError(.semantic, "a parse regex needs named groups (?<name>…) or `as` aliases")
                    }
                }
            }
            for n in names { state.addColumn(n) }
            guard compile else { return ([], false) }
            let matcher: ParseStage.Matcher
            switch parse.pattern {
            case .glob(let g):
                matcher = .glob(GlobPattern(g))
            case .regex(let r):
                let re = try TextMatch.regex(r.pattern)
                if parse.aliases.isEmpty {
                    matcher = .regex(re, captures: names.map { .named($0) })
                } else {
                    // `as a, b`: capture groups 1, 2, … in order, or the whole match without groups.
                    let groups = TextMatch.captureGroupCount(r.pattern)
                    matcher = .regex(re, captures: parse.aliases.indices.map { groups == 0 ? .index(0) : .index($0 + 1) })
                }
            }
            let source = try c.compile(parse.source)
            let slots = names.map { state.schema.define($0) }
            let count = state.schema.slotCount
            let multi = parse.multi
            return ([{ ParseStage(source: source, matcher: matcher, slots: slots, multi: multi, slotCount: count, next: $0) }], false)

        case .dedup(let fields):
            let wasOrdered = state.ordered
            state.ordered = true
            guard compile else { return ([], false) }
            let keys = fields.map { c.field($0) }
            var made: [Factory] = []
            if !wasOrdered {
                let order = RowOrder.timestampDescending(c)
                made.append { SortStage(order, limit: nil, next: $0) }
            }
            made.append { DedupStage(keys, next: $0) }
            return (made, false)

        case .unnest(let field, let alias):
            state.addColumn(alias)
            guard compile else { return ([], false) }
            let source = c.field(field)
            let slot = state.schema.define(alias)
            let count = state.schema.slotCount
            return ([{ UnnestStage(source, slot: slot, slotCount: count, next: $0) }], false)

        case .pattern(let p):
            state.resetAggregated(columns: PatternStage.columns)
            guard compile else { return ([], false) }
            let source = try c.compile(p.expr)
            return ([{ PatternStage(source, next: $0) }], false)

        case .diff:
            throw InsightsError(.semantic, "only one diff is allowed in a query")
        }
    }
}

/// What the planner knows at a point of the pipeline.
struct PlanState {
    var schema: Schema
    /// Rows are in a defined order (sorted, aggregated, limited); otherwise the result gets the
    /// implicit `@timestamp desc`.
    var ordered = false
    /// After `stats`/`pattern`/`diff`: no records, no default `@timestamp, @message` columns.
    var aggregated = false
    /// Output columns defined so far (`fields`, `parse`, `unnest`, or an aggregation's output).
    var columns: [String] = []
    var hasFields = false
    var display: [Projection]?
    var hasLimit = false
    var lastStatsGroups: [String] = []

    static var records: PlanState { PlanState(schema: Schema(hasRecord: true)) }

    mutating func addColumn(_ name: String) {
        if !columns.contains(name) { columns.append(name) }
    }

    mutating func resetAggregated(columns: [String]) {
        var s = Schema(hasRecord: false)
        for n in columns { s.slotIndex[n] = s.slotCount; s.slotCount += 1 }
        schema = s
        self.columns = columns
        aggregated = true
        ordered = true
        hasFields = false
        display = nil
        // A `limit` before an aggregation limits its input, not the result: the result is capped
        // by the default limit again unless a later `limit` says otherwise.
        hasLimit = false
    }
}

extension TextMatch {
    /// Capturing groups: `(` not followed by `?`, plus named groups.
    static func captureGroupCount(_ pattern: String) -> Int {
        let p = Array(pattern)
        var n = 0, i = 0
        var inClass = false
        while i < p.count {
            let ch = p[i]
            if ch == "\\" { i += 2; continue }
            if inClass { if ch == "]" { inClass = false }; i += 1; continue }
            if ch == "[" { inClass = true }
            if ch == "(" {
                if i + 1 < p.count, p[i + 1] == "?" {
                    if i + 2 < p.count, p[i + 2] == "<" || p[i + 2] == "P" || p[i + 2] == "'",
                       i + 3 < p.count, p[i + 3] != "=" && p[i + 3] != "!" { n += 1 }
                } else {
                    n += 1
                }
            }
            i += 1
        }
        return n
    }
}
