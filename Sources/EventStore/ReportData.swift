import Alarms
import Baselines
import CloudTrail
import Foundation
import InsightsQuery

// Everything `trailwatch report` shows, gathered from the store in one pass. Rendering (HTML,
// SVG) is a pure function of these values and lives with the CLI.

/// What to put in a report.
public struct ReportOptions: Sendable {
    /// The time the report covers; nil: the stored events' span.
    public var range: TimeRange?
    /// `NS/NAME` selections (every dimension set of each); empty: the default selection (every
    /// metric without dimensions, plus those with one of the top anomalies or an alarm that fired).
    public var metrics: [(namespace: String, name: String)] = []
    /// Queries to run besides the store's saved ones (e.g. `models/queries/*.insights`).
    public var extraQueries: [ReportQuerySource] = []
    /// Rows shown per query.
    public var queryRows = 10
    /// Anomalies listed in the overview.
    public var topAnomalies = 10
    /// Alarm history entries (newest first).
    public var historyLimit = 200
    public var nowMillis: Int64

    public init(nowMillis: Int64) { self.nowMillis = nowMillis }
}

/// A query to run for the report, and where it came from.
public struct ReportQuerySource: Sendable, Equatable {
    public var name: String
    public var text: String
    /// `saved` for the store's saved queries, else the file it was read from.
    public var origin: String

    public init(name: String, text: String, origin: String) {
        self.name = name
        self.text = text
        self.origin = origin
    }
}

/// One query's outcome: its first rows, or why it failed (a report shows both; one bad query
/// never costs the others).
public struct ReportQueryResult: Sendable {
    public var source: ReportQuerySource
    public var columns: [String] = []
    /// Cell texts of the first `queryRows` rows (nil: an empty cell).
    public var rows: [[String?]] = []
    public var totalRows = 0
    public var recordsMatched = 0
    public var recordsScanned = 0
    public var seconds = 0.0
    public var error: String?
}

/// A period range in one alarm state, for the state strip under a chart.
public struct AlarmStateSpan: Sendable, Equatable {
    public var startMillis: Int64
    public var endMillis: Int64
    public var state: AlarmState
    public var reason: String

    public init(startMillis: Int64, endMillis: Int64, state: AlarmState, reason: String) {
        self.startMillis = startMillis
        self.endMillis = endMillis
        self.state = state
        self.reason = reason
    }
}

/// An alarm on a charted metric: its threshold line (static alarms) and its state over the range.
public struct ReportAlarm: Sendable {
    public var alarm: StoredAlarm
    /// The static threshold drawn on the chart; nil for band alarms (the band is drawn instead).
    public var threshold: Double?
    /// The backtested states over the report's range; empty when the backtest could not run.
    public var states: [AlarmStateSpan]
    public var backtestError: String?
}

/// One charted metric.
public struct ReportMetric: Sendable {
    public var metric: MetricKey
    public var unit: String?
    public var statistic: Statistic
    public var periodMillis: Int64
    /// The values per period over the report's range (NaN: missing).
    public var series: RegularSeries
    /// The model drawn as a band, if the metric has a trained one with this statistic and period.
    public var model: ModelRecord?
    /// Expected band per period of `series` (same length), when `model` is set.
    public var band: [BandPoint] = []
    /// Anomaly intervals of this metric in range, ranked, with their contributors.
    public var detections: [Detection] = []
    public var alarms: [ReportAlarm] = []
    /// Other models of the metric (another statistic or period), named for the reader.
    public var otherModels: [String] = []

    /// Worth a reader's attention: an anomaly, or an alarm that was ever in ALARM.
    public var isNotable: Bool {
        !detections.isEmpty || alarms.contains { $0.states.contains { $0.state == .alarm } || $0.alarm.status.state == .alarm }
    }
}

public struct ReportData: Sendable {
    public var generatedMillis: Int64
    public var range: TimeRange
    public var info: StoreInfo
    public var alarms: [StoredAlarm]
    /// Every anomaly interval in range, ranked (the overview lists the first few).
    public var detections: [Detection]
    public var trainedModels: Int
    public var metrics: [ReportMetric]
    /// Newest first.
    public var history: [AlarmHistoryItem]
    public var queries: [ReportQueryResult]
    public var topAnomalies: Int

    /// Alarms per current state, in OK, ALARM, INSUFFICIENT_DATA order.
    public var alarmsByState: [(state: AlarmState, count: Int)] {
        AlarmState.allCases.map { s in (s, alarms.filter { $0.status.state == s }.count) }
    }
}

