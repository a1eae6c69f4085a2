import Testing
@testable import Alarms

/// State reasons and reason data, checked in full against CloudWatch's wording (messages quoted
/// from CloudWatch notifications and the EventBridge examples).
@Suite struct ReasonTextTests {
    @Test func mOutOfNAlarmReason() {
        // The example of the issue: 21/11/26 03:05 = 2.0, 03:00 = 1.0, 02:55 = 0.0, 2 of 3, ≥ 1.
        let end: Int64 = 1_795_230_600_000  // 2026-11-21T03:10Z
        let points = [AlarmDatapoint(timestampMillis: end - 15 * minute, value: 0),
                      AlarmDatapoint(timestampMillis: end - 10 * minute, value: 1),
                      AlarmDatapoint(timestampMillis: end - 5 * minute, value: 2)]
        let e = AlarmEvaluator.evaluate(staticAlarm(n: 3, m: 2), status: AlarmStatus(), datapoints: points, at: end)
        #expect(e.newState == .alarm)
        #expect(e.reason == "Threshold Crossed: 2 out of the last 3 datapoints [2.0 (21/11/26 03:05:00), 1.0 (21/11/26 03:00:00)] were greater than or equal to the threshold (1.0) (minimum 2 datapoints for OK -> ALARM transition).")
        #expect(e.reasonData.jsonString() == #"{"version":"1.0","queryDate":"2026-11-21T03:10:00.000+0000","startDate":"2026-11-21T02:55:00.000+0000","statistic":"Sum","period":300,"recentDatapoints":[0.0,1.0,2.0],"threshold":1.0,"evaluatedDatapoints":[{"timestamp":"2026-11-21T03:05:00.000+0000","value":2.0},{"timestamp":"2026-11-21T03:00:00.000+0000","value":1.0}]}"#)
    }

    @Test func okReasonNamesTheNonBreachingPointsAndNeedsNMinusMPlusOne() {
        // CloudWatch: "3 out of the last 5 datapoints [0.0 (21/12/21 06:45:00), 0.0 (21/12/21 06:44:00),
        // 0.0 (21/12/21 06:42:00)] were not greater than the threshold (0.0) (minimum 3 datapoints for
        // ALARM -> OK transition)."
        let end: Int64 = 1_640_069_160_000  // 2021-12-21T06:46Z
        let values: [Double] = [1, 0, 1, 0, 0]  // 06:41 … 06:45
        let points = values.enumerated().map { AlarmDatapoint(timestampMillis: end - Int64(5 - $0.offset) * minute, value: $0.element) }
        let def = staticAlarm(n: 5, m: 3, op: .greaterThanThreshold, threshold: 0, period: minute, statistic: .maximum)
        let e = AlarmEvaluator.evaluate(def, status: status(.alarm), datapoints: points, at: end)
        #expect(e.newState == .ok)
        #expect(e.reason == "Threshold Crossed: 3 out of the last 5 datapoints [0.0 (21/12/21 06:45:00), 0.0 (21/12/21 06:44:00), 0.0 (21/12/21 06:42:00)] were not greater than the threshold (0.0) (minimum 3 datapoints for ALARM -> OK transition).")
    }

    @Test func filledMissingPointsAreNamed() {
        // CloudWatch: "1 out of the last 20 datapoints [613.0 (16/03/24 12:15:00)] was greater than or
        // equal to the threshold (1.0) and 19 missing datapoints were treated as [NonBreaching] (minimum
        // 1 datapoint for OK -> ALARM transition)."
        let end: Int64 = 1_710_591_600_000  // 2024-03-16T12:20Z
        let def = staticAlarm(n: 20, m: 1, missing: .notBreaching)
        let e = AlarmEvaluator.evaluate(def, status: status(.ok), datapoints: [AlarmDatapoint(timestampMillis: end - 5 * minute, value: 613)], at: end)
        #expect(e.newState == .alarm)
        #expect(e.reason == "Threshold Crossed: 1 out of the last 20 datapoints [613.0 (16/03/24 12:15:00)] was greater than or equal to the threshold (1.0) and 19 missing datapoints were treated as [NonBreaching] (minimum 1 datapoint for OK -> ALARM transition).")
    }

