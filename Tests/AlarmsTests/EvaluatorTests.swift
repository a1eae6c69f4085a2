import Foundation
import Testing
import TestSupport
import Baselines
@testable import Alarms

@Suite struct StaticAlarmTests {
    /// Each operator at, above and below a threshold of 5.
    @Test(arguments: [
        (ComparisonOperator.greaterThanOrEqualToThreshold, [4.0: false, 5.0: true, 6.0: true]),
        (.greaterThanThreshold, [4.0: false, 5.0: false, 6.0: true]),
        (.lessThanThreshold, [4.0: true, 5.0: false, 6.0: false]),
        (.lessThanOrEqualToThreshold, [4.0: true, 5.0: true, 6.0: false]),
    ])
    func operatorBoundaries(_ op: ComparisonOperator, _ cases: [Double: Bool]) {
        let def = staticAlarm(n: 1, op: op, threshold: 5)
        let end = day0 + 5 * minute
        for (value, breaches) in cases {
            let e = AlarmEvaluator.evaluate(def, status: AlarmStatus(), datapoints: [AlarmDatapoint(timestampMillis: day0, value: value)], at: end)
            #expect(e.newState == (breaches ? .alarm : .ok), "\(op.rawValue) \(value)")
        }
    }

    /// 3 of 5 over a synthetic series: the alarm fires on the third breach inside five periods
    /// and clears when fewer than three of the last five breach.
    @Test func mOutOfNOverASeries() {
        let def = staticAlarm(n: 5, m: 3, threshold: 10)
        let values: [Double] = [0, 12, 0, 11, 0, 13, 0, 0, 0, 0, 0, 0]
        let series = values.enumerated().map { AlarmDatapoint(timestampMillis: day0 + Int64($0.offset) * 5 * minute, value: $0.element) }
        let timeline = AlarmBacktest.run(definition: def, series: series, from: day0, to: day0 + Int64(values.count) * 5 * minute)
        #expect(timeline.evaluations == values.count)
        let changes = timeline.changes.map { ($0.evaluatedAtMillis - day0) / (5 * minute) }
        // Breaches in periods 1, 3 and 5: all three in the window 1…5 (ALARM at the end of period
        // 5), two once period 1 leaves it (OK at the end of period 6).
        #expect(timeline.changes.map(\.newState) == [.ok, .alarm, .ok])
        #expect(changes == [1, 6, 7])
        #expect(timeline.changes[1].reason == "Threshold Crossed: 3 out of the last 5 datapoints [13.0 (21/11/26 00:25:00), 11.0 (21/11/26 00:15:00), 12.0 (21/11/26 00:05:00)] were greater than or equal to the threshold (10.0) (minimum 3 datapoints for OK -> ALARM transition).")
        #expect(timeline.changes[2].reason == "Threshold Crossed: 3 out of the last 5 datapoints [0.0 (21/11/26 00:30:00), 0.0 (21/11/26 00:20:00), 0.0 (21/11/26 00:10:00)] were not greater than or equal to the threshold (10.0) (minimum 3 datapoints for ALARM -> OK transition).")
        #expect(timeline.notifications.count == 3)
        #expect(timeline.notifications.map(\.oldState) == [.insufficientData, .ok, .alarm])
    }

    /// Re-evaluating with the persisted status and the same data changes nothing: no duplicate
    /// notification after a restart.
    @Test func reevaluationIsIdempotent() throws {
        let def = staticAlarm(n: 1)
        let end = day0 + 5 * minute
        let points = [AlarmDatapoint(timestampMillis: day0, value: 3)]
        let first = AlarmEvaluator.evaluate(def, status: AlarmStatus(), datapoints: points, at: end)
        #expect(first.notification != nil)
        let stored = try JSONDecoder().decode(AlarmStatus.self, from: JSONEncoder().encode(first.status))
        #expect(stored == first.status)
        let again = AlarmEvaluator.evaluate(def, status: stored, datapoints: points, at: end)
        #expect(!again.transitioned)
        #expect(again.notification == nil)
        #expect(again.status.stateReason == first.reason)
    }

