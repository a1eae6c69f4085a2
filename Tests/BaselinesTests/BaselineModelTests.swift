import Foundation
import TestSupport
import Testing
@testable import Baselines

let start: Int64 = 1_699_920_000_000  // a UTC midnight
let period: Int64 = 15 * 60_000
let perDay = Int(millisPerDay / period)

func days(_ t: Int64) -> Double { Double(t - start) / Double(millisPerDay) }

/// Daily cycle plus trend, in closed form so tests can compare against the truth anywhere.
func truth(_ t: Int64) -> Double {
    let phase = 2 * Double.pi * Double(t % millisPerDay) / Double(millisPerDay)
    return 10 + 0.5 * days(t) + 3 * sin(phase) + cos(2 * phase)
}

func makeSeries(days count: Int, noise: Double, seed: UInt64, _ f: (Int64) -> Double = truth) -> RegularSeries {
    var rng = SplitMix(seed: seed)
    let values = (0..<(count * perDay)).map { i in f(start + Int64(i) * period) + noise * rng.gaussian() }
    return RegularSeries(startMillis: start, periodMillis: period, values: values)
}

func trained(_ series: RegularSeries, _ options: BaselineOptions = BaselineOptions()) throws -> BaselineModel {
    let outcome = try BaselineModel.train(series: series, options: options)
    return try #require(outcome.model)
}

func identityOptions() -> BaselineOptions {
    var options = BaselineOptions()
    options.countMode = .off
    return options
}

@Suite struct BaselineModelTests {
    @Test func recoversDailySeasonalTrend() throws {
        let series = makeSeries(days: 14, noise: 0.3, seed: 1)
        let model = try trained(series, identityOptions())
        #expect(model.spec.dailyOrder > 0)
        #expect(model.spec.weeklyOrder == 0, "weekly terms were fitted, found to explain nothing, and dropped")
        #expect(abs(model.coefficients[model.spec.trendColumn] - 0.5) < 0.02)
        let sin1 = model.coefficients[model.spec.dailyColumns.lowerBound]
        let cos2 = model.coefficients[model.spec.dailyColumns.lowerBound + 3]
        #expect(abs(sin1 - 3) < 0.05 && abs(cos2 - 1) < 0.05)
        // Forecast the next day.
        for i in stride(from: 0, to: perDay, by: 5) {
            let t = series.endMillis + Int64(i) * period
            let p = model.predict(at: t)
            #expect(abs(p.expected - truth(t)) < 0.25)
            #expect(p.lower < truth(t) && truth(t) < p.upper)
        }
        #expect(model.diagnostics.dailyStrength > 0.9)
        #expect(model.diagnostics.weeklyStrength < 0.1)
        #expect(model.converged)
    }

    @Test func incidentInTrainingDoesNotBendRobustFit() throws {
        var series = makeSeries(days: 14, noise: 0.3, seed: 2)
        // An eight-hour incident on day 5, always at the same time of day as a nightly job would be.
        let incident = (5 * perDay + 8 * perDay / 24)..<(5 * perDay + 16 * perDay / 24)
        for i in incident { series.values[i] += 40 }
        let model = try trained(series, identityOptions())
        let sample = SeriesPrep.trainingSample(series, windowMillis: 14 * millisPerDay, excluding: [])
        let design = model.spec.matrix(times: sample.times)
        let robustFitted = design.multiply(model.coefficients)
        let ols = try RobustFit.ordinary(design: design, response: sample.values)
        let olsFitted = design.multiply(ols)
        let robustError = zip(sample.times, robustFitted).map { abs($1 - truth($0)) }.max() ?? .infinity
        let olsError = zip(sample.times, olsFitted).map { abs($1 - truth($0)) }.max() ?? 0
        #expect(robustError < 0.25)
        #expect(olsError > 1.5)
        // The incident points themselves end up with (near) zero weight.
        let fit = try RobustFit.fit(design: design, response: sample.values)
        #expect(incident.allSatisfy { fit.weights[$0] == 0 })
    }

