import Foundation
import TestSupport
import Testing
@testable import Baselines

private let fiveMinutes: Int64 = 5 * 60_000
private let origin: Int64 = 1_790_812_800_000  // 2026-10-01T00:00:00Z

/// A count series shaped like the generator's metric-filter counts: a smooth business-hours curve
/// peaking mid-afternoon at `dayRate` per period, almost nothing at night, weekends at 30 %.
private func businessCounts(days: Int, dayRate: Double, seed: UInt64) -> RegularSeries {
    var rng = SplitMix(seed: seed)
    let perDay = 288
    let values = (0..<(days * perDay)).map { i -> Double in
        let hour = Double(i % perDay) / 12
        let weekday = (i / perDay) % 7 < 5 ? 1.0 : 0.3
        let bump = max(0, sin(Double.pi * (hour - 6) / 14))
        let rate = dayRate * (0.01 + 0.99 * bump * bump) * weekday
        var k = 0.0, p = rng.uniform()
        let limit = exp(-rate)
        while p > limit { k += 1; p *= rng.uniform() }
        return k
    }
    return RegularSeries(startMillis: origin, periodMillis: fiveMinutes, values: values)
}

@Suite struct OnlineScoringTests {
    @Test func usesNoFutureData() throws {
        let series = businessCounts(days: 6, dayRate: 2, seed: 11)
        let before = try OnlineScorer.score(series)
        var changed = series
        let cut = 4 * 288 + 100
        for i in cut..<changed.values.count { changed.values[i] = 50 }
        let after = try OnlineScorer.score(changed)
        #expect(Array(before[..<cut]) == Array(after[..<cut]))
        #expect(before[cut...].contains { $0.status == .scored })
        #expect(before[cut] != after[cut], "the mutated point itself scores differently")
        for p in before where p.status == .scored { #expect(p.trainedThroughMillis! <= p.millis) }
    }

    @Test func insufficientDataBeforeMinimumHistory() throws {
        let series = businessCounts(days: 4, dayRate: 2, seed: 12)
        let points = try OnlineScorer.score(series)
        // The first model exists at the first UTC midnight with two days behind it.
        #expect(points[..<(2 * 288)].allSatisfy { $0.status == .insufficientData && $0.prediction == nil && $0.score == nil })
        #expect(points[(2 * 288)...].allSatisfy { $0.status == .scored })
    }

    @Test func countBandsStayNonNegativeAndGaugeBandsMayNot() throws {
        let counts = businessCounts(days: 14, dayRate: 0.5, seed: 13)
        let model = try #require(try BaselineModel.train(series: counts).model)
        #expect(model.countRate != nil)
        for i in stride(from: 0, to: 288, by: 7) {
            let p = model.predict(at: counts.endMillis + Int64(i) * fiveMinutes)
            #expect(p.lower >= 0 && p.upper > p.lower)
        }
        var rng = SplitMix(seed: 14)
        let gauge = RegularSeries(startMillis: origin, periodMillis: fiveMinutes,
                                  values: (0..<(14 * 288)).map { _ in 0.2 + rng.gaussian() })
        let g = try #require(try BaselineModel.train(series: gauge).model)
        #expect(g.countRate == nil && g.transform == .identity)
        #expect(g.predict(at: gauge.endMillis).lower < 0)
    }

    @Test func nightBurstScoresHighDaytimeNoiseDoesNot() throws {
        let series = businessCounts(days: 14, dayRate: 1.5, seed: 15)
        let model = try #require(try BaselineModel.train(series: series).model)
        let night = series.endMillis + 3 * 3_600_000
        let noon = series.endMillis + 12 * 3_600_000
        #expect(model.score(3, at: night) > 0.999)
        #expect(model.score(3, at: noon) < 0.99)
    }
}

@Suite struct SeriesCSVTests {
    @Test func parsesBothTimestampFormatsWithAndWithoutHeader() {
        let a = SeriesCSV.parse("timestamp,value\n2026-10-01T00:00:00Z,1\n2026-10-01 00:05:00,2.5\n")
        #expect(a.header == ["timestamp", "value"] && a.bad.isEmpty)
        #expect(a.rows.map(\.millis) == [origin, origin + fiveMinutes] && a.rows.map(\.value) == [1, 2.5])
        let b = SeriesCSV.parse("2026-10-01T02:00:00+02:00,3\n")
        #expect(b.header == nil && b.rows.first?.millis == origin && b.rows.first?.line == 1)
        let c = SeriesCSV.parse("value,timestamp,host\n4,2026-10-01T00:00:00.500Z,a\n")
        #expect(c.rows.first?.millis == origin + 500 && c.rows.first?.value == 4 && c.rows.first?.fields.count == 3)
    }

    @Test func badRowsCarryLineNumbers() {
        let t = SeriesCSV.parse("timestamp,value\n2026-10-01T00:00:00Z,1\n\n2026-13-01T00:00:00Z,2\n2026-10-01T00:10:00Z,abc\nonly\n")
        #expect(t.rows.count == 1)
        #expect(t.bad.map(\.line) == [4, 5, 6])
        #expect(t.bad[0].message.contains("2026-13-01") && t.bad[1].message.contains("abc"))
    }

