import Testing
@testable import Baselines

@Suite struct PrepAndTransformTests {
    @Test func trainingSampleKeepsWindowDropsMissingAndExcluded() {
        let hour: Int64 = 3_600_000
        var values = (0..<48).map(Double.init)
        values[40] = .nan
        let series = RegularSeries(startMillis: 0, periodMillis: hour, values: values)
        let sample = SeriesPrep.trainingSample(series, windowMillis: 12 * hour,
                                               excluding: [TimeRange(startMillis: 44 * hour, endMillis: 46 * hour)])
        #expect(sample.values == [36, 37, 38, 39, 41, 42, 43, 46, 47])
        #expect(sample.times.first == 36 * hour && sample.span(periodMillis: hour) == 12 * hour)
        #expect(sample.prefix(before: 42 * hour).values == [36, 37, 38, 39, 41])
    }

    @Test func anscombeRoundTripsAndClampsAtZero() {
        let t = CountTransform.anscombe
        for y in [0.0, 1, 2, 3, 15, 1000] { #expect(abs(t.inverse(t.forward(y)) - y) < 1e-9) }
        #expect(t.inverse(-3) == 0 && t.inverse(0.5) == 0)
        #expect(CountTransform.looksLikeCounts([0, 1, 5]) && !CountTransform.looksLikeCounts([0, 1.5]) && !CountTransform.looksLikeCounts([-1]))
    }

    @Test func fourierOrdersRespectSamplingAndSpan() {
        let hour: Int64 = 3_600_000
        let fourteenDays = (0..<(14 * 24)).map { Int64($0) * hour }
        let hourly = DesignSpec.make(times: fourteenDays, periodMillis: hour, dailyOrder: 20, weeklyOrder: 20)
        #expect(hourly.dailyOrder == 11 && hourly.weeklyOrder == 6)
        let daily = DesignSpec.make(times: (0..<30).map { Int64($0) * millisPerDay }, periodMillis: millisPerDay, dailyOrder: 4, weeklyOrder: 3)
        #expect(daily.dailyOrder == 0 && daily.weeklyOrder == 3)
        let design = hourly.matrix(times: fourteenDays)
        #expect(design.rows == fourteenDays.count && design.columns == hourly.columns)
        #expect(design[5, 0] == 1 && (0..<hourly.columns).allSatisfy { design[7, $0] == hourly.row(at: fourteenDays[7])[$0] })
    }
}
