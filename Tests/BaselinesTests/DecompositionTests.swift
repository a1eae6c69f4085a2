import Foundation
import TestSupport
import Testing
@testable import Baselines

private func maxDifference(_ a: [Double], _ b: [Double]) -> Double {
    zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
}

@Suite struct STLTests {
    /// The port against statsmodels' own output (bench/stl_fixture.py) on a series with a
    /// two-point incident: robust, plain, and with jumps and a local-constant seasonal smoother.
    @Test func matchesStatsmodels() {
        let y = STLFixture.y
        let robust = STL(period: 24).decompose(y, inner: 2, outer: 15)
        #expect(maxDifference(robust.seasonal, STLFixture.robustSeasonal) < 1e-9)
        #expect(maxDifference(robust.trend, STLFixture.robustTrend) < 1e-9)
        #expect(maxDifference(robust.weights, STLFixture.robustWeights) < 1e-9)
        let plain = STL(period: 24).decompose(y, inner: 5, outer: 0)
        #expect(maxDifference(plain.seasonal, STLFixture.plainSeasonal) < 1e-9)
        #expect(maxDifference(plain.trend, STLFixture.plainTrend) < 1e-9)
        var jumps = STL(period: 24, seasonal: 9)
        jumps.seasonalDegree = 0
        jumps.seasonalJump = 2
        jumps.trendJump = 5
        jumps.lowPassJump = 3
        #expect(jumps.trend == 45 && jumps.lowPass == 25)
        let jumped = jumps.decompose(y, inner: 2, outer: 3)
        #expect(maxDifference(jumped.seasonal, STLFixture.jumpsSeasonal) < 1e-9)
        #expect(maxDifference(jumped.trend, STLFixture.jumpsTrend) < 1e-9)
        #expect(maxDifference(jumped.weights, STLFixture.jumpsWeights) < 1e-9)
    }

    @Test func recoversSinusoidAndLinearTrend() {
        let p = 48
        let y = (0..<(20 * p)).map { i in 5 + 0.01 * Double(i) + 2 * sin(2 * Double.pi * Double(i) / Double(p)) }
        let r = STL(period: p).withFastJumps().decompose(y, inner: 2, outer: 0)
        // Away from the ends, where loess extrapolates, both components are recovered closely.
        for i in (2 * p)..<(y.count - 2 * p) {
            #expect(abs(r.trend[i] - (5 + 0.01 * Double(i))) < 0.02)
            #expect(abs(r.seasonal[i] - 2 * sin(2 * Double.pi * Double(i) / Double(p))) < 0.02)
        }
    }

    @Test func plantedOutlierIsDiscountedAndDoesNotBendTheSeason() {
        let p = 24
        var rng = SplitMix(seed: 21)
        let clean = (0..<(12 * p)).map { i in 10 + 3 * sin(2 * Double.pi * Double(i) / Double(p)) + 0.2 * rng.gaussian() }
        var dirty = clean
        dirty[5 * p + 6] += 40
        let stl = STL(period: p)
        let robust = stl.decompose(dirty, inner: 2, outer: 5)
        #expect(robust.weights[5 * p + 6] == 0)
        let reference = stl.decompose(clean, inner: 2, outer: 5)
        // The outlier's phase in other cycles is untouched: its subseries smooth ignored it.
        for cycle in [2, 8] { #expect(abs(robust.seasonal[cycle * p + 6] - reference.seasonal[cycle * p + 6]) < 0.1) }
        let plain = stl.decompose(dirty, inner: 2, outer: 0)
        #expect(abs(plain.seasonal[4 * p + 6] - reference.seasonal[4 * p + 6]) > 1)
    }

    @Test func fastJumpsStayCloseToExactLoess() {
        let p = 288
        var rng = SplitMix(seed: 22)
        let y = (0..<(7 * p)).map { i in 3 * sin(2 * Double.pi * Double(i) / Double(p)) + 0.001 * Double(i) + 0.3 * rng.gaussian() }
        let exact = STL(period: p).decompose(y, inner: 2, outer: 0)
        let fast = STL(period: p).withFastJumps().decompose(y, inner: 2, outer: 0)
        #expect(maxDifference(exact.seasonal, fast.seasonal) < 0.05)
        #expect(maxDifference(exact.trend, fast.trend) < 0.05)
    }
}

@Suite struct DecompositionTests {
    static let fiveMinutes: Int64 = 5 * 60_000

    func decompose(_ values: [Double], period: Int64 = fiveMinutes) -> Decomposition? {
        let times = values.indices.map { start + Int64($0) * period }
        return Decomposition.run(times: times, values: values, periodMillis: period, options: DecompositionOptions())
    }

