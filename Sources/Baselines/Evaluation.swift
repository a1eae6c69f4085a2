import Foundation

/// Incident-level evaluation of detectors on labelled series: what `trailwatch eval` reports.
///
/// Every method sees the same series and is judged on the same scoring window (after the training
/// weeks). Flagged points become detection intervals; an interval is a true detection when it
/// overlaps an incident that touched that series, otherwise it is a false incident. An incident is
/// detected when any of its series has a true detection. Only the upper side is flagged, for every
/// method alike: incidents add events, and a quiet hour is not an attack.
public enum Evaluation {
    public struct Incident: Sendable, Equatable, Codable {
        public var id: String
        public var kind: String
        public var range: TimeRange
        public init(id: String, kind: String, range: TimeRange) {
            self.id = id
            self.kind = kind
            self.range = range
        }
    }

    public struct LabelledSeries: Sendable {
        public var name: String
        public var series: RegularSeries
        /// Ids of the incidents whose events this series counts.
        public var incidentIDs: Set<String>
        public init(name: String, series: RegularSeries, incidentIDs: Set<String>) {
            self.name = name
            self.series = series
            self.incidentIDs = incidentIDs
        }
    }

    public enum Method: String, Sendable, CaseIterable, Codable {
        /// This module's model, scored online (retrained daily on strictly earlier data).
        case model
        /// Flags values above the largest value seen in the training weeks: "never this high before".
        case staticThreshold = "static"
        /// Flags values above mean + k·σ of the training weeks: no robustness, no seasonality.
        case gaussian
    }

    public struct Options: Sendable {
        /// Points before this are training only; detections and incidents are counted from here.
        public var scoreFromMillis: Int64
        public var online = OnlineOptions()
        /// k for the Gaussian band (the plain ±2σ).
        public var gaussianWidth: Double = 2
        /// Flagged points closer than this are one detection: an alarm that flickers within one
        /// incident is still one alarm to a responder.
        public var mergeGapMillis: Int64 = 30 * 60_000
        /// A detection up to this long after an incident's end still belongs to it: events land in
        /// the period after the last labelled one, and a period's alarm fires at its end.
        public var lateToleranceMillis: Int64 = 15 * 60_000
        public init(scoreFromMillis: Int64) { self.scoreFromMillis = scoreFromMillis }
    }

    public struct Detection: Sendable, Equatable, Codable {
        public var series: String
        public var range: TimeRange
        /// The incident it matched, nil for a false incident.
        public var incident: String?
    }

    public struct MethodResult: Sendable, Equatable, Codable {
        public var method: Method
        public var incidents: Int
        public var detectedIncidents: Int
        public var detections: Int
        public var trueDetections: Int
        public var falseDetections: Int
        public var precision: Double
        public var recall: Double
        public var f1: Double
        /// Per detected incident: the end of the first flagged period minus the incident start, in
        /// seconds (when the alarm could have fired).
        public var delaysSeconds: [String: Double]
        public var meanDelaySeconds: Double?
        public var falsePerSeriesWeek: Double
        /// The worst single series, so one noisy metric cannot hide behind an average.
        public var maxFalsePerSeriesWeek: Double
        public var detectionList: [Detection]
    }

    public struct Report: Sendable, Equatable, Codable {
        public var series: Int
        public var scoredWeeks: Double
        /// Incidents starting in the scoring window and touching at least one series.
        public var incidents: [Incident]
        /// Labelled incidents left out: in the training weeks or touching no evaluated series.
        public var excludedIncidents: [String]
        public var results: [MethodResult]

        public func result(_ m: Method) -> MethodResult? { results.first { $0.method == m } }
    }

    /// Flags per point (scoring window only) for one method.
    public static func flags(_ method: Method, series: RegularSeries, options: Options) throws(BaselineError) -> [Bool] {
        let n = series.values.count
        let trainCount = max(0, min(n, Int((options.scoreFromMillis - series.startMillis + series.periodMillis - 1) / series.periodMillis)))
        let training = series.values[..<trainCount].filter(\.isFinite)
        var flags = [Bool](repeating: false, count: n)
        switch method {
        case .model:
            let points = try OnlineScorer.score(series, options: options.online)
            for i in trainCount..<n { flags[i] = points[i].isAboveBand }
        case .staticThreshold:
            guard let limit = training.max() else { return flags }
            for i in trainCount..<n where series.values[i].isFinite { flags[i] = series.values[i] > limit }
        case .gaussian:
            guard !training.isEmpty else { return flags }
            let mean = training.reduce(0, +) / Double(training.count)
            let sd = variance(Array(training)).squareRoot()
            let limit = mean + options.gaussianWidth * sd
            for i in trainCount..<n where series.values[i].isFinite { flags[i] = series.values[i] > limit }
        }
        return flags
    }

