import Baselines
import CloudTrail
import FilterPatterns
import Foundation
import Testing
import TrailJSON
@testable import EventStore

/// 2026-10-01T00:00:00Z, a Thursday.
private let day0: Int64 = 1_790_812_800_000
private let minute: Int64 = 60_000
private let hour: Int64 = 3_600_000

private func iso(_ millis: Int64) -> String { ISO8601.format(millis: millis) }

private func event(_ id: String, at millis: Int64, name: String = "DescribeInstances", error: String? = nil,
                   arn: String = "arn:aws:iam::111111111111:user/alice", ip: String = "198.51.100.7") -> String
{
    let err = error.map { #","errorCode":"\#($0)""# } ?? ""
    return #"{"eventVersion":"1.08","eventID":"\#(id)","eventTime":"\#(iso(millis))","eventName":"\#(name)","eventSource":"ec2.amazonaws.com","awsRegion":"us-east-1","recipientAccountId":"111111111111","userIdentity":{"type":"IAMUser","arn":"\#(arn)"},"sourceIPAddress":"\#(ip)"\#(err)}"#
}

private func store(_ records: [String]) throws -> TrailStore {
    let s = try TrailStore(path: temporaryDatabasePath())
    let w = try EventWriter(store: s)
    try s.begin()
    _ = try w.insert(batch(records), log: "cloudtrail", sourceID: nil, ingestionMillis: 1)
    try s.commit()
    return s
}

private let denied = MetricFilterDefinition(name: "denied", pattern: #"{ $.errorCode = "AccessDenied" }"#, namespace: "Auth", metricName: "Denied")
private let deniedKey = MetricKey(namespace: "Auth", name: "Denied")

/// Four days of background traffic: a harmless call every 10 minutes, and alice's AccessDenied
/// once every 3 hours; then, on day 4 at 12:00, mallory's burst of 30 AccessDenied ListBuckets
/// calls from one IP inside 5 minutes, with one of alice's usual ones in the same period.
private func plantedSpikeStore() throws -> TrailStore {
    var records: [String] = []
    var n = 0
    for t in stride(from: day0, to: day0 + 4 * 24 * hour, by: Int(10 * minute)) {
        n += 1
        records.append(event("bg-\(n)", at: t + 7_000))
    }
    for t in stride(from: day0 + 20 * minute, to: day0 + 4 * 24 * hour, by: Int(3 * hour)) {
        n += 1
        records.append(event("ad-\(n)", at: t, name: "GetObject", error: "AccessDenied"))
    }
    let spike = day0 + 3 * 24 * hour + 12 * hour
    for i in 0..<30 {
        records.append(event("spike-\(i)", at: spike + Int64(i) * 9_000, name: "ListBuckets", error: "AccessDenied",
                             arn: "arn:aws:iam::111111111111:user/mallory", ip: "203.0.113.66"))
    }
    records.append(event("alice-in-spike", at: spike + 60_000, name: "GetObject", error: "AccessDenied"))
    let s = try store(records)
    try s.putFilter(denied, nowMillis: 1)
    // A filter on another metric whose matches must not be counted as contributors.
    try s.putFilter(MetricFilterDefinition(name: "all", pattern: "", namespace: "Auth", metricName: "All"), nowMillis: 1)
    _ = try s.backfill(try s.filters(), sinceMillis: nil, untilMillis: nil)
    return s
}

private func sampleRecord(name: String = "Auth/Denied:Sum:5m", trained: Bool = true) -> ModelRecord {
    let outcome: TrainingOutcome
    if trained {
        // A small real fit, so the stored model is what training produces.
        let values = (0..<(3 * 288)).map { Double(($0 * 7) % 3) }
        outcome = try! BaselineModel.train(series: RegularSeries(startMillis: day0, periodMillis: 300_000, values: values))
        #expect(outcome.model != nil)
    } else {
        // Three points are far too few: the outcome carries what is missing.
        outcome = try! BaselineModel.train(series: RegularSeries(startMillis: day0, periodMillis: 300_000, values: [1, 0, 2]))
        #expect(outcome.model == nil)
    }
    var options = BaselineOptions()
    options.bandWidth = 2.5
    options.excluded = [TimeRange(startMillis: day0 + hour, endMillis: day0 + 2 * hour)]
    return ModelRecord(name: name, metric: MetricKey(namespace: "Auth", name: "Denied", dimensions: [Dimension(name: "Principal", value: "arn:x")]),
                       statistic: .sum, periodMillis: 300_000, options: options, outcome: outcome,
                       window: TimeRange(startMillis: day0, endMillis: day0 + 3 * millisPerDay), trainedAtMillis: day0 + 5 * millisPerDay, fitMillis: 3.25)
}

@Suite struct ModelStoreTests {
    @Test func migrationFourAppliesToAVersionThreeFile() throws {
        let path = temporaryDatabasePath()
        do {
            let c = try SQLiteConnection(path: path)
            for m in Schema.migrations.prefix(3) { try c.execute(m) }
            try c.execute("PRAGMA user_version = 3")
            try c.execute("""
                INSERT INTO metric_filters(name, pattern, namespace, metric_name, metric_value, dimensions, log, created_ms, updated_ms)
                VALUES ('old', '', 'NS', 'M', '1', '{}', 'cloudtrail', 1, 1)
                """)
        }
        let s = try TrailStore(path: path)
        #expect(s.schemaVersion == Schema.version && Schema.version >= 4)
        #expect(try s.filters().map(\.definition.name) == ["old"])
        #expect(try s.models().isEmpty)
        try s.putModel(sampleRecord())
        #expect(try s.models().count == 1)
    }

    @Test func putGetListDeleteRoundTrip() throws {
        let s = try store([])
        let a = sampleRecord(name: "b-trained"), b = sampleRecord(name: "a-insufficient", trained: false)
        try s.putModel(a)
        try s.putModel(b)
        #expect(try s.model(named: "b-trained") == a)
        #expect(try s.model(named: "a-insufficient") == b)
        #expect(try s.model(named: "nope") == nil)
        #expect(try s.models().map(\.name) == ["a-insufficient", "b-trained"])
        #expect(try s.models().map(\.status) == ["INSUFFICIENT_DATA", "trained"])
        // Put replaces by name.
        var c = a
        c.fitMillis = 9
        c.outcome = b.outcome
        try s.putModel(c)
        #expect(try s.model(named: "b-trained") == c && (try s.models().count) == 2)
        // putModels is all or nothing: one existing name and nothing is written.
        #expect(throws: ModelStoreError.self) { try s.putModels([sampleRecord(name: "new"), a], replace: false) }
        #expect(try s.model(named: "new") == nil && (try s.model(named: "b-trained")) == c)
        try s.putModels([a], replace: true)
        #expect(try s.model(named: "b-trained") == a)
        #expect(try s.deleteModel(named: "b-trained"))
        #expect(!(try s.deleteModel(named: "b-trained")))
        #expect(try s.models().map(\.name) == ["a-insufficient"])
    }

    @Test func exportedDocumentRoundTripsExactlyAndIsStable() throws {
        for r in [sampleRecord(), sampleRecord(trained: false)] {
            let text = ModelDocument.encode(r)
            #expect(try ModelDocument.decode(Data(text.utf8), source: "x.json") == r)
            #expect(ModelDocument.encode(try ModelDocument.decode(Data(text.utf8), source: "x.json")) == text)
            // Pretty and sorted: keys appear in byte order at the top level.
            let keys = text.split(separator: "\n").filter { $0.hasPrefix("  \"") }.map { $0.dropFirst(3).prefix { $0 != "\"" } }
            #expect(keys == keys.sorted() && keys.contains("metric") && keys.contains("options") && keys.contains("statistic"))
        }
    }

    @Test func invalidDocumentsSayWhichFileAndWhat() throws {
        func reason(_ text: String) -> String {
            do { _ = try ModelDocument.decode(Data(text.utf8), source: "models/bad.json"); return "accepted" } catch { return "\(error)" }
        }
        let good = ModelDocument.encode(sampleRecord())
        #expect(reason("{").hasPrefix("models/bad.json: not a valid trailwatch model: not JSON"))
        #expect(reason(good.replacingOccurrences(of: "\"statistic\" : \"Sum\"", with: "\"statistic\" : \"p99\"")).contains("statistic 'p99'"))
        #expect(reason(good.replacingOccurrences(of: "\"format\" : \"trailwatch-model\"", with: "\"format\" : \"other\"")).contains("format is 'other'"))
        #expect(reason(good.replacingOccurrences(of: "\"periodMillis\" : 300000,\n  \"statistic\"", with: "\"periodMillis\" : 1234,\n  \"statistic\"")).contains("period 1234"))
        #expect(reason(good.replacingOccurrences(of: "\"name\" : \"Auth/Denied:Sum:5m\",", with: "")).contains("missing key 'name'"))
        #expect(reason(good.replacingOccurrences(of: "\"status\" : \"trained\"", with: "\"status\" : \"INSUFFICIENT_DATA\"")).contains("INSUFFICIENT_DATA needs"))
    }

    @Test func defaultNamesAreReadableAndStable() {
        #expect(ModelRecord.defaultName(metric: MetricKey(namespace: "CISBenchmark", name: "RootAccountUsage"), statistic: .sum, periodMillis: 300_000)
            == "CISBenchmark/RootAccountUsage:Sum:5m")
        let k = MetricKey(namespace: "A", name: "B", dimensions: [Dimension(name: "z", value: "2"), Dimension(name: "a", value: "1")])
        #expect(ModelRecord.defaultName(metric: k, statistic: .sampleCount, periodMillis: hour) == "A/B{a=1,z=2}:SampleCount:1h")
    }
}

@Suite struct TrainingInputTests {
    /// Events on day 0 only at 00:00–00:30 and 02:00; a filter matching two of them.
    func smallStore() throws -> TrailStore {
        let s = try store([
            event("a", at: day0 + 1_000, error: "AccessDenied"),
            event("b", at: day0 + 12 * minute),
            event("c", at: day0 + 31 * minute, error: "AccessDenied"),
            event("d", at: day0 + 2 * hour + 30_000),
        ])
        try s.putFilter(denied, nowMillis: 1)
        try s.putFilter(MetricFilterDefinition(name: "bytes", pattern: #"{ $.errorCode = "AccessDenied" }"#, namespace: "Auth", metricName: "Size",
                                               metricValue: "$size"), nowMillis: 1)
        _ = try s.backfill(try s.filters(), sinceMillis: nil, untilMillis: nil)
        return s
    }

    @Test func countsAreZeroFilledInsideTheEventsSpanOnly() throws {
        let s = try smallStore()
        let m = try s.series(for: deniedKey, statistic: .sum, periodMillis: 15 * minute,
                             range: TimeRange(startMillis: day0 - 30 * minute, endMillis: day0 + 3 * hour + 1))
        #expect(m.zeroFilled && m.series.startMillis == day0 - 30 * minute && m.series.periodMillis == 15 * minute)
        // Before the first event and after the last one's period nothing was observed: NaN.
        let v = m.series.values.map { $0.isNaN ? -1 : $0 }
        #expect(v == [-1, -1, 1, 0, 1, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1])
        #expect(m.emptyPeriods == v.count - 2)
        let count = try s.series(for: deniedKey, statistic: .sampleCount, periodMillis: hour, range: TimeRange(startMillis: day0, endMillis: day0 + 3 * hour))
        #expect(count.series.values == [2, 0, 0])
    }

    @Test func averagesOfNothingStayMissingUnlessTheDefaultIsZero() throws {
        let s = try smallStore()
        let key = MetricKey(namespace: "Auth", name: "Size")
        let avg = try s.series(for: key, statistic: .average, periodMillis: 15 * minute, range: TimeRange(startMillis: day0, endMillis: day0 + hour))
        #expect(!avg.zeroFilled && avg.series.values[0] > 0 && avg.series.values[1].isNaN && avg.series.values[2] > 0)
        var d = try s.filter(named: "bytes")!.definition
        d.defaultValue = 0
        try s.putFilter(d, nowMillis: 2)
        #expect(try s.zeroFillsMissing(key, statistic: .average))
        #expect(try s.zeroFillsMissing(key, statistic: .maximum))
        #expect(!(try s.zeroFillsMissing(MetricKey(namespace: "Auth", name: "Size", dimensions: [Dimension(name: "k", value: "v")]), statistic: .average)))
    }

    @Test func trainingWindowEndsWhereTheDataEndAndHonoursExclusions() throws {
        let s = try plantedSpikeStore()
        var options = BaselineOptions()
        options.trainingWindowMillis = 3 * millisPerDay
        let r = try s.trainModel(name: "m", metric: deniedKey, statistic: .sum, periodMillis: 300_000, options: options, nowMillis: 42)
        // The last event is the final background call at day 4 − 10 min + 7 s: its period ends at day 4 − 5 min.
        let end = day0 + 4 * millisPerDay - 5 * minute
        #expect(r.window == TimeRange(startMillis: end - 3 * millisPerDay, endMillis: end))
        let model = try #require(r.model)
        #expect(model.trainingPoints == 3 * 288 && model.transform == .anscombe)
        #expect(r.trainedAtMillis == 42 && r.fitMillis > 0 && r.status == "trained")

        options.excluded = [TimeRange(startMillis: end - 2 * hour, endMillis: end - hour)]
        let ex = try s.trainModel(name: "m", metric: deniedKey, statistic: .sum, periodMillis: 300_000, options: options, nowMillis: 42)
        #expect(ex.model?.trainingPoints == 3 * 288 - 12 && ex.options.excluded == options.excluded)

        // An explicit end; a window longer than the data is clamped to where the data start.
        options.excluded = []
        options.trainingWindowMillis = 30 * millisPerDay
        let early = try s.trainModel(name: "m", metric: deniedKey, statistic: .sum, periodMillis: hour, options: options,
                                     endMillis: day0 + 2 * millisPerDay, nowMillis: 42)
        #expect(early.window == TimeRange(startMillis: day0, endMillis: day0 + 2 * millisPerDay))

        // Too little history is an outcome, not an error.
        options.trainingWindowMillis = 6 * hour
        let short = try s.trainModel(name: "m", metric: deniedKey, statistic: .sum, periodMillis: 300_000, options: options, nowMillis: 42)
        guard case .insufficientData(let why) = short.outcome else { Issue.record("expected INSUFFICIENT_DATA"); return }
        #expect(why.usablePoints == 72 && short.status == "INSUFFICIENT_DATA")
    }

    @Test func unknownMetricsNameTheNearOnes() throws {
        let s = try plantedSpikeStore()
        do {
            _ = try s.trainModel(name: "m", metric: MetricKey(namespace: "Auth", name: "Denie"), statistic: .sum, periodMillis: 300_000,
                                 options: BaselineOptions(), nowMillis: 1)
            Issue.record("trained an unknown metric")
        } catch {
            #expect("\(error)".contains("no metric Auth/Denie") && "\(error)".contains("Auth/Denied"))
        }
    }
}

@Suite struct DetectionTests {
    @Test func plantedSpikeRanksFirstWithItsPrincipalIPAndEvent() throws {
        let s = try plantedSpikeStore()
        let r = try s.trainModel(name: "Auth/Denied:Sum:5m", metric: deniedKey, statistic: .sum, periodMillis: 300_000,
                                 options: BaselineOptions(), nowMillis: 1)
        try s.putModel(r)
        try s.putModel(try s.trainModel(name: "Auth/All:Sum:5m", metric: MetricKey(namespace: "Auth", name: "All"), statistic: .sum,
                                        periodMillis: 300_000, options: BaselineOptions(), nowMillis: 1))
        let found = try s.detect(sinceMillis: nil)
        let spike = day0 + 3 * 24 * hour + 12 * hour
        // The spike is in both series (every denied call is also a call): both rank on top, and
        // scores saturate at 1, so which of the two comes first is a tie-break.
        #expect(Set(found.prefix(2).map(\.model)) == ["Auth/Denied:Sum:5m", "Auth/All:Sum:5m"])
        #expect(found.prefix(2).allSatisfy { $0.interval.startMillis == spike })
        let top = try #require(found.first { $0.model == "Auth/Denied:Sum:5m" })
        #expect(top.interval.startMillis == spike && top.interval.endMillis == spike + 5 * minute && top.interval.peakValue == 31)
        #expect(top.interval.peakScore > 0.999 && top.interval.expectedAtPeak < 1)
        #expect(top.contributors.events == 31)
        #expect(top.contributors.principals == [Contributor(value: "arn:aws:iam::111111111111:user/mallory", count: 30),
                                                Contributor(value: "arn:aws:iam::111111111111:user/alice", count: 1)])
        #expect(top.contributors.sourceIPs.first == Contributor(value: "203.0.113.66", count: 30))
        #expect(top.contributors.eventNames == [Contributor(value: "ListBuckets", count: 30), Contributor(value: "GetObject", count: 1)])
        // Ranked by peak score, then size.
        for (a, b) in zip(found, found.dropFirst()) {
            #expect(a.interval.peakScore > b.interval.peakScore || (a.interval.peakScore == b.interval.peakScore && a.interval.points >= b.interval.points))
        }
        // --min-score drops the rest; --since after the spike finds nothing there.
        #expect(try s.detect(sinceMillis: nil, minScore: 0.9999).allSatisfy { $0.interval.peakScore >= 0.9999 })
        #expect(try s.detect(sinceMillis: spike + hour).allSatisfy { $0.interval.startMillis >= spike + hour })
    }

    @Test func bandKeepsCountsAboveZeroAndExpectedInside() throws {
        let s = try plantedSpikeStore()
        let r = try s.trainModel(name: "m", metric: deniedKey, statistic: .sum, periodMillis: 300_000, options: BaselineOptions(), nowMillis: 1)
        let spike = day0 + 3 * 24 * hour + 12 * hour
        let band = try s.band(r, range: TimeRange(startMillis: spike - hour, endMillis: spike + hour))
        #expect(band.count == 24 && band[0].timeMillis == spike - hour)
        #expect(band.allSatisfy { $0.lower >= 0 && $0.lower <= $0.expected && $0.expected <= $0.upper })
        // The spike is outside the band; so, at most, is a lone event of alice's (a 1 where ~0 is
        // expected sits just past 2σ on the count scale), never a quiet period.
        let outside = band.filter(\.anomaly)
        #expect(outside.first?.timeMillis == spike && outside.dropFirst().allSatisfy { $0.actual == 1 })
        #expect(band.filter { $0.actual == 0 }.allSatisfy { !$0.anomaly })
        #expect(band[12].actual == 31 && band[12].score > 0.999)
    }
}