/// Why a report could not be made (a bad query or a failing backtest is shown in the report, not
/// thrown).
public enum ReportError: Error, Sendable, CustomStringConvertible {
    case empty
    case invalidRange(String)
    case unknownMetric(String, near: [String])
    case store(String)

    public var description: String {
        switch self {
        case .empty: "the store holds no events: ingest a trail first (`trailwatch ingest PATH`)"
        case .invalidRange(let why): why
        case .unknownMetric(let m, let near):
            "no metric \(m)" + (near.isEmpty ? " (see `trailwatch metrics list`)" : "; similar: " + near.joined(separator: ", "))
        case .store(let why): why
        }
    }
}

extension TrailStore {
    /// Gathers a report. Per metric the chart uses the metric's trained model's statistic and
    /// period (the band must line up with the values), else Sum per 5 minutes, coarser for long
    /// ranges so a series stays under ~50,000 periods (drawing downsamples it anyway).
    public func reportData(_ options: ReportOptions) throws(ReportError) -> ReportData {
        do {
            return try gatherReport(options)
        } catch let e as ReportError {
            throw e
        } catch {
            throw .store("\(error)")
        }
    }

    private func gatherReport(_ options: ReportOptions) throws -> ReportData {
        let info = try info(topNames: 10)
        guard let first = info.firstEventMillis, let last = info.lastEventMillis else { throw ReportError.empty }
        let range = options.range ?? TimeRange(startMillis: first, endMillis: last + 1)
        guard range.endMillis > range.startMillis else { throw ReportError.invalidRange("the report's start must be before its end") }

        let summaries = try metrics()
        let models = try models()
        let alarms = try alarms()
        // Anomalies: as `detect` finds them (scored after each model's training window), kept
        // when they overlap the range; with an explicit start, scoring starts there.
        let detections = try detect(sinceMillis: options.range?.startMillis).filter {
            $0.interval.endMillis > range.startMillis && $0.interval.startMillis < range.endMillis
        }

        // Concrete alarm series: a per-series alarm (`Dim=*`) watches one series per value; the
        // series rows it keeps in the store are its own, so they are not counted again.
        let templates = Set(alarms.filter(\.definition.isTemplate).map(\.definition.name))
        var watching: [AlarmDefinition] = []
        var owner: [String: StoredAlarm] = [:]
        for a in alarms where !isSeriesAlarm(a.definition.name, templates: templates) {
            for concrete in try alarmSeries(of: a.definition) {
                watching.append(concrete)
                owner[concrete.name] = alarms.first { $0.definition.name == concrete.name } ?? a
            }
        }

        // Every concrete alarm series replayed once: the strips need it, and so does the choice of
        // charts (a per-series alarm watches hundreds of series; only those that fired are shown).
        var replays: [String: ([AlarmStateSpan], String?)] = [:]
        for concrete in watching { replays[concrete.name] = alarmStates(concrete, range: range) }
        let fired = watching.filter { replays[$0.name]?.0.contains { $0.state == .alarm } ?? false }

        var selected: [MetricSummary]
        if options.metrics.isEmpty {
            // Per-dimension metrics (one per principal, per instance, …) can number hundreds: only
            // those behind a top anomaly or with an alarm that went to ALARM get a chart of their own.
            let top = detections.prefix(options.topAnomalies)
            selected = summaries.filter { s in
                s.key.dimensions.isEmpty || top.contains { $0.metric.sameIdentity(s.key) }
                    || fired.contains { $0.metricKey.sameIdentity(s.key) }
            }
        } else {
            selected = []
            for want in options.metrics {
                let matching = summaries.filter { $0.key.namespace == want.namespace && $0.key.name == want.name }
                guard !matching.isEmpty else {
                    let near = try metricsNear(MetricKey(namespace: want.namespace, name: want.name)).map { "\($0.namespace)/\($0.name)" }
                    throw ReportError.unknownMetric("\(want.namespace)/\(want.name)", near: Array(Set(near)).sorted())
                }
                selected += matching.filter { m in !selected.contains { $0.key == m.key } }
            }
        }

        var charts: [ReportMetric] = []
        for summary in selected {
            let key = summary.key
            let own = models.filter { $0.metric.sameIdentity(key) }
            let model = own.first { $0.model != nil }
            let statistic = model?.statistic ?? .sum
            let period = model?.periodMillis ?? Self.defaultPeriod(for: range)
            let series = try series(for: key, statistic: statistic, periodMillis: period, range: range).series
            var chart = ReportMetric(metric: key, unit: key.unit, statistic: statistic, periodMillis: period, series: series, model: model)
            if let model { chart.band = try band(model, range: range) }
            chart.detections = detections.filter { $0.metric.sameIdentity(key) }
            chart.otherModels = own.filter { $0.name != model?.name }.map(\.name)
            for concrete in watching where concrete.metricKey.sameIdentity(key) {
                var threshold: Double?
                if case .threshold(let t) = concrete.condition { threshold = t }
                var shown = owner[concrete.name]!
                shown.definition = concrete
                let (states, error) = replays[concrete.name] ?? ([], nil)
                chart.alarms.append(ReportAlarm(alarm: shown, threshold: threshold, states: states, backtestError: error))
            }
            charts.append(chart)
        }
        // The interesting charts first: by their best anomaly's rank, then alarms, then by name.
        let rank = Dictionary(detections.enumerated().map { ($0.element.model, $0.offset) }, uniquingKeysWith: min)
        charts = charts.enumerated().sorted { a, b in
            let ra = a.element.detections.compactMap { rank[$0.model] }.min() ?? Int.max
            let rb = b.element.detections.compactMap { rank[$0.model] }.min() ?? Int.max
            if ra != rb { return ra < rb }
            if a.element.isNotable != b.element.isNotable { return a.element.isNotable }
            return a.offset < b.offset
        }.map(\.element)

        var sources = try savedQueries().map { ReportQuerySource(name: $0.name, text: $0.query, origin: "saved") }
        sources += options.extraQueries
        let window = TimeWindow(startMillis: range.startMillis, endMillis: range.endMillis - 1)
        let queries = sources.map { runReportQuery($0, window: window, options: options) }

        return ReportData(generatedMillis: options.nowMillis, range: range, info: info, alarms: alarms, detections: detections,
                          trainedModels: models.filter { $0.model != nil }.count, metrics: charts,
                          history: try alarmHistory(limit: options.historyLimit).reversed(), queries: queries,
                          topAnomalies: options.topAnomalies)
    }

