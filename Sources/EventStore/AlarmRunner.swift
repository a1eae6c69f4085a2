import Alarms
import Baselines
import FilterPatterns
import Foundation

// Where stored alarms meet stored series: the datapoints an alarm sees, backtests (pure replays,
// nothing persisted) and live runs (actions, history, persisted status) for `alarms evaluate`,
// `watch` and `report`.

/// Why an alarm could not be evaluated over the store.
public enum AlarmRunnerError: Error, Sendable, CustomStringConvertible, Equatable {
    case unknownAlarm(String, near: [String])
    /// Statistic sets (count, sum, min, max per minute) cannot answer percentiles.
    case percentileUnsupported(alarm: String, statistic: String)
    /// Datapoints are stored per minute.
    case periodTooShort(alarm: String, millis: Int64)
    /// A per-series alarm (`Dim=*`) has no single series; evaluate its series instead.
    case template(String)
    case rangeTooLong(alarm: String, periods: Int64)

    public var description: String {
        switch self {
        case .unknownAlarm(let name, let near):
            "no alarm named '\(name)'" + (near.isEmpty ? " (see `trailwatch alarms list`)" : "; similar: " + near.joined(separator: ", "))
        case .percentileUnsupported(let alarm, let stat):
            "alarm '\(alarm)': statistic \(stat) is a percentile; the store keeps per-minute statistic sets (SampleCount, Sum, Minimum, Maximum), which cannot answer percentiles"
        case .periodTooShort(let alarm, let ms):
            "alarm '\(alarm)': period \(ms / 1000) s is shorter than one minute; metric datapoints are stored per minute"
        case .template(let name):
            "alarm '\(name)' has a wildcard dimension (one series per value); evaluate its series"
        case .rangeTooLong(let alarm, let periods):
            "alarm '\(alarm)': the requested range spans \(periods) periods; at most \(AlarmSeriesLimits.maximumPeriods) are read at once"
        }
    }
}

public enum AlarmSeriesLimits {
    /// A guard against reading absurd ranges (a 1-minute alarm over ten years) into memory.
    public static let maximumPeriods: Int64 = 5_000_000
}

/// Whether a band alarm's model can supply bands.
public enum BandModelStatus: Sendable, Equatable {
    case ready
    case missing(String)
    case untrained(String, reason: String)
    /// The model describes another series (metric, statistic or period differ from the alarm's).
    case mismatch(String, reason: String)

    public var problem: String? {
        switch self {
        case .ready: nil
        case .missing(let m): "model '\(m)' does not exist (train it with `trailwatch models train`)"
        case .untrained(let m, let why): "model '\(m)' has no band yet: \(why)"
        case .mismatch(let m, let why): "model '\(m)' does not fit this alarm: \(why)"
        }
    }
}

extension AlarmDefinition {
    /// The dimension value that makes an alarm a per-series template: `InstanceId=*` watches
    /// every InstanceId the metric has, each as its own series with its own state.
    public static let wildcard = "*"

    public var isTemplate: Bool { metric.dimensions.contains { $0.value == Self.wildcard } }

    /// The metric identity in the store.
    public var metricKey: MetricKey {
        MetricKey(namespace: metric.namespace, name: metric.name,
                  dimensions: metric.dimensions.map { FilterPatterns.Dimension(name: $0.name, value: $0.value) })
    }

    /// The statistic as statistic sets answer it; nil for percentiles.
    public var storeStatistic: Statistic? {
        switch statistic {
        case .sampleCount: .sampleCount
        case .sum: .sum
        case .average: .average
        case .minimum: .minimum
        case .maximum: .maximum
        case .percentile: nil
        }
    }

    /// Whether a datapoint breaches, as the evaluator judges it (comparison, then the
    /// minimum-volume gate). Used to pick the periods whose events are reported as contributors.
    public func breaches(_ p: AlarmDatapoint) -> Bool {
        guard let v = p.value, v.isFinite else { return false }
        let crossed: Bool
        switch (comparisonOperator, condition) {
        case (.greaterThanOrEqualToThreshold, .threshold(let t)): crossed = v >= t
        case (.greaterThanThreshold, .threshold(let t)): crossed = v > t
        case (.lessThanThreshold, .threshold(let t)): crossed = v < t
        case (.lessThanOrEqualToThreshold, .threshold(let t)): crossed = v <= t
        case (.lessThanLowerOrGreaterThanUpperThreshold, .band): crossed = p.band.map { v < $0.lower || v > $0.upper } ?? false
        case (.greaterThanUpperThreshold, .band): crossed = p.band.map { v > $0.upper } ?? false
        case (.lessThanLowerThreshold, .band): crossed = p.band.map { v < $0.lower } ?? false
        default: crossed = false
        }
        guard crossed else { return false }
        if let minimum = minimumVolume, (p.volume ?? p.sampleCount ?? v) < minimum { return false }
        return true
    }
}