    @Test func newAlarmStartsInInsufficientData() {
        let s = AlarmStatus()
        #expect(s.state == .insufficientData)
        #expect(s.notifiedState == .insufficientData)
    }

    @Test func lowSampleCountPercentileKeepsState() {
        var def = staticAlarm(n: 1, threshold: 100, statistic: .percentile(99))
        def.evaluateLowSampleCountPercentile = .ignore
        #expect(AlarmStatistic.percentile(99).lowSampleCountThreshold.map { ($0 * 1000).rounded() / 1000 } == 1000)
        #expect(AlarmStatistic.percentile(10).lowSampleCountThreshold == 100)
        let end = day0 + 5 * minute
        let thin = AlarmEvaluator.evaluate(def, status: status(.ok), datapoints: [AlarmDatapoint(timestampMillis: day0, value: 500, sampleCount: 40)], at: end)
        #expect(thin.newState == .ok)
        #expect(thin.reason.hasPrefix("Low sample count"))
        let thick = AlarmEvaluator.evaluate(def, status: status(.ok), datapoints: [AlarmDatapoint(timestampMillis: day0, value: 500, sampleCount: 2000)], at: end)
        #expect(thick.newState == .alarm)
        def.evaluateLowSampleCountPercentile = .evaluate
        let evaluated = AlarmEvaluator.evaluate(def, status: status(.ok), datapoints: [AlarmDatapoint(timestampMillis: day0, value: 500, sampleCount: 40)], at: end)
        #expect(evaluated.newState == .alarm)
    }
}

@Suite struct BandAlarmTests {
    /// A synthetic band (10 ± 3) and values inside, above and below it, for each band operator.
    @Test(arguments: [
        (ComparisonOperator.lessThanLowerOrGreaterThanUpperThreshold, [10.0: false, 14.0: true, 6.0: true, 13.0: false, 7.0: false]),
        (.greaterThanUpperThreshold, [10.0: false, 14.0: true, 6.0: false, 13.0: false]),
        (.lessThanLowerThreshold, [10.0: false, 14.0: false, 6.0: true, 7.0: false]),
    ])
    func operators(_ op: ComparisonOperator, _ cases: [Double: Bool]) {
        let def = bandAlarm(op: op)
        for (value, breaches) in cases {
            let p = AlarmDatapoint(timestampMillis: day0, value: value, band: BandBounds(lower: 7, upper: 13))
            let e = AlarmEvaluator.evaluate(def, status: AlarmStatus(), datapoints: [p], at: day0 + minute)
            #expect(e.newState == (breaches ? .alarm : .ok), "\(op.rawValue) \(value)")
            #expect(e.reasonData.threshold == nil && e.reasonData.statistic == nil)
        }
    }

    /// A seasonal band over a day; a spike above it and a drop below it each open one excursion.
    @Test func seasonalSeries() throws {
        let period = 5 * minute
        let def = bandAlarm(n: 3, m: 2, op: .lessThanLowerOrGreaterThanUpperThreshold, period: period)
        var series: [AlarmDatapoint] = []
        for i in 0..<288 {
            let expected = 50 + 30 * sin(Double(i) / 288 * 2 * .pi)
            var value = expected + (i % 2 == 0 ? 2 : -2)
            if (100..<103).contains(i) { value = expected + 25 }
            if (200..<202).contains(i) { value = expected - 25 }
            series.append(AlarmDatapoint(timestampMillis: day0 + Int64(i) * period, value: value,
                                         band: BandBounds(lower: expected - 10, upper: expected + 10)))
        }
        let timeline = AlarmBacktest.run(definition: def, series: series, from: day0, to: day0 + 288 * period)
        #expect(timeline.changes.map(\.newState) == [.ok, .alarm, .ok, .alarm, .ok])
        try #require(timeline.changes.count == 5)
        #expect(timeline.changes[1].evaluatedAtMillis == day0 + 102 * period)  // second breach at period 101
        #expect(timeline.changes[3].evaluatedAtMillis == day0 + 202 * period)
        #expect(timeline.changes[1].reason.hasPrefix("Thresholds Crossed: 2 out of the last 3 datapoints ["))
    }