    /// 5 minutes, or the smallest of 1 hour and 1 day that keeps the series under 50,000 periods.
    static func defaultPeriod(for range: TimeRange) -> Int64 {
        let span = range.endMillis - range.startMillis
        for p: Int64 in [300_000, 3_600_000] where span / p <= 50_000 { return p }
        return millisPerDay
    }

    /// The alarm's states over `range`, replayed from the stored series by the alarm runner
    /// (pure: nothing persisted, no action run). Like a new CloudWatch alarm, it starts in
    /// INSUFFICIENT_DATA. A band alarm whose model is missing says so instead of a strip.
    func alarmStates(_ definition: AlarmDefinition, range: TimeRange) -> ([AlarmStateSpan], String?) {
        do {
            if let problem = try bandModelStatus(for: definition)?.problem { return ([], problem) }
            let run = try backtest(definition, from: range.startMillis, to: range.endMillis)
            return (Self.stateSpans(run.timeline, range: range), nil)
        } catch {
            return ([], "\(error)")
        }
    }

    /// Turns a backtest's transitions into contiguous spans covering `range`.
    public static func stateSpans(_ timeline: AlarmTimeline, range: TimeRange) -> [AlarmStateSpan] {
        var spans: [AlarmStateSpan] = []
        var state = AlarmState.insufficientData
        var reason = "Unchecked: initial alarm creation"
        var since = range.startMillis
        for change in timeline.changes where change.transitioned {
            let t = min(max(change.evaluatedAtMillis, range.startMillis), range.endMillis)
            if t > since { spans.append(AlarmStateSpan(startMillis: since, endMillis: t, state: state, reason: reason)) }
            state = change.newState
            reason = change.reason
            since = t
        }
        if range.endMillis > since { spans.append(AlarmStateSpan(startMillis: since, endMillis: range.endMillis, state: state, reason: reason)) }
        return spans
    }

    func runReportQuery(_ source: ReportQuerySource, window: TimeWindow, options: ReportOptions) -> ReportQueryResult {
        var out = ReportQueryResult(source: source)
        let clock = ContinuousClock()
        let t0 = clock.now
        defer {
            let d = clock.now - t0
            out.seconds = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
        let query: Query
        do {
            query = try InsightsParser.parse(source.text)
        } catch {
            out.error = "query error: \(error.description)"
            return out
        }
        do {
            let result = try runInsights(query, context: QueryContext(window: window, nowMillis: options.nowMillis, defaultLimit: 10_000)).result
            out.columns = result.columns
            out.totalRows = result.rows.count
            out.rows = result.rows.prefix(options.queryRows).map { $0.map(\.text) }
            out.recordsMatched = result.recordsMatched
            out.recordsScanned = result.recordsScanned
        } catch {
            out.error = "\(error)"
        }
        return out
    }
}