/// One concrete series of an alarm: the alarm itself, or one expansion of a template.
public struct AlarmSeriesTimeline: Sendable, Equatable {
    /// The concrete definition (for a template's series: named `TEMPLATE[Dim=value]`, with the
    /// wildcard replaced by the value).
    public var definition: AlarmDefinition
    public var timeline: AlarmTimeline
    /// The evaluations ran at period ends in (from, to].
    public var fromMillis: Int64
    public var toMillis: Int64
}

extension TrailStore {
    // MARK: Datapoints

    /// The alarm's datapoints, one per period (epoch-aligned) overlapping `range` (both ends
    /// inclusive), oldest first; by default every period of the stored data (events and the
    /// metric's datapoints).
    ///
    /// - value: the statistic of the period's statistic sets (all filters publishing the metric
    ///   combined); for a period without a datapoint, 0 where the zero-fill rule applies
    ///   (`zeroFillsMissing`: Sum and SampleCount, inside the stored events' span, and only when
    ///   a filter publishes the metric: without one nothing was counted), else nil (missing).
    /// - sampleCount: matched events in the period (0 for a zero-filled period): the
    ///   minimum-volume gate's volume.
    /// - band: for band alarms, from the named model; a missing, untrained or mismatched model
    ///   gives no bands, which the evaluator treats as missing data (INSUFFICIENT_DATA), not an
    ///   error.
    public func alarmDatapoints(for definition: AlarmDefinition, range: ClosedRange<Int64>?) throws -> [AlarmDatapoint] {
        if definition.isTemplate { throw AlarmRunnerError.template(definition.name) }
        guard let statistic = definition.storeStatistic else {
            throw AlarmRunnerError.percentileUnsupported(alarm: definition.name, statistic: definition.statistic.description)
        }
        let period = definition.periodMillis
        guard period >= 60_000, period % 60_000 == 0 else { throw AlarmRunnerError.periodTooShort(alarm: definition.name, millis: period) }
        let key = definition.metricKey
        let span = try dataSpan(key)
        let lower: Int64, upper: Int64
        if let range {
            (lower, upper) = (range.lowerBound, range.upperBound)
        } else {
            guard let s = span.startMillis, let e = span.endMillis else { return [] }
            (lower, upper) = (s, e - 1)
        }
        let start = Self.alignDown(lower, period)
        let end = Self.alignDown(upper, period) + period
        let count = (end - start) / period
        if count > AlarmSeriesLimits.maximumPeriods { throw AlarmRunnerError.rangeTooLong(alarm: definition.name, periods: count) }

        let zeroFill = try zeroFillsMissing(key, statistic: statistic) && publishesMetric(key)
        var sets: [Int64: StatisticSet] = [:]
        for (t, set) in try series(key, periodMillis: period, startMillis: start, endMillis: end) { sets[t] = set }

        var model: BaselineModel?
        if let band = definition.band, case .ready = try bandModelStatus(for: definition) {
            model = try self.model(named: band.model)?.model
        }

        var out: [AlarmDatapoint] = []
        out.reserveCapacity(Int(count))
        var t = start
        while t < end {
            var p = AlarmDatapoint(timestampMillis: t, value: nil)
            if let set = sets[t] {
                p.value = set.value(of: statistic)
                p.sampleCount = Double(set.sampleCount)
            } else if zeroFill, let events = span.events, t + period > events.startMillis, t < events.endMillis {
                p.value = 0
                p.sampleCount = 0
            }
            if let model, let width = definition.band?.width, p.value != nil {
                p.band = BandBounds(model: model, width: width, at: t)
            }
            out.append(p)
            t += period
        }
        return out
    }

    /// Whether any metric filter publishes this metric's namespace and name.
    func publishesMetric(_ key: MetricKey) throws -> Bool {
        try filters().contains { $0.definition.namespace == key.namespace && $0.definition.metricName == key.name }
    }