    @Test func outOfSampleBandIsAtLeastInSample() throws {
        // Noise plus a level shift between days the fit cannot foresee: in-sample residuals hide it.
        var rng = SplitMix(seed: 3)
        let dayLevels = (0..<14).map { _ in 1.5 * rng.gaussian() }
        let series = makeSeries(days: 14, noise: 2, seed: 4) { truth($0) + dayLevels[Int(days($0))] }
        let model = try trained(series, identityOptions())
        let oos = try #require(model.outOfSampleScale)
        #expect(oos >= model.inSampleScale)
        #expect(model.sigma == max(oos, model.scaleFloor))
    }

    @Test func flatAndAllZeroHistoryGetAFlooredBand() throws {
        let zeros = RegularSeries(startMillis: start, periodMillis: period, values: Array(repeating: 0, count: 7 * perDay))
        let model = try trained(zeros)
        #expect(model.transform == .anscombe)
        #expect(model.sigma > 0 && model.sigma == model.scaleFloor)
        for i in 0..<perDay {
            let p = model.predict(at: zeros.endMillis + Int64(i) * period)
            #expect(p.expected.isFinite && p.lower.isFinite && p.upper.isFinite)
            #expect(p.lower >= 0 && p.upper > p.lower)
        }
        #expect(model.score(0, at: zeros.endMillis) < 0.5)
        #expect(model.score(20, at: zeros.endMillis) > 0.999)

        let flat = RegularSeries(startMillis: start, periodMillis: period, values: Array(repeating: 42.5, count: 7 * perDay))
        let flatModel = try trained(flat)
        #expect(flatModel.transform == .identity)
        let p = flatModel.predict(at: flat.endMillis)
        #expect(abs(p.expected - 42.5) < 1e-6 && p.upper - p.lower > 0.1)
        #expect(!flatModel.score(42.5, at: flat.endMillis).isNaN)
    }

    @Test func sparseCountsStayNonNegativeAndFlagSpikes() throws {
        var rng = SplitMix(seed: 5)
        func mean(_ t: Int64) -> Double { 1.75 + 1.25 * sin(2 * Double.pi * Double(t % millisPerDay) / Double(millisPerDay)) }
        let values = (0..<(14 * perDay)).map { i in rng.poisson(mean(start + Int64(i) * period)) }
        let series = RegularSeries(startMillis: start, periodMillis: period, values: values)
        let model = try trained(series)
        #expect(model.transform == .anscombe)
        var normalScores: [Double] = []
        for i in 0..<(15 * perDay) {
            let t = start + Int64(i) * period
            let p = model.predict(at: t)
            #expect(p.lower >= 0 && p.expected >= 0 && p.upper > p.expected)
            if i >= 14 * perDay { normalScores.append(model.score(rng.poisson(mean(t)), at: t)) }
        }
        #expect(model.score(15, at: series.endMillis + 3 * period) > 0.99)
        let flagged = normalScores.filter { $0 >= model.bandThreshold }.count
        #expect(Double(flagged) / Double(normalScores.count) < 0.1)
        #expect(normalScores.sorted()[normalScores.count / 2] < 0.7)
    }

    @Test func shortHistoryIsInsufficientData() throws {
        let series = makeSeries(days: 1, noise: 0.3, seed: 6)
        let outcome = try BaselineModel.train(series: series)
        guard case .insufficientData(let why) = outcome else {
            Issue.record("expected INSUFFICIENT_DATA, got \(outcome)")
            return
        }
        #expect(why.status == "INSUFFICIENT_DATA")
        #expect(why.historyMillis == millisPerDay)
    }

    @Test func excludedRangesAreNotLearned() throws {
        let clean = makeSeries(days: 14, noise: 0.3, seed: 7)
        var dirty = clean
        let incident = (6 * perDay)..<(6 * perDay + perDay / 2)
        for i in incident { dirty.values[i] = 500 }
        var options = identityOptions()
        options.excluded = [TimeRange(startMillis: clean.time(at: incident.lowerBound), endMillis: clean.time(at: incident.upperBound))]
        // With the incident excluded, its values cannot matter at all: the models are identical.
        #expect(try trained(dirty, options) == trained(clean, options))
        // And exclusion is not a no-op: plain OLS on the unexcluded dirty data is moved.
        let sample = SeriesPrep.trainingSample(dirty, windowMillis: options.trainingWindowMillis, excluding: [])
        let model = try trained(clean, options)
        let ols = try RobustFit.ordinary(design: model.spec.matrix(times: sample.times), response: sample.values)
        #expect(abs(ols[0] - model.coefficients[0]) > 1)
        // Losing half a day of training barely changes the clean fit either.
        let unexcluded = try trained(clean, identityOptions())
        for i in stride(from: 0, to: 14 * perDay, by: 7) {
            let t = clean.time(at: i)
            #expect(abs(model.predict(at: t).expected - unexcluded.predict(at: t).expected) < 0.1)
        }
    }

