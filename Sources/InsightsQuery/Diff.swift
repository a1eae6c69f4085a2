/// `diff` (spec §4.10; the console's output is not specified, so the schema is ours — see
/// docs/insights.md "diff"). The commands before `diff` run twice: over the query window and
/// over the baseline window (the preceding range of equal length, or the same range one day,
/// week or calendar month earlier). Then:
///
/// * aggregated input (`… | stats … by k | diff`): rows are matched on the last `stats`' group
///   columns; every other column `v` becomes `v`, `v_previous`, `v_change` (v − v_previous when
///   both are numeric). Current groups come first in their order, then groups only in the baseline.
/// * event input: `@message` of both ranges is clustered together with the `pattern` algorithm;
///   one row per pattern: `@pattern`, `@sampleCount`, `@previousSampleCount`, `@change`,
///   `@changePercent` (null when the baseline count is 0), largest absolute change first.
extension QueryEvaluator {
    static let eventDiffColumns = ["@pattern", "@sampleCount", "@previousSampleCount", "@change", "@changePercent"]

    static func diffState(before: PlanState) throws(InsightsError) -> PlanState {
        var s = before
        if before.aggregated {
            let keys = before.lastStatsGroups.filter { before.columns.contains($0) }
            var cols = keys
            for v in before.columns where !keys.contains(v) { cols += [v, v + "_previous", v + "_change"] }
            s.resetAggregated(columns: cols)
        } else {
            s.resetAggregated(columns: eventDiffColumns)
        }
        s.lastStatsGroups = before.aggregated ? before.lastStatsGroups : []
        return s
    }

    static func baseline(_ w: TimeWindow, _ kind: DiffBaseline) throws(InsightsError) -> TimeWindow {
        guard let s = w.startMillis, let e = w.endMillis else {
            throw InsightsError(.execution, "diff needs a query range with a start and an end")
        }
        switch kind {
        case .previousRange:
            let length = e - s + 1
            return TimeWindow(startMillis: s - length, endMillis: s - 1)
        case .previousDay: return TimeWindow(startMillis: s - 86_400_000, endMillis: e - 86_400_000)
        case .previousWeek: return TimeWindow(startMillis: s - 604_800_000, endMillis: e - 604_800_000)
        case .previousMonth: return TimeWindow(startMillis: Period.addMonths(s, -1), endMillis: Period.addMonths(e, -1))
        }
    }

    func runWithDiff(source: some InsightsRecordSource, at d: Int) throws -> QueryResult {
        guard case .diff(let kind) = query.commands[d].command else { preconditionFailure("not a diff") }
        let previousWindow = try Self.baseline(context.window, kind)
        var scanned = 0
        var matched = 0
        var before = PlanState.records
        func collect(_ window: TimeWindow) throws -> [Row] {
            var state = PlanState.records
            let counter = CountBox()
            let factories = try plan(0..<d, state: &state, countAt: firstMaterialising(from: 0, to: d), counter: counter)
            let sink = RowCollector()
            var head: Stage = sink
            for f in factories.reversed() { head = try f(head) }
            try source.forEachRecord(in: window) { record in
                scanned += 1
                return try head.push(Row(record: record, slots: []))
            }
            try head.finish()
            matched += counter.stage?.count ?? 0
            before = state
            return sink.rows
        }
        let current = try collect(context.window)
        let previous = try collect(previousWindow)
        var after = try Self.diffState(before: before)
        let rows = diffRows(current: current, previous: previous, before: before, after: after)
        let factories = try plan((d + 1)..<query.commands.count, state: &after, countAt: nil)
        let (head, collector, names) = try assemble(factories, state: after)
        for r in rows { if try !head.push(r) { break } }
        try head.finish()
        return QueryResult(columns: names, rows: collector.rows, recordsScanned: scanned, recordsMatched: matched)
    }

    func diffRows(current: [Row], previous: [Row], before: PlanState, after: PlanState) -> [Row] {
        let c = ExprCompiler(schema: before.schema, context: context)
        if !before.aggregated {
            let message = c.field(FieldRef("@message"))
            var clusterer = PatternClusterer(sides: 2)
            for r in current { if let s = message(r).stringForm { clusterer.add(s, side: 0) } }
            for r in previous { if let s = message(r).stringForm { clusterer.add(s, side: 1) } }
            let clusters = clusterer.clusters().sorted { a, b in
                let ca = abs(a.counts[0] - a.counts[1]), cb = abs(b.counts[0] - b.counts[1])
                return ca != cb ? ca > cb : a.pattern < b.pattern
            }
            return clusters.map { cl in
                let cur = Double(cl.counts[0]), prev = Double(cl.counts[1])
                return Row(record: nil, slots: [.string(cl.pattern), .number(cur), .number(prev), .number(cur - prev),
                                                prev > 0 ? .number(((cur - prev) / prev * 100 * 100).rounded() / 100) : .null])
            }
        }
        let keys = before.lastStatsGroups.filter { before.columns.contains($0) }
        let values = before.columns.filter { !keys.contains($0) }
        let keyEvals = keys.map { c.field(FieldRef($0)) }
        let valueEvals = values.map { c.field(FieldRef($0)) }
        var previousByKey: [[InsightsValue]: Row] = [:]
        for r in previous { previousByKey[keyEvals.map { $0(r) }] = previousByKey[keyEvals.map { $0(r) }] ?? r }
        var out: [Row] = []
        var seen = Set<[InsightsValue]>()
        func emit(_ key: [InsightsValue], _ cur: Row?, _ prev: Row?) {
            var slots = key
            for v in valueEvals {
                let a = cur.map(v) ?? .null, b = prev.map(v) ?? .null
                slots += [a, b, (a.isNull || b.isNull) ? .null : Operators.arithmetic(.subtract, a, b)]
            }
            out.append(Row(record: nil, slots: slots))
        }
        for r in current {
            let k = keyEvals.map { $0(r) }
            guard seen.insert(k).inserted else { continue }
            emit(k, r, previousByKey[k])
        }
        for r in previous {
            let k = keyEvals.map { $0(r) }
            guard seen.insert(k).inserted else { continue }
            emit(k, nil, r)
        }
        return out
    }
}