    /// Whether the band alarm's model can supply bands: it exists, is trained, and describes the
    /// alarm's series (same metric, statistic and period). nil for static alarms.
    public func bandModelStatus(for definition: AlarmDefinition) throws -> BandModelStatus? {
        guard let band = definition.band else { return nil }
        guard let record = try model(named: band.model) else { return .missing(band.model) }
        guard record.model != nil else { return .untrained(band.model, reason: record.status) }
        let key = definition.metricKey
        if !record.metric.sameIdentity(key) && !definition.isTemplate {
            return .mismatch(band.model, reason: "it models \(record.metric.label), the alarm watches \(key.label)")
        }
        if definition.isTemplate, record.metric.namespace != key.namespace || record.metric.name != key.name {
            return .mismatch(band.model, reason: "it models \(record.metric.label), the alarm watches \(key.label)")
        }
        if let s = definition.storeStatistic, s != record.statistic {
            return .mismatch(band.model, reason: "it models the \(record.statistic.rawValue), the alarm uses \(definition.statistic.description)")
        }
        if record.periodMillis != definition.periodMillis {
            return .mismatch(band.model, reason: "its period is \(ModelRecord.periodText(record.periodMillis)), the alarm's \(ModelRecord.periodText(definition.periodMillis))")
        }
        return .ready
    }

    // MARK: Time

    /// The newest stored event's time (ms), nil for an empty store.
    public func newestEventMillis() throws -> Int64? {
        let s = try connection.prepare("SELECT max(time_ms) FROM events")
        return try s.step() && !s.isNull(0) ? s.int64(0) : nil
    }

    public func oldestEventMillis() throws -> Int64? {
        let s = try connection.prepare("SELECT min(time_ms) FROM events")
        return try s.step() && !s.isNull(0) ? s.int64(0) : nil
    }

    /// The end of the newest complete period: a period is complete when its end is at or before
    /// the newest stored event. CloudTrail delivers files minutes late and out of order, so the
    /// wall clock says nothing about which periods are whole; the data do.
    public func completePeriodEnd(periodMillis: Int64) throws -> Int64? {
        try newestEventMillis().map { Self.alignDown($0, periodMillis) }
    }

    // MARK: Backtest

    public func storedAlarm(named name: String) throws -> StoredAlarm {
        if let a = try alarm(named: name) { return a }
        let lower = name.lowercased()
        let near = try alarms().map(\.definition.name).filter { $0.lowercased().contains(lower) || lower.contains($0.lowercased()) }
        throw AlarmRunnerError.unknownAlarm(name, near: Array(near.prefix(5)))
    }

    /// Replays the alarm from a fresh INSUFFICIENT_DATA status, evaluating at every period end in
    /// (from, to]. Defaults: from the period holding the oldest stored event to the end of the
    /// newest complete period. Pure: nothing is persisted and no action runs.
    public func backtestAlarm(named name: String, from: Int64? = nil, to: Int64? = nil) throws -> AlarmTimeline {
        let stored = try storedAlarm(named: name)
        return try backtest(stored.definition, from: from, to: to).timeline
    }

    /// Like `backtestAlarm(named:)`, for every concrete series of the alarm: the alarm itself, or
    /// each expansion of a template (`Dim=*`), in series-name order.
    public func backtestAlarmSeries(named name: String, from: Int64? = nil, to: Int64? = nil) throws -> [AlarmSeriesTimeline] {
        let stored = try storedAlarm(named: name)
        return try alarmSeries(of: stored.definition).map { try backtest($0, from: from, to: to) }
    }

    /// Backtest of one concrete definition.
    public func backtest(_ definition: AlarmDefinition, from: Int64?, to: Int64?, initialStatus: AlarmStatus = AlarmStatus()) throws -> AlarmSeriesTimeline {
        let period = definition.periodMillis
        let fromMillis = try from ?? oldestEventMillis().map { Self.alignDown($0, period) }
        let toMillis = try to ?? completePeriodEnd(periodMillis: period)
        guard let fromMillis, let toMillis, toMillis > fromMillis else {
            // Nothing to evaluate: an empty replay (AlarmTimeline has no public initialiser).
            let empty = AlarmBacktest.run(definition: definition, series: [AlarmDatapoint](), from: 0, to: 0, initialStatus: initialStatus)
            return AlarmSeriesTimeline(definition: definition, timeline: empty, fromMillis: from ?? 0, toMillis: to ?? 0)
        }
        let points = try alarmDatapoints(for: definition, range: evaluationWindow(definition, from: fromMillis, to: toMillis))
        let timeline = AlarmFastReplay.run(definition: try evaluated(definition), points: points, from: fromMillis, to: toMillis,
                                           initialStatus: initialStatus)
        return AlarmSeriesTimeline(definition: definition, timeline: timeline, fromMillis: fromMillis, toMillis: toMillis)
    }