    @Test func decidedByFillsAlone() {
        let end = day0 + 60 * minute
        let allMissing = AlarmEvaluator.evaluate(staticAlarm(n: 2, missing: .breaching), status: AlarmStatus(), datapoints: [], at: end)
        #expect(allMissing.reason == "Threshold Crossed: no datapoints were received for 2 periods and 2 missing datapoints were treated as [Breaching].")
        let one = AlarmEvaluator.evaluate(staticAlarm(n: 1, missing: .notBreaching), status: status(.alarm), datapoints: [], at: end)
        #expect(one.newState == .ok)
        #expect(one.reason == "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].")
        // A real non-breaching point, two breaching fills, 2 of 3 → ALARM on the fills.
        let mixed = AlarmEvaluator.evaluate(staticAlarm(n: 3, m: 2, missing: .breaching), status: status(.ok),
                                            datapoints: datapoints("- - - - 0", end: end), at: end)
        #expect(mixed.newState == .alarm)
        #expect(mixed.reason == "Threshold Crossed: 1 datapoint was received for 3 periods and 2 missing datapoints were treated as [Breaching].")
        #expect(mixed.reasonData.evaluatedDatapoints?.map(\.timestamp) == ["2026-11-21T00:50:00.000+0000", "2026-11-21T00:45:00.000+0000"])
    }

    @Test func okWithBreachingFills() {
        let end = day0 + 60 * minute
        let e = AlarmEvaluator.evaluate(staticAlarm(n: 3, m: 3, missing: .breaching), status: status(.alarm),
                                        datapoints: datapoints("0 - - - -", end: end), at: end)
        #expect(e.reason == "Threshold Crossed: 1 out of the last 3 datapoints [0.0 (21/11/26 00:35:00)] was not greater than or equal to the threshold (1.0) and 2 missing datapoints were treated as [Breaching] (minimum 1 datapoint for ALARM -> OK transition).")
    }

    @Test func insufficientData() {
        let end = day0 + 60 * minute
        let one = AlarmEvaluator.evaluate(staticAlarm(n: 1, threshold: 60, period: minute, statistic: .average), status: status(.ok), datapoints: [], at: end)
        #expect(one.newState == .insufficientData)
        #expect(one.reason == "Insufficient Data: 1 datapoint was unknown.")
        #expect(one.reasonData.jsonString() == #"{"version":"1.0","queryDate":"2026-11-21T01:00:00.000+0000","statistic":"Average","period":60,"recentDatapoints":[],"threshold":60.0}"#)
        let three = AlarmEvaluator.evaluate(staticAlarm(n: 3), status: status(.ok), datapoints: [], at: end)
        #expect(three.reason == "Insufficient Data: 3 datapoints were unknown.")
    }

    @Test func lessThanOrEqualReasonDataWithSampleCounts() {
        // CloudWatch's OK reason data for a 6-period Sum ≤ 0 alarm: the recent values oldest first,
        // the datapoint that decided it with its sample count.
        let end: Int64 = 1_661_778_540_000  // 2022-08-29T13:09Z
        let values: [Double] = [0, 0, 0, 0, 0, 9]
        let points = values.enumerated().map {
            AlarmDatapoint(timestampMillis: end - Int64(6 - $0.offset) * 5 * minute, value: $0.element, sampleCount: $0.element == 9 ? 14 : 5)
        }
        let def = staticAlarm(n: 6, op: .lessThanOrEqualToThreshold, threshold: 0)
        let e = AlarmEvaluator.evaluate(def, status: status(.alarm), datapoints: points, at: end)
        #expect(e.newState == .ok)
        #expect(e.reason == "Threshold Crossed: 1 out of the last 6 datapoints [9.0 (29/08/22 13:04:00)] was not less than or equal to the threshold (0.0) (minimum 1 datapoint for ALARM -> OK transition).")
        #expect(e.reasonData.jsonString() == #"{"version":"1.0","queryDate":"2022-08-29T13:09:00.000+0000","startDate":"2022-08-29T12:39:00.000+0000","statistic":"Sum","period":300,"recentDatapoints":[0.0,0.0,0.0,0.0,0.0,9.0],"threshold":0.0,"evaluatedDatapoints":[{"timestamp":"2022-08-29T13:04:00.000+0000","sampleCount":14.0,"value":9.0}]}"#)
    }