    @Test func infersPeriodFromMedianGap() {
        var times = (0..<100).map { origin + Int64($0) * fiveMinutes }
        times.remove(at: 50)  // a missing sample
        times.append(times[10] + 1000)  // a stray extra one
        #expect(SeriesCSV.inferPeriod(times) == fiveMinutes)
        #expect(SeriesCSV.inferPeriod([origin]) == nil)
        #expect(SeriesCSV.parsePeriod("5m") == fiveMinutes && SeriesCSV.parsePeriod("1h") == 3_600_000 && SeriesCSV.parsePeriod("x") == nil)
    }

    @Test func regularizeSumsCountsAndAveragesGauges() {
        let rows = SeriesCSV.parse("2026-10-01T00:01:00Z,2\n2026-10-01T00:03:00Z,4\n2026-10-01T00:11:00Z,1\n").rows
        let (sum, perPeriod) = SeriesCSV.regularize(rows, periodMillis: fiveMinutes, aggregation: .sum)
        #expect(sum.startMillis == origin && sum.values.count == 3 && perPeriod == [2, 0, 1])
        #expect(sum.values[0] == 6 && sum.values[1].isNaN && sum.values[2] == 1)
        #expect(SeriesCSV.regularize(rows, periodMillis: fiveMinutes, aggregation: .mean).series.values[0] == 3)
        #expect(SeriesCSV.isoString(origin + 1500) == "2026-10-01T00:00:01.500Z")
    }
}

@Suite struct EvaluationTests {
    /// Night bursts of two to four events on sparse business-hours counts: the kind of incident
    /// a seasonal count model is for. Static and Gaussian baselines see the same series.
    @Test func modelBeatsStaticAndGaussianByAClearMargin() throws {
        var series: [Evaluation.LabelledSeries] = []
        var incidents: [Evaluation.Incident] = []
        for s in 0..<4 {
            var x = businessCounts(days: 18, dayRate: [0.3, 1, 3][s % 3], seed: 100 + UInt64(s))
            // One incident in the training weeks (must not teach the model) and one after.
            for (n, day) in [(0, 5), (1, 15 + s % 3)] {
                let at = day * 288 + 2 * 12 + s  // about 02:00
                for k in 0..<3 { x.values[at + k] += Double(2 + (s + k) % 3) }
                let id = "s\(s)-\(n)"
                incidents.append(Evaluation.Incident(id: id, kind: "night-burst",
                                                      range: TimeRange(startMillis: x.time(at: at), endMillis: x.time(at: at + 3))))
                series.append(Evaluation.LabelledSeries(name: "m\(s)", series: x, incidentIDs: []))
            }
            series.removeLast(2)
            series.append(Evaluation.LabelledSeries(name: "m\(s)", series: x, incidentIDs: ["s\(s)-0", "s\(s)-1"]))
        }
        var options = Evaluation.Options(scoreFromMillis: origin + 14 * millisPerDay)
        options.online.baseline.bandWidth = 3.5
        let report = try Evaluation.evaluate(series: series, incidents: incidents, options: options)
        let model = try #require(report.result(.model)), stat = try #require(report.result(.staticThreshold))
        let gauss = try #require(report.result(.gaussian))
        #expect(report.incidents.count == 4 && report.excludedIncidents.count == 4)
        #expect(model.f1 - max(stat.f1, gauss.f1) >= 0.2, "model \(model.f1) static \(stat.f1) gaussian \(gauss.f1)")
        #expect(model.falsePerSeriesWeek <= 1)
        #expect(model.meanDelaySeconds.map { $0 <= 900 } ?? false)
    }

    @Test func quietOnIncidentFreeSeries() throws {
        let series = (0..<4).map { s in
            Evaluation.LabelledSeries(name: "m\(s)", series: businessCounts(days: 18, dayRate: [0.05, 0.5, 4][s % 3], seed: 200 + UInt64(s)),
                                      incidentIDs: [])
        }
        var options = Evaluation.Options(scoreFromMillis: origin + 14 * millisPerDay)
        options.online.baseline.bandWidth = 3.5
        let report = try Evaluation.evaluate(series: series, incidents: [], methods: [.model], options: options)
        let model = try #require(report.result(.model))
        #expect(model.maxFalsePerSeriesWeek <= 1, "\(model.detectionList)")
    }

    @Test func intervalsMergeNearbyFlags() {
        let s = RegularSeries(startMillis: 0, periodMillis: fiveMinutes, values: Array(repeating: 0, count: 20))
        var flags = [Bool](repeating: false, count: 20)
        for i in [1, 2, 5, 15] { flags[i] = true }
        let r = Evaluation.intervals(flags: flags, series: s, mergeGapMillis: 15 * 60_000)
        #expect(r == [TimeRange(startMillis: fiveMinutes, endMillis: 6 * fiveMinutes), TimeRange(startMillis: 15 * fiveMinutes, endMillis: 16 * fiveMinutes)])
    }
}