    /// The definition the evaluator sees. A band alarm whose model cannot supply bands has no
    /// datapoint it can judge; under `notBreaching` or `breaching` CloudWatch's fill rules would
    /// then invent OK or ALARM from nothing, so it is evaluated with `missing`: INSUFFICIENT_DATA
    /// ("N datapoints were unknown") until the model is trained.
    func evaluated(_ definition: AlarmDefinition) throws -> AlarmDefinition {
        guard let status = try bandModelStatus(for: definition), status != .ready else { return definition }
        var d = definition
        d.treatMissingData = .missing
        return d
    }

    /// The datapoints evaluations at period ends in (from, to] look at: N + 2 periods before the
    /// first end, up to the last period before `to`.
    func evaluationWindow(_ definition: AlarmDefinition, from: Int64, to: Int64) -> ClosedRange<Int64> {
        let period = definition.periodMillis
        let firstEnd = Self.alignDown(from, period) + period
        let lower = firstEnd - Int64(definition.evaluationRangePeriods) * period
        return lower...max(lower, to - 1)
    }

    // MARK: Templates

    /// The concrete series of an alarm: itself, or for a template one definition per stored
    /// dimension-value combination matching it (fixed dimensions equal, wildcards any value).
    public func alarmSeries(of definition: AlarmDefinition) throws -> [AlarmDefinition] {
        guard definition.isTemplate else { return [definition] }
        let s = try connection.prepare("SELECT dimensions FROM metrics WHERE namespace = ? AND name = ? ORDER BY dimensions")
        try s.bind([.text(definition.metric.namespace), .text(definition.metric.name)])
        let wanted = Dictionary(uniqueKeysWithValues: definition.metric.dimensions.map { ($0.name, $0.value) })
        var out: [AlarmDefinition] = []
        while try s.step() {
            let dims = Self.dimensions(s.text(0) ?? "{}")
            guard dims.count == wanted.count else { continue }
            let fits = dims.allSatisfy { d in wanted[d.name].map { $0 == AlarmDefinition.wildcard || $0 == d.value } ?? false }
            guard fits else { continue }
            var concrete = definition
            concrete.metric.dimensions = definition.metric.dimensions.map { d in
                MetricDimension(name: d.name, value: dims.first { $0.name == d.name }?.value ?? d.value)
            }
            concrete.name = Self.seriesName(template: definition, concrete: concrete)
            out.append(concrete)
        }
        return out.sorted { $0.name < $1.name }
    }

    /// `TEMPLATE[Dim=value,…]`, naming the wildcard dimensions only.
    public static func seriesName(template: AlarmDefinition, concrete: AlarmDefinition) -> String {
        let wild = Set(template.metric.dimensions.filter { $0.value == AlarmDefinition.wildcard }.map(\.name))
        let parts = concrete.metric.dimensions.filter { wild.contains($0.name) }.sorted { $0.name < $1.name }.map { "\($0.name)=\($0.value)" }
        return template.name + "[" + parts.joined(separator: ",") + "]"
    }

    // MARK: Contributors

    /// The top principals, source IPs and event names of the events behind the breaching periods
    /// of an evaluation's range (see `contributors(to:in:top:)`), as notification groups. nil
    /// when no period of the range breaches (a move to OK or INSUFFICIENT_DATA).
    public func alarmContributors(for definition: AlarmDefinition, evaluatedAt end: Int64, datapoints: [AlarmDatapoint],
                                  top: Int = 3) throws -> [ContributorGroup]? {
        let starts = Set(definition.evaluationRange(endingAt: end))
        let breaching = datapoints.filter { starts.contains($0.timestampMillis) && definition.breaches($0) }
        guard !breaching.isEmpty else { return nil }
        var principals: [String: Int] = [:], ips: [String: Int] = [:], names: [String: Int] = [:]
        let key = definition.metricKey
        for p in breaching {
            // Per period with a generous top, then merged: events of the non-breaching periods in
            // between are not the alarm's business.
            let c = try contributors(to: key, in: TimeRange(startMillis: p.timestampMillis, endMillis: p.timestampMillis + definition.periodMillis),
                                     top: 1000)
            for x in c.principals { principals[x.value, default: 0] += x.count }
            for x in c.sourceIPs { ips[x.value, default: 0] += x.count }
            for x in c.eventNames { names[x.value, default: 0] += x.count }
        }
        func best(_ name: String, _ counts: [String: Int]) -> ContributorGroup {
            ContributorGroup(name: name, top: counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .prefix(top).map { Alarms.Contributor(value: $0.key, count: Int64($0.value)) })
        }
        return [best("principal", principals), best("sourceIPAddress", ips), best("eventName", names)]
    }
}