    /// A value without a band cannot be judged and counts as missing.
    @Test func valueWithoutBandIsMissing() {
        let e = AlarmEvaluator.evaluate(bandAlarm(op: .greaterThanUpperThreshold), status: AlarmStatus(),
                                        datapoints: [AlarmDatapoint(timestampMillis: day0, value: 100)], at: day0 + minute)
        #expect(e.newState == .insufficientData)
    }

    /// Bands from a trained baseline: the alarm's width, not the model's, sets the band.
    @Test func boundsFromABaselineModel() throws {
        let period = 5 * minute
        var rng = SplitMix(seed: 7)
        let values = (0..<(288 * 4)).map { i in 20 + 10 * sin(Double(i % 288) / 288 * 2 * .pi) + (rng.uniform() * 2 - 1) }
        let series = RegularSeries(startMillis: day0, periodMillis: period, values: values)
        var options = BaselineOptions()
        options.countMode = .off
        guard let model = try BaselineModel.train(series: series, options: options).model else {
            Issue.record("training gave no model")
            return
        }
        let t = day0 + Int64(values.count) * period
        let narrow = BandBounds(model: model, width: 1, at: t)
        let wide = BandBounds(model: model, width: 3, at: t)
        #expect(narrow.lower < narrow.upper)
        #expect(wide.lower < narrow.lower && wide.upper > narrow.upper)
    }
}

@Suite struct ExtensionTests {
    /// Minimum-volume gate: a breach with too little volume does not count.
    @Test func minimumVolumeGate() {
        var def = staticAlarm(n: 1, op: .greaterThanThreshold, threshold: 0.5, statistic: .average)
        def.minimumVolume = 20
        let end = day0 + 5 * minute
        func state(_ p: AlarmDatapoint) -> AlarmState {
            AlarmEvaluator.evaluate(def, status: AlarmStatus(), datapoints: [p], at: end).newState
        }
        // A failure ratio of 1.0 from 3 attempts is noise; from 40 it is an incident.
        #expect(state(AlarmDatapoint(timestampMillis: day0, value: 1.0, volume: 3)) == .ok)
        #expect(state(AlarmDatapoint(timestampMillis: day0, value: 1.0, volume: 40)) == .alarm)
        #expect(state(AlarmDatapoint(timestampMillis: day0, value: 1.0, sampleCount: 3)) == .ok)
        #expect(state(AlarmDatapoint(timestampMillis: day0, value: 1.0, sampleCount: 25)) == .alarm)
        // Without volume or sample count, the value itself is the volume (counts).
        def.comparisonOperator = .greaterThanOrEqualToThreshold
        def.condition = .threshold(5)
        #expect(state(AlarmDatapoint(timestampMillis: day0, value: 8)) == .ok)
        #expect(state(AlarmDatapoint(timestampMillis: day0, value: 21)) == .alarm)
    }

    /// A flapping series: ALARM, OK, ALARM, OK, … every period.
    static func flapping(_ def: AlarmDefinition, periods: Int, quietAfter: Int) -> AlarmTimeline {
        let series = (0..<periods).map { i in
            AlarmDatapoint(timestampMillis: day0 + Int64(i) * def.periodMillis, value: i < quietAfter && i % 2 == 0 ? 5 : 0)
        }
        return AlarmBacktest.run(definition: def, series: series, from: day0, to: day0 + Int64(periods) * def.periodMillis)
    }

    @Test func defaultNotifiesEveryTransition() {
        let t = Self.flapping(staticAlarm(n: 1), periods: 12, quietAfter: 8)
        #expect(t.changes.filter(\.transitioned).count == 8)
        #expect(t.notifications.count == 8)
    }

    @Test func rearmSendsOneAlarmAndOneAllClearPerExcursion() {
        var def = staticAlarm(n: 1)
        def.notificationPolicy = NotificationPolicy(rearmAfterMillis: 15 * minute)
        let t = Self.flapping(def, periods: 14, quietAfter: 8)
        #expect(t.changes.filter(\.transitioned).count == 8)
        let notes = t.notifications
        #expect(notes.map(\.newState) == [.alarm, .ok])
        #expect(notes.map(\.oldState) == [.insufficientData, .alarm])
        // The all-clear goes out once the alarm has been OK for 15 minutes (OK since period 7's end).
        let allClear = t.changes.first { $0.notification?.newState == .ok }
        #expect(allClear?.evaluatedAtMillis == day0 + 8 * 5 * minute + 15 * minute)
        #expect(allClear?.notification?.stateChangeMillis == day0 + 8 * 5 * minute)
        #expect(t.changes.filter(\.notificationSuppressed).count == 7)
        #expect(t.finalStatus.excursionOpen == false)
    }

