/// The state timeline of a backtest.
public struct AlarmTimeline: Codable, Hashable, Sendable {
    /// Evaluations that changed the state or announced something, in time order.
    public var changes: [AlarmEvaluation]
    /// How many evaluations ran.
    public var evaluations: Int
    /// The status after the last evaluation (persist it to continue live from there).
    public var finalStatus: AlarmStatus

    /// The notifications the alarm's actions would have sent.
    public var notifications: [StateChange] { changes.compactMap(\.notification) }
}

/// Replays an alarm over a stored series (`alarms evaluate`): pure, deterministic.
public enum AlarmBacktest {
    /// Evaluates at every period boundary `e` (epoch-aligned: `e % period == 0`) with
    /// `from < e ≤ to`, i.e. once at the end of every period that ends in (from, to]. `series`
    /// holds period starts; periods without a point are missing. Starts not on the period grid
    /// are placed in the period containing them.
    public static func run(definition: AlarmDefinition, series: [AlarmDatapoint], from: Int64, to: Int64,
                           initialStatus: AlarmStatus = AlarmStatus()) -> AlarmTimeline {
        let period = max(definition.periodMillis, 1)
        var byPeriod: [Int64: AlarmDatapoint] = [:]
        for p in series { byPeriod[floorDiv(p.timestampMillis, period)] = p }

        var status = initialStatus
        var changes: [AlarmEvaluation] = []
        var evaluations = 0
        let count = definition.evaluationRangePeriods
        var end = (floorDiv(from, period) + 1) * period
        while end <= to {
            let newest = end / period - 1
            let slots = (0..<count).map { byPeriod[newest - Int64(count - 1 - $0)] }
            let e = AlarmEvaluator.evaluate(definition, status: status, slots: slots, at: end)
            status = e.status
            evaluations += 1
            if e.transitioned || e.notification != nil { changes.append(e) }
            end += period
        }
        return AlarmTimeline(changes: changes, evaluations: evaluations, finalStatus: status)
    }

    /// Convenience for plain `(periodStart, value?, band?)` series.
    public static func run(definition: AlarmDefinition, series: [(periodStart: Int64, value: Double?, band: BandBounds?)],
                           from: Int64, to: Int64, initialStatus: AlarmStatus = AlarmStatus()) -> AlarmTimeline {
        run(definition: definition,
            series: series.map { AlarmDatapoint(timestampMillis: $0.periodStart, value: $0.value, band: $0.band) },
            from: from, to: to, initialStatus: initialStatus)
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}
