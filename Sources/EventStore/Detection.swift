import Baselines
import CSQLite
import FilterPatterns
import Foundation

// Training input, bands and detection: where stored series meet the Baselines numerics.

/// A metric read as a regular series for training or scoring.
public struct MetricSeries: Sendable, Equatable {
    public var series: RegularSeries
    /// Whether periods without a datapoint were filled with 0 (see `TrailStore.zeroFillsMissing`).
    public var zeroFilled: Bool
    /// Periods that had no datapoint (filled with 0 or left missing).
    public var emptyPeriods: Int
}

/// The time a store's data cover: stored events and a metric's datapoints.
public struct DataSpan: Sendable, Equatable {
    /// `[first event, last event + 1 ms)`; nil when the store holds no events.
    public var events: TimeRange?
    /// `[first datapoint minute, last datapoint minute + 1 min)`; nil for an unknown metric.
    public var datapoints: TimeRange?

    /// Where the data end: the later of the last event and the last datapoint.
    public var endMillis: Int64? {
        switch (events, datapoints) {
        case let (e?, d?): max(e.endMillis, d.endMillis)
        case let (e?, nil): e.endMillis
        case let (nil, d?): d.endMillis
        case (nil, nil): nil
        }
    }

    public var startMillis: Int64? {
        switch (events, datapoints) {
        case let (e?, d?): min(e.startMillis, d.startMillis)
        case let (e?, nil): e.startMillis
        case let (nil, d?): d.startMillis
        case (nil, nil): nil
        }
    }
}

/// Why training or detection could not run.
public enum BaselineStoreError: Error, Sendable, CustomStringConvertible {
    case store(StoreError)
    case models(ModelStoreError)
    case baseline(BaselineError)
    case unknownMetric(MetricKey, near: [MetricKey])
    case noData(String)
    case filters(String)

    public var description: String {
        switch self {
        case .store(let e): return "\(e)"
        case .models(let e): return "\(e)"
        case .baseline(let e): return "\(e)"
        case .unknownMetric(let key, let near):
            let dims = key.dimensions.isEmpty ? "" : " " + key.dimensions.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
            let hint = near.isEmpty ? "" : "; similar: " + near.map(\.label).joined(separator: ", ")
            return "no metric \(key.namespace)/\(key.name)\(dims)\(hint) (see `trailwatch metrics list`)"
        case .noData(let why): return why
        case .filters(let why): return why
        }
    }
}

extension MetricKey {
    /// `NS/NAME K=V,…`, as `metrics list` prints it.
    public var label: String {
        "\(namespace)/\(name)" + (dimensions.isEmpty ? "" : " " + dimensions.map { "\($0.name)=\($0.value)" }.joined(separator: ","))
    }

    /// Same metric, ignoring the unit (which is not part of a metric's identity).
    func sameIdentity(_ other: MetricKey) -> Bool {
        namespace == other.namespace && name == other.name && dimensions == other.dimensions
    }
}

/// One period of `models band`.
public struct BandPoint: Sendable, Equatable {
    public var timeMillis: Int64
    /// nil for a missing period (no datapoint, and not a zero-filled metric).
    public var actual: Double?
    public var expected: Double
    public var lower: Double
    public var upper: Double
    public var score: Double
    public var anomaly: Bool
}

/// A value and how many events of an anomaly carried it.
public struct Contributor: Sendable, Equatable {
    public var value: String
    public var count: Int
}

/// The "why" of an anomaly: what the events counted in its interval have in common.
public struct Contributors: Sendable, Equatable {
    public var events = 0
    public var principals: [Contributor] = []
    public var sourceIPs: [Contributor] = []
    public var eventNames: [Contributor] = []
    public init() {}
}

/// One anomaly interval of one model, with its contributors.
public struct Detection: Sendable, Equatable {
    public var model: String
    public var metric: MetricKey
    public var statistic: Statistic
    public var periodMillis: Int64
    public var interval: AnomalyInterval
    /// How far the peak sits from the centre, in σ on the model's fitting scale. Scores saturate
    /// at 1 for large departures; this keeps ordering them meaningful.
    public var peakSigmas: Double
    public var contributors: Contributors
}

extension TrailStore {
    // MARK: Spans and series