    @Test func strengthsOfPureSeasonAndOfNoise() throws {
        let perDay = 288
        var rng = SplitMix(seed: 23)
        let seasonal = (0..<(14 * perDay)).map { i in 4 * sin(2 * Double.pi * Double(i) / Double(perDay)) + 0.05 * rng.gaussian() }
        let d = try #require(decompose(seasonal))
        let daily = try #require(d.periods.firstIndex(of: perDay))
        #expect(d.strength(of: d.seasonals[daily]) > 0.99)
        #expect(d.heldOutStrength(daily) > 0.99)
        let noise = (0..<(14 * perDay)).map { _ in rng.gaussian() }
        let n = try #require(decompose(noise))
        for k in n.periods.indices {
            // The smoother fits some noise (raw strength well above 0), but none of it is held out.
            #expect(n.heldOutStrength(k) < 0.02)
        }
        #expect(n.strength(of: n.trend) < 0.1)
    }

    @Test func periodsAreChosenFromTheData() throws {
        // An hourly job on 3 days of 5-minute data: hourly kept, daily absent, weekly not even a candidate.
        var rng = SplitMix(seed: 24)
        let values = (0..<(3 * 288)).map { i in 20 + (i % 12 < 2 ? 6.0 : 0) + rng.gaussian() }
        let series = RegularSeries(startMillis: start, periodMillis: Self.fiveMinutes, values: values)
        var options = BaselineOptions()
        options.countMode = .off
        var decomposition = DecompositionOptions()
        decomposition.choosePeriods = true
        options.decomposition = decomposition
        let model = try #require(try BaselineModel.train(series: series, options: options).model)
        #expect(model.spec.hourlyOrder > 0 && model.spec.dailyOrder == 0 && model.spec.weeklyOrder == 0)
        #expect(model.diagnostics.source == "stl")
        let periods = try #require(model.diagnostics.periods)
        #expect(periods.map(\.periodMillis) == [millisPerHour, millisPerDay])
        #expect(periods.first { $0.periodMillis == millisPerHour }?.kept == true)
        #expect((model.diagnostics.hourlyStrength ?? 0) > 0.5)
        // The job is expected at its minutes of the hour (two harmonics round the 10-minute box off),
        // and not between.
        let next = series.endMillis
        #expect(model.predict(at: next).expected > 23.5)
        #expect(abs(model.predict(at: next + 5 * Self.fiveMinutes).expected - 20) < 1)
    }

    @Test func gapsNeverInformTheDecomposition() throws {
        var rng = SplitMix(seed: 25)
        let values = (0..<(4 * 288)).map { i in 3 * sin(2 * Double.pi * Double(i) / 288) + 0.1 * rng.gaussian() }
        var times = values.indices.map { start + Int64($0) * Self.fiveMinutes }
        var kept = values
        times.removeSubrange(400..<500)
        kept.removeSubrange(400..<500)
        let d = try #require(Decomposition.run(times: times, values: kept, periodMillis: Self.fiveMinutes, options: DecompositionOptions()))
        #expect(d.trend.count == values.count)
        #expect((400..<500).allSatisfy { d.weights[$0] == 0 })
        #expect(d.gridIndex[400] == 500)
    }

    @Test func decompositionWeightsSeedTheRobustFit() throws {
        // A six-hour incident: the decomposition alone already gives it zero weight, so IRLS starts
        // without it and still ends with the truth.
        var series = makeSeries(days: 14, noise: 0.3, seed: 26)
        let incident = (4 * perDay + perDay / 4)..<(4 * perDay + perDay / 2)
        for i in incident { series.values[i] += 30 }
        let sample = SeriesPrep.trainingSample(series, windowMillis: 14 * millisPerDay, excluding: [])
        let d = try #require(Decomposition.run(times: sample.times, values: sample.values, periodMillis: period,
                                               options: DecompositionOptions()))
        #expect(incident.allSatisfy { d.weights[d.gridIndex[$0]] == 0 })
        let model = try trained(series, identityOptions())
        for i in stride(from: 0, to: 14 * perDay, by: 11) {
            let t = series.time(at: i)
            #expect(abs(model.center(at: t) - truth(t)) < 0.25)
        }
    }

    @Test func decompositionIsDeterministicAndOldSpecsDecode() throws {
        let series = makeSeries(days: 14, noise: 1, seed: 27)
        #expect(try trained(series) == trained(series))
        let old = #"{"originMillis":0,"dailyOrder":4,"weeklyOrder":3}"#
        let spec = try JSONDecoder().decode(DesignSpec.self, from: Data(old.utf8))
        #expect(spec.hourlyOrder == 0 && spec.columns == 16)
        #expect(String(decoding: try JSONEncoder().encode(spec), as: UTF8.self).contains("hourly") == false)
        let oldDiagnostics = #"{"dailyStrength":0.5,"weeklyStrength":0,"trendStrength":0.1,"residualVariance":1}"#
        let diagnostics = try JSONDecoder().decode(SeasonalDiagnostics.self, from: Data(oldDiagnostics.utf8))
        #expect(diagnostics.source == nil && diagnostics.periods == nil)
    }

    @Test func withoutDecompositionTheFourierStrengthsDecide() throws {
        var options = identityOptions()
        var decomposition = DecompositionOptions()
        decomposition.enabled = false
        options.decomposition = decomposition
        let model = try trained(makeSeries(days: 14, noise: 0.3, seed: 1), options)
        #expect(model.diagnostics.source == nil && model.spec.dailyOrder > 0 && model.spec.weeklyOrder == 0)
    }
}