    @Test func twoSidedBandReasons() {
        // The C-AD EventBridge example, ALARM then OK.
        let end: Int64 = 1_570_118_340_000  // 2019-10-03T15:59Z
        let def = bandAlarm(op: .lessThanLowerOrGreaterThanUpperThreshold)
        let low = AlarmDatapoint(timestampMillis: end - minute, value: 0, band: BandBounds(lower: 0.020599444741798756, upper: 0.3006915352732461))
        let alarm = AlarmEvaluator.evaluate(def, status: status(.ok), datapoints: [low], at: end)
        #expect(alarm.newState == .alarm)
        #expect(alarm.reason == "Thresholds Crossed: 1 out of the last 1 datapoints [0.0 (03/10/19 15:58:00)] was less than the lower thresholds [0.020599444741798756] or greater than the upper thresholds [0.3006915352732461] (minimum 1 datapoint for OK -> ALARM transition).")
        #expect(alarm.reasonData.jsonString() == #"{"version":"1.0","queryDate":"2019-10-03T15:59:00.000+0000","startDate":"2019-10-03T15:58:00.000+0000","period":60,"recentDatapoints":[0.0],"recentLowerThresholds":[0.020599444741798756],"recentUpperThresholds":[0.3006915352732461],"evaluatedDatapoints":[{"timestamp":"2019-10-03T15:58:00.000+0000","value":0.0}]}"#)

        let inside = AlarmDatapoint(timestampMillis: end - 2 * minute, value: 0.166666666664241, band: BandBounds(lower: 0.0206719426210418, upper: 0.30076870222143803))
        let ok = AlarmEvaluator.evaluate(def, status: status(.alarm), datapoints: [inside], at: end - minute)
        #expect(ok.newState == .ok)
        #expect(ok.reason == "Thresholds Crossed: 1 out of the last 1 datapoints [0.166666666664241 (03/10/19 15:57:00)] was not less than the lower thresholds [0.0206719426210418] or not greater than the upper thresholds [0.30076870222143803] (minimum 1 datapoint for ALARM -> OK transition).")
    }

    @Test func upperBandReasonAndData() {
        // CloudWatch: "[239.0 (25/07/24 07:21:00)] was greater than the upper thresholds [225.71426732099445]"
        let end: Int64 = 1_721_892_120_000  // 2024-07-25T07:22Z
        let def = bandAlarm(op: .greaterThanUpperThreshold)
        let p = AlarmDatapoint(timestampMillis: end - minute, value: 239, band: BandBounds(lower: 100, upper: 225.71426732099445))
        let e = AlarmEvaluator.evaluate(def, status: status(.ok), datapoints: [p], at: end)
        #expect(e.reason == "Thresholds Crossed: 1 out of the last 1 datapoints [239.0 (25/07/24 07:21:00)] was greater than the upper thresholds [225.71426732099445] (minimum 1 datapoint for OK -> ALARM transition).")
        #expect(e.reasonData.jsonString() == #"{"version":"1.0","queryDate":"2024-07-25T07:22:00.000+0000","startDate":"2024-07-25T07:21:00.000+0000","period":60,"recentDatapoints":[239.0],"recentUpperThresholds":[225.71426732099445],"evaluatedDatapoints":[{"timestamp":"2024-07-25T07:21:00.000+0000","value":239.0,"threshold":225.71426732099445}]}"#)
    }

    @Test func lowerBandReasonListsOneBoundPerDatapoint() {
        let end = day0 + 10 * minute
        let def = bandAlarm(n: 2, op: .lessThanLowerThreshold)
        let points = [AlarmDatapoint(timestampMillis: end - 2 * minute, value: 1, band: BandBounds(lower: 3, upper: 9)),
                      AlarmDatapoint(timestampMillis: end - minute, value: 2.5, band: BandBounds(lower: 4, upper: 9))]
        let e = AlarmEvaluator.evaluate(def, status: status(.ok), datapoints: points, at: end)
        #expect(e.reason == "Thresholds Crossed: 2 out of the last 2 datapoints [2.5 (21/11/26 00:09:00), 1.0 (21/11/26 00:08:00)] were less than the lower thresholds [4.0, 3.0] (minimum 2 datapoints for OK -> ALARM transition).")
    }

    @Test(arguments: [
        (0.0, "0.0"), (1.0, "1.0"), (-2.5, "-2.5"), (0.001, "0.001"), (0.0001, "1.0E-4"), (1.5e-5, "1.5E-5"),
        (1234.5, "1234.5"), (9_999_999.0, "9999999.0"), (1e7, "1.0E7"), (123_456_789.0, "1.23456789E8"),
        (99.50160229693434, "99.50160229693434"), (1e16, "1.0E16"), (-3e-7, "-3.0E-7"),
    ])
    func numbersPrintAsJavaDoubles(_ value: Double, _ text: String) {
        #expect(CloudWatchFormat.number(value) == text)
    }

    @Test func timestamps() {
        #expect(CloudWatchFormat.reasonTimestamp(1_795_230_300_000) == "21/11/26 03:05:00")
        #expect(CloudWatchFormat.timestamp(1_795_230_300_123) == "2026-11-21T03:05:00.123+0000")
        #expect(CloudWatchFormat.timestamp(0) == "1970-01-01T00:00:00.000+0000")
        #expect(CloudWatchFormat.timestamp(951_782_400_000) == "2000-02-29T00:00:00.000+0000")
    }
}