    @Test func cooldownLimitsAlarmNotifications() {
        var def = staticAlarm(n: 1)
        def.notificationPolicy = NotificationPolicy(cooldownMillis: 30 * minute)
        let t = Self.flapping(def, periods: 16, quietAfter: 16)
        // Breaches at periods 0, 2, 4, …; ALARM announced at 0 and again ≥ 30 min later (period 6).
        let alarms = t.notifications.filter { $0.newState == .alarm }.map { ($0.stateChangeMillis - day0) / (5 * minute) }
        #expect(alarms == [1, 7, 13])
        // Every announced ALARM is followed by an announced OK; held-back ones are not.
        #expect(t.notifications.map(\.newState) == [.alarm, .ok, .alarm, .ok, .alarm, .ok])
    }

    @Test func cooldownAnnouncesAHeldBackAlarmWhenItEnds() {
        var def = staticAlarm(n: 1)
        def.notificationPolicy = NotificationPolicy(cooldownMillis: 20 * minute)
        // ALARM, OK, then ALARM for good from period 2.
        let values: [Double] = [5, 0, 5, 5, 5, 5, 5]
        let series = values.enumerated().map { AlarmDatapoint(timestampMillis: day0 + Int64($0.offset) * 5 * minute, value: $0.element) }
        let t = AlarmBacktest.run(definition: def, series: series, from: day0, to: day0 + 7 * 5 * minute)
        #expect(t.notifications.map(\.newState) == [.alarm, .ok, .alarm])
        let late = t.changes.last { $0.notification?.newState == .alarm }
        #expect(late?.evaluatedAtMillis == day0 + 5 * minute + 20 * minute)
        #expect(late?.transitioned == false)
    }
}

@Suite struct BacktestTests {
    @Test func evaluatesAtEveryPeriodEndInTheWindow() throws {
        let def = staticAlarm(n: 1, missing: .notBreaching)
        let series: [(periodStart: Int64, value: Double?, band: BandBounds?)] = [
            (day0, 0, nil), (day0 + 5 * minute, 3, nil), (day0 + 10 * minute, nil, nil), (day0 + 25 * minute, 4, nil),
        ]
        let t = AlarmBacktest.run(definition: def, series: series, from: day0 + 2 * minute, to: day0 + 30 * minute)
        #expect(t.evaluations == 6)  // ends at :05, :10, …, :30
        // The range is N + 2 = 3 periods: the 3 of period 1 decides until it leaves the range
        // (CloudWatch reaches back to the newest real point); only then is the gap filled.
        try #require(t.changes.count == 4)
        #expect(t.changes.map(\.newState) == [.ok, .alarm, .ok, .alarm])
        #expect(t.changes.map(\.evaluatedAtMillis) == [5, 10, 25, 30].map { day0 + Int64($0) * minute })
        #expect(t.changes[2].reason == "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].")
        #expect(t.finalStatus.state == .alarm)
        #expect(t.finalStatus.stateUpdatedMillis == day0 + 30 * minute)
    }

    @Test func continuesFromAPersistedStatus() {
        let def = staticAlarm(n: 1)
        let series = [AlarmDatapoint(timestampMillis: day0, value: 3), AlarmDatapoint(timestampMillis: day0 + 5 * minute, value: 3)]
        let first = AlarmBacktest.run(definition: def, series: series, from: day0, to: day0 + 5 * minute)
        let second = AlarmBacktest.run(definition: def, series: series, from: day0 + 5 * minute, to: day0 + 10 * minute, initialStatus: first.finalStatus)
        #expect(first.notifications.count == 1)
        #expect(second.notifications.isEmpty)
    }
}