    public func dataSpan(_ key: MetricKey) throws(StoreError) -> DataSpan {
        var span = DataSpan()
        let e = try connection.prepare("SELECT min(time_ms), max(time_ms) FROM events")
        if try e.step(), !e.isNull(0) { span.events = TimeRange(startMillis: e.int64(0), endMillis: e.int64(1) + 1) }
        let d = try connection.prepare("""
            SELECT min(d.minute_ms), max(d.minute_ms) FROM datapoints d JOIN metrics m ON m.id = d.metric_id
            WHERE m.namespace = ? AND m.name = ? AND m.dimensions = ?
            """)
        try d.bind([.text(key.namespace), .text(key.name), .text(key.dimensionsJSON)])
        if try d.step(), !d.isNull(0) { span.datapoints = TimeRange(startMillis: d.int64(0), endMillis: d.int64(1) + 60_000) }
        return span
    }

    /// Whether a period without a datapoint means 0 for this metric and statistic.
    ///
    /// A metric filter publishes nothing for a period in which no event matched; CloudWatch
    /// calls that missing. For a baseline that is wrong for counts: the events were there (the
    /// store holds them, and backfill counts all of history), none matched, so the Sum and the
    /// SampleCount of that period are 0, and a model trained only on the non-empty periods of a
    /// sparse count would learn that something always happens. So:
    /// - `Sum` and `SampleCount` fill with 0;
    /// - `Average`, `Minimum` and `Maximum` of nothing are undefined, so they stay missing, unless
    ///   every filter publishing the metric has `defaultValue` 0 and the metric has no dimensions
    ///   (default values are published without dimensions): then a period of no matches is one
    ///   of zeros, as CloudWatch itself would report whenever any event arrived.
    /// Zeros are only filled where the store holds events (see `series(for:…)`): outside that,
    /// nothing was observed and nothing is claimed.
    public func zeroFillsMissing(_ key: MetricKey, statistic: Statistic) throws(StoreError) -> Bool {
        if statistic == .sum || statistic == .sampleCount { return true }
        guard key.dimensions.isEmpty else { return false }
        let publishing = try filters().filter { $0.definition.namespace == key.namespace && $0.definition.metricName == key.name }
        return !publishing.isEmpty && publishing.allSatisfy { $0.definition.defaultValue == 0 }
    }

    /// The metric's `statistic` per period over `range` (aligned outward to whole periods, as
    /// `series` aligns them to the epoch), every period present: a datapoint's value, 0 for an
    /// empty period of a zero-filled metric inside the stored events' span, NaN otherwise.
    public func series(for key: MetricKey, statistic: Statistic, periodMillis: Int64, range: TimeRange) throws(StoreError) -> MetricSeries {
        let start = Self.alignDown(range.startMillis, periodMillis)
        let end = max(start, Self.alignDown(range.endMillis + periodMillis - 1, periodMillis))
        let count = Int((end - start) / periodMillis)
        let zero = try zeroFillsMissing(key, statistic: statistic)
        let events = try dataSpan(key).events
        var values = [Double](repeating: .nan, count: count)
        var empty = 0
        if zero, let events {
            // Only periods that lie wholly or partly inside the events' span were observed.
            for i in 0..<count {
                let t = start + Int64(i) * periodMillis
                if t + periodMillis > events.startMillis && t < events.endMillis { values[i] = 0 }
            }
        }
        var present = 0
        for (t, set) in try series(key, periodMillis: periodMillis, startMillis: start, endMillis: end) {
            let i = Int((t - start) / periodMillis)
            guard i >= 0, i < count else { continue }
            values[i] = set.value(of: statistic)
            present += 1
        }
        empty = count - present
        return MetricSeries(series: RegularSeries(startMillis: start, periodMillis: periodMillis, values: values), zeroFilled: zero,
                            emptyPeriods: empty)
    }

    static func alignDown(_ t: Int64, _ period: Int64) -> Int64 { t - ((t % period) + period) % period }

    // MARK: Training

    /// Metrics whose identity is close to `key`: same name in another namespace or with other
    /// dimensions, or names that contain one another. For "did you mean" messages.
    public func metricsNear(_ key: MetricKey, limit: Int = 5) throws(StoreError) -> [MetricKey] {
        let all = try metrics().map(\.key)
        let needle = key.name.lowercased()
        let scored = all.compactMap { m -> (Int, MetricKey)? in
            let name = m.name.lowercased()
            if m.namespace == key.namespace && m.name == key.name { return (0, m) }
            if m.name == key.name { return (1, m) }
            if m.namespace == key.namespace && (name.contains(needle) || needle.contains(name)) { return (2, m) }
            if name.contains(needle) || needle.contains(name) { return (3, m) }
            if m.namespace == key.namespace { return (4, m) }
            return nil
        }
        return scored.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.prefix(limit).map(\.1)
    }