    @Test func trainingIsDeterministic() throws {
        let series = makeSeries(days: 10, noise: 1, seed: 8)
        let a = try trained(series)
        let b = try trained(series)
        #expect(a == b)
        let decoded = try JSONDecoder().decode(BaselineModel.self, from: JSONEncoder().encode(a))
        #expect(decoded == a)
    }

    @Test func anomaliesGroupConsecutivePoints() throws {
        let series = makeSeries(days: 14, noise: 0.3, seed: 9)
        let model = try trained(series, identityOptions())
        var next = makeSeries(days: 15, noise: 0.3, seed: 10)
        next.values.removeFirst(14 * perDay)
        next.startMillis = series.endMillis
        for i in 40..<44 { next.values[i] += 10 }
        next.values[60] = .nan
        next.values[70] -= 10
        let found = model.anomalies(in: next, threshold: 0.9999)
        #expect(found.count == 2)
        #expect(found.first?.points == 4 && found.first?.startMillis == next.time(at: 40) && found.first?.endMillis == next.time(at: 44))
        #expect(found.last?.startMillis == next.time(at: 70))
        #expect(model.score(.nan, at: next.startMillis) == 0)
    }

    @Test func weeklySeasonalityIsKeptWhenTheDataHaveIt() throws {
        // Quiet weekends: a weekly pattern on top of the daily one.
        let series = makeSeries(days: 14, noise: 0.3, seed: 12) { t in
            let weekday = (Int(days(t)) + 4) % 7  // 1970-01-01 was a Thursday; 0 = Monday here.
            return truth(t) - (weekday >= 5 ? 4 : 0)
        }
        let model = try trained(series, identityOptions())
        #expect(model.spec.weeklyOrder > 0)
        #expect(model.diagnostics.weeklyStrength > 0.3)
        // Ten days cannot hold two weeks, so weekly terms are never candidates.
        let short = try trained(makeSeries(days: 10, noise: 0.3, seed: 12), identityOptions())
        #expect(short.spec.weeklyOrder == 0 && short.diagnostics.weeklyStrength == 0)
    }

    @Test func periodicSpikesAreExpectedWhenAsked() throws {
        // A batch job adds 20 at 02:00–02:30 every day; once, an incident adds 20 at 14:00.
        func withJob(_ t: Int64) -> Double { truth(t) + (t % millisPerDay >= 2 * 3_600_000 && t % millisPerDay < 9_000_000 ? 20 : 0) }
        let series = makeSeries(days: 14, noise: 0.3, seed: 13, withJob)
        var options = identityOptions()
        let plain = try trained(series, options)
        options.periodicSpikes = true
        let aware = try trained(series, options)
        let jobTime = series.endMillis + 2 * 3_600_000 + period
        let incidentTime = series.endMillis + 14 * 3_600_000
        #expect(plain.score(withJob(jobTime), at: jobTime) > plain.bandThreshold)
        #expect(aware.score(withJob(jobTime), at: jobTime) < 0.9)
        #expect(aware.score(truth(incidentTime) + 20, at: incidentTime) > 0.999)
        #expect(aware.score(truth(incidentTime), at: incidentTime) < 0.9)
        #expect(abs(aware.predict(at: jobTime).expected - withJob(jobTime)) < 1)
    }

    @Test func invalidOptionsAreTypedErrors() {
        var options = BaselineOptions()
        options.bandWidth = 0
        #expect(throws: BaselineError.self) { _ = try BaselineModel.train(series: makeSeries(days: 3, noise: 0, seed: 1), options: options) }
        options = BaselineOptions()
        options.trainingWindowMillis = 91 * millisPerDay
        #expect(throws: BaselineError.self) { _ = try BaselineModel.train(series: makeSeries(days: 3, noise: 0, seed: 1), options: options) }
    }
}
