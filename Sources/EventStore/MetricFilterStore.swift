import CSQLite
import FilterPatterns
import TrailJSON

/// A metric filter as the user defines it (`trailwatch filters put`).
public struct MetricFilterDefinition: Sendable, Equatable {
    public var name: String
    public var pattern: String
    public var namespace: String
    public var metricName: String
    /// "1", "2.5", "$.field", "$name" (space-delimited field) or "$size".
    public var metricValue: String
    public var defaultValue: Double?
    /// Dimension name → selector ("$.field" or "$name").
    public var dimensions: [String: String]
    public var unit: String?
    /// The log (ingest `--source`) the filter counts events of.
    public var log: String

    public init(name: String, pattern: String, namespace: String, metricName: String, metricValue: String = "1",
                defaultValue: Double? = nil, dimensions: [String: String] = [:], unit: String? = nil, log: String = "cloudtrail")
    {
        self.name = name
        self.pattern = pattern
        self.namespace = namespace
        self.metricName = metricName
        self.metricValue = metricValue
        self.defaultValue = defaultValue
        self.dimensions = dimensions
        self.unit = unit
        self.log = log
    }

    /// Compiles the pattern and the transformation; invalid definitions never reach the store.
    public func compile() throws(FilterPatternError) -> (pattern: FilterPattern, transformation: MetricTransformation) {
        let p = try FilterPattern(pattern)
        let t = try MetricTransformation(namespace: namespace, name: metricName, value: try MetricTransformation.parseValue(metricValue),
                                         defaultValue: defaultValue, dimensions: dimensions, unit: unit)
        try t.validate(for: p)
        return (p, t)
    }

    var dimensionsJSON: String {
        JSONValue.object(JSONObject(dimensions.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })).jsonText()
    }
}

public struct StoredMetricFilter: Sendable, Equatable {
    public var id: Int64
    public var definition: MetricFilterDefinition
    public var createdMillis: Int64
    public var updatedMillis: Int64
}

/// Filters of one log compiled into one evaluator, with what each match is published as.
public struct CompiledFilters: Sendable {
    public let filters: [StoredMetricFilter]
    public let evaluator: FilterEvaluator
    let transformations: [MetricTransformation]

    public init(_ filters: [StoredMetricFilter]) throws(FilterPatternError) {
        var compiled: [(pattern: FilterPattern, transformation: MetricTransformation)] = []
        for f in filters { compiled.append(try f.definition.compile()) }
        self.filters = filters
        transformations = compiled.map(\.transformation)
        evaluator = FilterEvaluator(compiled)
    }

    public var isEmpty: Bool { filters.isEmpty }

    /// The metric a match of filter `i` with these dimensions is counted in.
    public func metric(_ i: Int, _ dimensions: [Dimension]) -> MetricKey {
        let t = transformations[i]
        return MetricKey(namespace: t.namespace, name: t.name, dimensions: dimensions, unit: t.unit)
    }

    /// What filter `i` publishes for an outcome: a non-matching event publishes the filter's
    /// default value, when it has one (CloudWatch's `defaultValue`), without dimensions.
    public func published(_ i: Int, _ outcome: FilterOutcome) -> FilterOutcome {
        if case .noMatch = outcome, let d = transformations[i].defaultValue { return .match(value: d, dimensions: []) }
        return outcome
    }

    /// Evaluates every filter on one event and folds the outcomes into `aggregator`.
    public func count(_ message: UnsafeRawBufferPointer, timeMillis: Int64, outcomes: inout [FilterOutcome],
                      into aggregator: inout MetricAggregator)
    {
        evaluator.evaluate(message, into: &outcomes)
        for (i, outcome) in outcomes.enumerated() {
            switch published(i, outcome) {
            case .noMatch: continue
            case .match(let value, let dimensions):
                aggregator.add(filterID: filters[i].id, metric: metric(i, dimensions), timeMillis: timeMillis, value: value)
            case .invalidValue(let reason):
                aggregator.addError(filterID: filters[i].id, timeMillis: timeMillis, reason: reason)
            }
        }
    }
}

