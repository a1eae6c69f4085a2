import Alarms
import Baselines
import FilterPatterns

// The alarm state strip needs each alarm replayed over the report's range. Until the alarm
// runner (`TrailStore.backtestAlarm`, issue 6) is available, the report replays alarms itself
// from the stored series with the same pure `AlarmBacktest`.

/// Why an alarm could not be replayed for the report.
struct ReportReplayError: Error, CustomStringConvertible {
    var description: String
}

extension TrailStore {
    public func backtestAlarm(named name: String, from: Int64, to: Int64) throws -> AlarmTimeline {
        guard let stored = try alarm(named: name) else { throw ReportReplayError(description: "no alarm named \(name)") }
        let d = stored.definition
        let statistic: Statistic
        switch d.statistic {
        case .sum: statistic = .sum
        case .sampleCount: statistic = .sampleCount
        case .average: statistic = .average
        case .minimum: statistic = .minimum
        case .maximum: statistic = .maximum
        case .percentile: throw ReportReplayError(description: "percentile statistics cannot be computed from stored statistic sets")
        }
        let key = MetricKey(namespace: d.metric.namespace, name: d.metric.name,
                            dimensions: d.metric.dimensions.map { Dimension(name: $0.name, value: $0.value) })
        // The first evaluation looks back over its whole evaluation range.
        let lookback = Int64(d.evaluationRangePeriods) * d.periodMillis
        let s = try series(for: key, statistic: statistic, periodMillis: d.periodMillis,
                           range: TimeRange(startMillis: from - lookback, endMillis: to)).series
        var model: BaselineModel?
        if case .band(let ref) = d.condition {
            guard let m = try self.model(named: ref.model)?.model else { throw ReportReplayError(description: "band model \(ref.model) is not trained") }
            model = m
        }
        let points = s.values.indices.map { i -> AlarmDatapoint in
            let t = s.time(at: i)
            let v = s.values[i]
            var band: BandBounds?
            if case .band(let ref) = d.condition, let model { band = BandBounds(model: model, width: ref.width, at: t) }
            return AlarmDatapoint(timestampMillis: t, value: v.isFinite ? v : nil, band: band)
        }
        return AlarmBacktest.run(definition: d, series: points, from: from, to: to)
    }
}