    /// Runs of flagged points, merged across gaps shorter than `mergeGapMillis`.
    public static func intervals(flags: [Bool], series: RegularSeries, mergeGapMillis: Int64) -> [TimeRange] {
        var out: [TimeRange] = []
        for (i, f) in flags.enumerated() where f {
            let t = series.time(at: i)
            if var last = out.last, t - last.endMillis <= mergeGapMillis {
                last.endMillis = t + series.periodMillis
                out[out.count - 1] = last
            } else {
                out.append(TimeRange(startMillis: t, endMillis: t + series.periodMillis))
            }
        }
        return out
    }

    public static func evaluate(series: [LabelledSeries], incidents: [Incident], methods: [Method] = Method.allCases,
                                options: Options) throws(BaselineError) -> Report {
        let touched = Set(series.flatMap(\.incidentIDs))
        let counted = incidents.filter { $0.range.startMillis >= options.scoreFromMillis && touched.contains($0.id) }
        let countedIDs = Set(counted.map(\.id))
        let byID = Dictionary(uniqueKeysWithValues: incidents.map { ($0.id, $0) })
        let scoredMillis = series.map { max(0, $0.series.endMillis - max(options.scoreFromMillis, $0.series.startMillis)) }
        let weeks = series.isEmpty ? 0 : Double(scoredMillis.max() ?? 0) / Double(millisPerWeek)
        var results: [MethodResult] = []
        for method in methods {
            var detections: [Detection] = []
            var firstAlarm: [String: Int64] = [:]
            var worst = 0.0
            for (s, scored) in zip(series, scoredMillis) {
                let f = try flags(method, series: s.series, options: options)
                var falseHere = 0
                for r in intervals(flags: f, series: s.series, mergeGapMillis: options.mergeGapMillis) {
                    let match = s.incidentIDs.sorted().first { id in
                        guard let inc = byID[id] else { return false }
                        return r.startMillis < inc.range.endMillis + options.lateToleranceMillis && r.endMillis > inc.range.startMillis
                    }
                    detections.append(Detection(series: s.name, range: r, incident: match))
                    if let id = match {
                        // The alarm can fire when the first flagged period inside the incident closes.
                        let firstInside = max(r.startMillis, byID[id]!.range.startMillis / s.series.periodMillis * s.series.periodMillis)
                        let fired = min(firstInside, r.endMillis - s.series.periodMillis) + s.series.periodMillis
                        firstAlarm[id] = min(firstAlarm[id] ?? .max, fired)
                    } else {
                        falseHere += 1
                    }
                }
                if scored > 0 { worst = max(worst, Double(falseHere) / (Double(scored) / Double(millisPerWeek))) }
            }
            // True detections of incidents from the training weeks are neither right nor wrong here.
            let judged = detections.filter { $0.incident == nil || countedIDs.contains($0.incident!) }
            let trueCount = judged.filter { $0.incident != nil }.count
            let falseCount = judged.count - trueCount
            let detected = counted.filter { firstAlarm[$0.id] != nil }
            let precision = judged.isEmpty ? (counted.isEmpty ? 1 : 0) : Double(trueCount) / Double(judged.count)
            let recall = counted.isEmpty ? 1 : Double(detected.count) / Double(counted.count)
            let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
            var delays: [String: Double] = [:]
            for inc in detected { delays[inc.id] = Double(max(0, firstAlarm[inc.id]! - inc.range.startMillis)) / 1000 }
            let seriesWeeks = Double(scoredMillis.reduce(0, +)) / Double(millisPerWeek)
            results.append(MethodResult(
                method: method, incidents: counted.count, detectedIncidents: detected.count, detections: judged.count,
                trueDetections: trueCount, falseDetections: falseCount, precision: precision, recall: recall, f1: f1,
                delaysSeconds: delays, meanDelaySeconds: delays.isEmpty ? nil : delays.values.reduce(0, +) / Double(delays.count),
                falsePerSeriesWeek: seriesWeeks > 0 ? Double(falseCount) / seriesWeeks : 0, maxFalsePerSeriesWeek: worst,
                detectionList: judged))
        }
        let excluded = incidents.filter { !countedIDs.contains($0.id) }.map(\.id)
        return Report(series: series.count, scoredWeeks: weeks, incidents: counted, excludedIncidents: excluded, results: results)
    }
}