/// What `filters put` did.
public enum PutOutcome: String, Sendable { case created, updated, unchanged }

extension TrailStore {
    // MARK: Filters

    @discardableResult
    public func putFilter(_ d: MetricFilterDefinition, nowMillis: Int64) throws -> PutOutcome {
        _ = try d.compile()
        if let existing = try filter(named: d.name) {
            if existing.definition == d { return .unchanged }
            let s = try connection.prepare("""
                UPDATE metric_filters SET pattern = ?, namespace = ?, metric_name = ?, metric_value = ?, default_value = ?,
                    dimensions = ?, unit = ?, log = ?, updated_ms = ? WHERE id = ?
                """)
            try s.bind(values(d) + [.integer(nowMillis), .integer(existing.id)])
            try s.step()
            return .updated
        }
        let s = try connection.prepare("""
            INSERT INTO metric_filters(pattern, namespace, metric_name, metric_value, default_value, dimensions, unit, log,
                created_ms, updated_ms, name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try s.bind(values(d) + [.integer(nowMillis), .integer(nowMillis), .text(d.name)])
        try s.step()
        return .created
    }

    private func values(_ d: MetricFilterDefinition) -> [SQLiteValue] {
        [.text(d.pattern), .text(d.namespace), .text(d.metricName), .text(d.metricValue),
         d.defaultValue.map(SQLiteValue.real) ?? .null, .text(d.dimensionsJSON), d.unit.map(SQLiteValue.text) ?? .null, .text(d.log)]
    }

    public func filters(log: String? = nil) throws(StoreError) -> [StoredMetricFilter] {
        let s = try connection.prepare("""
            SELECT id, name, pattern, namespace, metric_name, metric_value, default_value, dimensions, unit, log, created_ms, updated_ms
            FROM metric_filters \(log == nil ? "" : "WHERE log = ?") ORDER BY name
            """)
        try s.bind(log.map { [.text($0)] } ?? [])
        var out: [StoredMetricFilter] = []
        while try s.step() {
            var dims: [String: String] = [:]
            if case .object(let o)? = try? JSONValue.parse(s.text(7) ?? "{}") {
                for (k, v) in o.pairs { dims[k] = v.stringValue }
            }
            let d = MetricFilterDefinition(
                name: s.text(1) ?? "", pattern: s.text(2) ?? "", namespace: s.text(3) ?? "", metricName: s.text(4) ?? "",
                metricValue: s.text(5) ?? "1", defaultValue: s.isNull(6) ? nil : s.double(6), dimensions: dims,
                unit: s.text(8), log: s.text(9) ?? "cloudtrail")
            out.append(StoredMetricFilter(id: s.int64(0), definition: d, createdMillis: s.int64(10), updatedMillis: s.int64(11)))
        }
        return out
    }

    public func filter(named name: String) throws(StoreError) -> StoredMetricFilter? {
        try filters().first { $0.definition.name == name }
    }

    /// Deletes a filter and the datapoints it counted; metrics left without datapoints go too.
    @discardableResult
    public func deleteFilter(named name: String) throws -> Bool {
        guard let f = try filter(named: name) else { return false }
        try connection.transaction {
            try connection.execute("DELETE FROM datapoints WHERE filter_id = \(f.id)")
            try connection.execute("DELETE FROM filter_errors WHERE filter_id = \(f.id)")
            try connection.execute("DELETE FROM metric_filters WHERE id = \(f.id)")
            try connection.execute("DELETE FROM metrics WHERE id NOT IN (SELECT DISTINCT metric_id FROM datapoints)")
        }
        return true
    }

    // MARK: Writing datapoints

    /// Adds the aggregator's statistic sets to what is stored (incremental counting at ingest).
    /// Runs inside the caller's transaction.
    public func add(_ aggregator: MetricAggregator, metricIDs: inout [MetricKey: Int64]) throws(StoreError) {
        let upsert = try connection.cached("""
            INSERT INTO datapoints(metric_id, filter_id, minute_ms, sample_count, sum, minimum, maximum) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(metric_id, minute_ms, filter_id) DO UPDATE SET sample_count = sample_count + excluded.sample_count,
                sum = sum + excluded.sum, minimum = min(minimum, excluded.minimum), maximum = max(maximum, excluded.maximum)
            """)
        for (key, stats) in aggregator.points {
            let metricID = try metricID(key.metric, cache: &metricIDs)
            try upsert.bind([.integer(metricID), .integer(key.filterID), .integer(key.minuteMillis), .integer(Int64(stats.sampleCount)),
                             .real(stats.sum), .real(stats.minimum), .real(stats.maximum)])
            try upsert.step()
        }
        let errors = try connection.cached("""
            INSERT INTO filter_errors(filter_id, minute_ms, count, reason) VALUES (?, ?, ?, ?)
            ON CONFLICT(filter_id, minute_ms) DO UPDATE SET count = count + excluded.count, reason = excluded.reason
            """)
        for (key, e) in aggregator.errors {
            try errors.bind([.integer(key.filterID), .integer(key.minuteMillis), .integer(Int64(e.count)), .text(e.reason)])
            try errors.step()
        }
    }

    func metricID(_ key: MetricKey, cache: inout [MetricKey: Int64]) throws(StoreError) -> Int64 {
        if let id = cache[key] { return id }
        let find = try connection.cached("SELECT id FROM metrics WHERE namespace = ? AND name = ? AND dimensions = ?")
        defer { find.reset() }
        try find.bind([.text(key.namespace), .text(key.name), .text(key.dimensionsJSON)])
        let id: Int64
        if try find.step() {
            id = find.int64(0)
        } else {
            let ins = try connection.cached("INSERT INTO metrics(namespace, name, dimensions, unit) VALUES (?, ?, ?, ?)")
            try ins.bind([.text(key.namespace), .text(key.name), .text(key.dimensionsJSON), key.unit.map(SQLiteValue.text) ?? .null])
            try ins.step()
            id = connection.lastInsertRowID
        }
        cache[key] = id
        return id
    }

    // MARK: Backfill

    /// Recounts `filters` over the stored events in `[since, until)` (whole minutes), replacing
    /// what they had counted there. Idempotent: running it twice gives the same series.
    public func backfill(_ filters: [StoredMetricFilter], sinceMillis: Int64?, untilMillis: Int64?) throws -> BackfillSummary {
        var summary = BackfillSummary()
        guard !filters.isEmpty else { return summary }
        let start = sinceMillis.map(MetricAggregator.minute) ?? Int64.min
        let end = untilMillis.map { MetricAggregator.minute($0 + 59_999) } ?? Int64.max
        let byLog = Dictionary(grouping: filters, by: \.definition.log)
        try connection.transaction {
            let ids = filters.map { String($0.id) }.joined(separator: ",")
            try connection.execute("DELETE FROM datapoints WHERE filter_id IN (\(ids)) AND minute_ms >= \(start) AND minute_ms < \(end)")
            try connection.execute("DELETE FROM filter_errors WHERE filter_id IN (\(ids)) AND minute_ms >= \(start) AND minute_ms < \(end)")
            var metricIDs: [MetricKey: Int64] = [:]
            for (log, group) in byLog.sorted(by: { $0.key < $1.key }) {
                let compiled = try CompiledFilters(group)
                var outcomes: [FilterOutcome] = []
                var aggregator = MetricAggregator()
                let scan = try connection.prepare("""
                    SELECT e.time_ms, j.json FROM events e JOIN event_json j ON j.id = e.id
                    WHERE e.log = ? AND e.time_ms >= ? AND e.time_ms < ?
                    """)
                try scan.bind([.text(log), .integer(start), .integer(end)])
                while try scan.step() {
                    let time = scan.int64(0)
                    let n = Int(sqlite3_column_bytes(scan.handle, 1))
                    let text = sqlite3_column_text(scan.handle, 1)
                    compiled.count(UnsafeRawBufferPointer(start: text, count: n), timeMillis: time, outcomes: &outcomes, into: &aggregator)
                    summary.events += 1
                }
                summary.datapoints += aggregator.points.count
                summary.matches += aggregator.points.values.reduce(0) { $0 + $1.sampleCount }
                summary.valueErrors += aggregator.errors.values.reduce(0) { $0 + $1.count }
                try add(aggregator, metricIDs: &metricIDs)
            }
        }
        return summary
    }

    // MARK: Reading series

    public func metrics() throws(StoreError) -> [MetricSummary] {
        let s = try connection.prepare("""
            SELECT m.namespace, m.name, m.dimensions, m.unit, count(DISTINCT d.minute_ms), sum(d.sample_count), min(d.minute_ms), max(d.minute_ms)
            FROM metrics m JOIN datapoints d ON d.metric_id = m.id GROUP BY m.id ORDER BY m.namespace, m.name, m.dimensions
            """)
        var out: [MetricSummary] = []
        while try s.step() {
            out.append(MetricSummary(key: MetricKey(namespace: s.text(0) ?? "", name: s.text(1) ?? "",
                                                    dimensions: Self.dimensions(s.text(2) ?? "{}"), unit: s.text(3)),
                                     minutes: Int(s.int64(4)), samples: Int(s.int64(5)), firstMillis: s.int64(6), lastMillis: s.int64(7)))
        }
        return out
    }

    static func dimensions(_ json: String) -> [Dimension] {
        guard case .object(let o)? = try? JSONValue.parse(json) else { return [] }
        return o.pairs.map { Dimension(name: $0.0, value: $0.1.stringValue ?? $0.1.jsonText()) }
    }

    /// Statistic sets per period for one metric (all filters publishing to it combined), in
    /// `[start, end)`. Periods are aligned to multiples of `periodMillis` since the epoch.
    public func series(_ key: MetricKey, periodMillis: Int64, startMillis: Int64?, endMillis: Int64?) throws(StoreError) -> [(Int64, StatisticSet)] {
        let s = try connection.prepare("""
            SELECT (d.minute_ms / ?1) * ?1 AS t, sum(d.sample_count), sum(d.sum), min(d.minimum), max(d.maximum)
            FROM datapoints d JOIN metrics m ON m.id = d.metric_id
            WHERE m.namespace = ?2 AND m.name = ?3 AND m.dimensions = ?4 AND d.minute_ms >= ?5 AND d.minute_ms < ?6
            GROUP BY t ORDER BY t
            """)
        try s.bind([.integer(periodMillis), .text(key.namespace), .text(key.name), .text(key.dimensionsJSON),
                    .integer(startMillis ?? Int64.min), .integer(endMillis ?? Int64.max)])
        var out: [(Int64, StatisticSet)] = []
        while try s.step() {
            out.append((s.int64(0), StatisticSet(sampleCount: Int(s.int64(1)), sum: s.double(2), minimum: s.double(3), maximum: s.double(4))))
        }
        return out
    }

    /// Matches whose value could not be extracted, per filter.
    public func valueErrors() throws(StoreError) -> [Int64: (count: Int, reason: String)] {
        let s = try connection.prepare("SELECT filter_id, sum(count), max(reason) FROM filter_errors GROUP BY filter_id")
        var out: [Int64: (Int, String)] = [:]
        while try s.step() { out[s.int64(0)] = (Int(s.int64(1)), s.text(2) ?? "") }
        return out
    }
}

public struct BackfillSummary: Sendable, Equatable {
    public var events = 0
    public var matches = 0
    public var datapoints = 0
    public var valueErrors = 0
    public init() {}
}

public struct MetricSummary: Sendable, Equatable {
    public var key: MetricKey
    public var minutes: Int
    public var samples: Int
    public var firstMillis: Int64
    public var lastMillis: Int64
}