    /// Trains a baseline on the metric's last `options.trainingWindowMillis` of data, ending at
    /// `endMillis` or, by default, where the data end (the later of the last stored event and the
    /// metric's last datapoint: for a sparse count the last datapoint can be weeks before the end
    /// of the trail, and the quiet weeks after it are data too). Excluded ranges are in `options`.
    /// INSUFFICIENT_DATA is an outcome, not an error; the record is not stored (see `putModel`).
    public func trainModel(name: String, metric: MetricKey, statistic: Statistic, periodMillis: Int64,
                           options: BaselineOptions, endMillis: Int64? = nil, nowMillis: Int64) throws(BaselineStoreError) -> ModelRecord
    {
        do {
            try ModelRecord.validatePeriod(periodMillis) { BaselineStoreError.noData($0) }
            let span = try dataSpan(metric)
            guard span.datapoints != nil else { throw BaselineStoreError.unknownMetric(metric, near: try metricsNear(metric)) }
            guard let dataEnd = span.endMillis, let dataStart = span.startMillis else { throw BaselineStoreError.noData("no data for \(metric.label)") }
            let end = Self.alignDown((endMillis ?? dataEnd) + periodMillis - 1, periodMillis)
            let start = max(Self.alignDown(dataStart, periodMillis), end - options.trainingWindowMillis)
            guard end > start else { throw BaselineStoreError.noData("no data for \(metric.label) before \(end)") }
            let window = TimeRange(startMillis: start, endMillis: end)
            let input = try series(for: metric, statistic: statistic, periodMillis: periodMillis, range: window)
            let clock = ContinuousClock()
            let t0 = clock.now
            let outcome = try BaselineModel.train(series: input.series, options: options)
            let d = clock.now - t0
            let fitMillis = Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
            return ModelRecord(name: name, metric: metric, statistic: statistic, periodMillis: periodMillis, options: options,
                               outcome: outcome, window: window, trainedAtMillis: nowMillis, fitMillis: fitMillis)
        } catch let e as BaselineStoreError {
            throw e
        } catch let e as StoreError {
            throw .store(e)
        } catch let e as BaselineError {
            throw .baseline(e)
        } catch {
            throw .noData("\(error)")
        }
    }

    // MARK: Bands

    /// Actual, expected, band and score per period of `range` for a trained model.
    public func band(_ record: ModelRecord, range: TimeRange) throws(StoreError) -> [BandPoint] {
        guard let model = record.model else { return [] }
        let s = try series(for: record.metric, statistic: record.statistic, periodMillis: record.periodMillis, range: range).series
        let threshold = model.bandThreshold
        return s.values.enumerated().map { i, v in
            let t = s.time(at: i)
            let p = model.predict(at: t)
            let score = model.score(v, at: t)
            return BandPoint(timeMillis: t, actual: v.isFinite ? v : nil, expected: p.expected, lower: p.lower, upper: p.upper,
                             score: score, anomaly: v.isFinite && score >= threshold)
        }
    }

    /// The default range to look at for a model: `lookback` up to where its metric's data end.
    public func recentRange(_ record: ModelRecord, lookback: Int64) throws(StoreError) -> TimeRange? {
        guard let end = try dataSpan(record.metric).endMillis else { return nil }
        let e = Self.alignDown(end + record.periodMillis - 1, record.periodMillis)
        return TimeRange(startMillis: e - lookback, endMillis: e)
    }

    // MARK: Detection

    /// Every anomaly interval of every trained model, ranked: highest peak score first, then the
    /// longer interval, then the larger departure in σ (scores saturate near 1 for big spikes).
    ///
    /// Each model is scored from `sinceMillis`, or by default from the end of its training window
    /// when data follow it, else over the last `defaultLookback` of its data (a model trained on
    /// everything is then scored in-sample, which the robust fit makes meaningful: incidents in
    /// the window did not bend it). Intervals whose peak scores below `minScore` are dropped.
    public func detect(sinceMillis: Int64?, minScore: Double = 0, top: Int = 3,
                       defaultLookback: Int64 = 7 * millisPerDay) throws(BaselineStoreError) -> [Detection]
    {
        do {
            var found: [Detection] = []
            var contributorCache: [String: Contributors] = [:]
            for record in try models() {
                guard let model = record.model, let dataEnd = try dataSpan(record.metric).endMillis else { continue }
                let end = Self.alignDown(dataEnd + record.periodMillis - 1, record.periodMillis)
                let start = sinceMillis ?? (record.window.endMillis < end ? record.window.endMillis : end - defaultLookback)
                guard end > start else { continue }
                let s = try series(for: record.metric, statistic: record.statistic, periodMillis: record.periodMillis,
                                   range: TimeRange(startMillis: start, endMillis: end)).series
                for interval in model.anomalies(in: s) where interval.peakScore >= minScore {
                    let range = TimeRange(startMillis: interval.startMillis, endMillis: interval.endMillis)
                    let cacheKey = "\(record.metric.namespace)\u{1}\(record.metric.name)\u{1}\(record.metric.dimensionsJSON)\u{1}\(range.startMillis)\u{1}\(range.endMillis)"
                    let why: Contributors
                    if let cached = contributorCache[cacheKey] {
                        why = cached
                    } else {
                        why = try contributors(to: record.metric, in: range, top: top)
                        contributorCache[cacheKey] = why
                    }
                    let sigmas = (model.transform.forward(interval.peakValue) - model.center(at: interval.peakMillis)) / model.sigma
                    found.append(Detection(model: record.name, metric: record.metric, statistic: record.statistic,
                                           periodMillis: record.periodMillis, interval: interval, peakSigmas: sigmas, contributors: why))
                }
            }
            return found.sorted { a, b in
                if a.interval.peakScore != b.interval.peakScore { return a.interval.peakScore > b.interval.peakScore }
                if a.interval.points != b.interval.points { return a.interval.points > b.interval.points }
                if abs(a.peakSigmas) != abs(b.peakSigmas) { return abs(a.peakSigmas) > abs(b.peakSigmas) }
                return (a.model, a.interval.startMillis) < (b.model, b.interval.startMillis)
            }
        } catch let e as BaselineStoreError {
            throw e
        } catch let e as ModelStoreError {
            throw .models(e)
        } catch let e as StoreError {
            throw .store(e)
        } catch {
            throw .filters("\(error)")
        }
    }

    /// The top principals (userIdentity ARN), source IPs and event names among the stored events
    /// in `range` that the metric's own filters count into this exact metric (same dimensions).
    /// Each filter publishing the metric is re-evaluated on the events of its log, so the answer
    /// is exactly the events behind the datapoints, not everything that happened at the time.
    public func contributors(to metric: MetricKey, in range: TimeRange, top: Int = 3) throws -> Contributors {
        let names = Set(metric.dimensions.map(\.name))
        let publishing = try filters().filter {
            $0.definition.namespace == metric.namespace && $0.definition.metricName == metric.name
                && Set($0.definition.dimensions.keys) == names
        }
        var principals: [String: Int] = [:], ips: [String: Int] = [:], events: [String: Int] = [:]
        var total = 0
        for (log, group) in Dictionary(grouping: publishing, by: \.definition.log).sorted(by: { $0.key < $1.key }) {
            let compiled = try CompiledFilters(group)
            var outcomes: [FilterOutcome] = []
            let scan = try connection.prepare("""
                SELECT e.identity_arn, e.source_ip, e.event_name, j.json FROM events e JOIN event_json j ON j.id = e.id
                WHERE e.log = ? AND e.time_ms >= ? AND e.time_ms < ?
                """)
            try scan.bind([.text(log), .integer(range.startMillis), .integer(range.endMillis)])
            while try scan.step() {
                let n = Int(sqlite3_column_bytes(scan.handle, 3))
                let text = sqlite3_column_text(scan.handle, 3)
                compiled.evaluator.evaluate(UnsafeRawBufferPointer(start: text, count: n), into: &outcomes)
                // Counted once per event, however many of the metric's filters matched it.
                let counted = outcomes.indices.contains { i in
                    if case .match(_, let dims) = outcomes[i] { return compiled.metric(i, dims).sameIdentity(metric) }
                    return false
                }
                guard counted else { continue }
                total += 1
                if let v = scan.text(0), !v.isEmpty { principals[v, default: 0] += 1 }
                if let v = scan.text(1), !v.isEmpty { ips[v, default: 0] += 1 }
                if let v = scan.text(2), !v.isEmpty { events[v, default: 0] += 1 }
            }
        }
        func best(_ counts: [String: Int]) -> [Contributor] {
            counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(top).map { Contributor(value: $0.key, count: $0.value) }
        }
        var out = Contributors()
        out.events = total
        out.principals = best(principals)
        out.sourceIPs = best(ips)
        out.eventNames = best(events)
        return out
    }
}
