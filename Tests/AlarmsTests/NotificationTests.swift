import Foundation
import Testing
@testable import Alarms

@Suite struct NotificationTests {
    static let end: Int64 = 1_795_230_600_000  // 2026-11-21T03:10Z

    func transition(_ def: AlarmDefinition, _ points: [AlarmDatapoint]) -> StateChange? {
        AlarmEvaluator.evaluate(def, status: status(.ok), datapoints: points, at: Self.end).notification
    }

    @Test func staticAlarmPayload() throws {
        var def = staticAlarm(n: 3, m: 2)
        def.name = "ConsoleSignInFailures"
        def.description = "Three or more failed console sign-ins in 5 minutes"
        def.metric = AlarmMetric(namespace: "CloudTrailMetrics", name: "ConsoleSigninFailureCount",
                                 dimensions: [MetricDimension(name: "Account", value: "123456789012")])
        def.unit = "Count"
        let points = [AlarmDatapoint(timestampMillis: Self.end - 10 * minute, value: 1),
                      AlarmDatapoint(timestampMillis: Self.end - 5 * minute, value: 2)]
        let change = try #require(transition(def, points))
        let contributors = [ContributorGroup(name: "sourceIPAddress", top: [Contributor(value: "203.0.113.7", count: 3)]),
                            ContributorGroup(name: "principal", top: [Contributor(value: "arn:aws:iam::123456789012:user/alice", count: 2),
                                                                      Contributor(value: "root", count: 1)])]
        let n = AlarmNotification(definition: def, change: change, accountId: "123456789012", region: "us-east-1", contributors: contributors)
        let expected = #"{"AlarmName":"ConsoleSignInFailures","AlarmDescription":"Three or more failed console sign-ins in 5 minutes","AWSAccountId":"123456789012","NewStateValue":"ALARM","NewStateReason":"Threshold Crossed: 2 out of the last 3 datapoints [2.0 (21/11/26 03:05:00), 1.0 (21/11/26 03:00:00)] were greater than or equal to the threshold (1.0) (minimum 2 datapoints for OK -> ALARM transition).","StateChangeTime":"2026-11-21T03:10:00.000+0000","Region":"us-east-1","OldStateValue":"OK","Trigger":{"MetricName":"ConsoleSigninFailureCount","Namespace":"CloudTrailMetrics","StatisticType":"Statistic","Statistic":"SUM","Unit":"Count","Dimensions":[{"value":"123456789012","name":"Account"}],"Period":300,"EvaluationPeriods":3,"DatapointsToAlarm":2,"ComparisonOperator":"GreaterThanOrEqualToThreshold","Threshold":1.0,"TreatMissingData":"missing","EvaluateLowSampleCountPercentile":""},"Contributors":[{"Name":"sourceIPAddress","Top":[{"Value":"203.0.113.7","Count":3}]},{"Name":"principal","Top":[{"Value":"arn:aws:iam::123456789012:user/alice","Count":2},{"Value":"root","Count":1}]}]}"#
        #expect(n.jsonString() == expected)
        let decoded = try JSONDecoder().decode(AlarmNotification.self, from: Data(n.jsonString().utf8))
        #expect(decoded == n)
    }

    @Test func absentFieldsAreNull() throws {
        let change = try #require(transition(staticAlarm(n: 1), [AlarmDatapoint(timestampMillis: Self.end - 5 * minute, value: 4)]))
        let json = AlarmNotification(definition: staticAlarm(n: 1), change: change).jsonString()
        #expect(json.hasPrefix(#"{"AlarmName":"test","AlarmDescription":null,"AWSAccountId":null,"NewStateValue":"ALARM","#))
        #expect(json.contains(#""Region":null,"OldStateValue":"OK","#))
        #expect(json.contains(#""Unit":null,"Dimensions":[],"#))
        #expect(!json.contains("Contributors"))
        #expect(!json.contains("\n"))  // one NDJSON line
    }

    @Test func percentileIsAnExtendedStatistic() throws {
        let def = staticAlarm(n: 1, threshold: 500, statistic: .percentile(99))
        let change = try #require(transition(def, [AlarmDatapoint(timestampMillis: Self.end - 5 * minute, value: 900)]))
        let json = AlarmNotification(definition: def, change: change).jsonString()
        #expect(json.contains(#""StatisticType":"ExtendedStatistic","ExtendedStatistic":"p99","Unit":null"#))
    }

    @Test func bandAlarmTrigger() throws {
        var def = bandAlarm(n: 1, op: .greaterThanUpperThreshold, period: 5 * minute)
        def.metric.dimensions = [MetricDimension(name: "InstanceId", value: "i-1")]
        let p = AlarmDatapoint(timestampMillis: Self.end - 5 * minute, value: 9, band: BandBounds(lower: 1, upper: 4.5))
        let change = try #require(transition(def, [p]))
        let n = AlarmNotification(definition: def, change: change)
        let trigger = try #require(n.jsonString().range(of: #""Trigger":"#)).upperBound
        #expect(n.jsonString()[trigger...] == #"{"Period":300,"EvaluationPeriods":1,"DatapointsToAlarm":1,"ComparisonOperator":"GreaterThanUpperThreshold","ThresholdMetricId":"ad1","TreatMissingData":"missing","EvaluateLowSampleCountPercentile":"","Metrics":[{"Expression":"ANOMALY_DETECTION_BAND(m1, 2)","Id":"ad1","Label":"cpu","ReturnData":true},{"Id":"m1","MetricStat":{"Metric":{"Dimensions":[{"value":"i-1","name":"InstanceId"}],"MetricName":"CPUUtilization","Namespace":"AWS/EC2"},"Period":300,"Stat":"Average"},"ReturnData":true}]}}"#)
        #expect(n.newStateReason == "Thresholds Crossed: 1 out of the last 1 datapoints [9.0 (21/11/26 03:05:00)] was greater than the upper thresholds [4.5] (minimum 1 datapoint for OK -> ALARM transition).")
        #expect(try JSONDecoder().decode(AlarmNotification.self, from: Data(n.jsonString().utf8)) == n)
    }

    @Test func stringsAreEscaped() throws {
        var def = staticAlarm(n: 1)
        def.description = "quote \" backslash \\ newline \n tab \t bell \u{07}"
        let change = try #require(transition(def, [AlarmDatapoint(timestampMillis: Self.end - 5 * minute, value: 4)]))
        let json = AlarmNotification(definition: def, change: change).jsonString()
        #expect(json.contains(#""AlarmDescription":"quote \" backslash \\ newline \n tab \t bell \u0007""#))
        let decoded = try JSONDecoder().decode(AlarmNotification.self, from: Data(json.utf8))
        #expect(decoded.alarmDescription == def.description)
    }

    @Test func historyItems() throws {
        let e = AlarmEvaluator.evaluate(staticAlarm(n: 1), status: AlarmStatus(), datapoints: [AlarmDatapoint(timestampMillis: Self.end - 5 * minute, value: 4)], at: Self.end)
        let item = try #require(AlarmHistoryItem.stateUpdate(alarmName: "a", evaluation: e))
        #expect(item.summary == "Alarm updated from INSUFFICIENT_DATA to ALARM")
        #expect(item.reasonData == e.reasonData.jsonString())
        let change = try #require(e.notification)
        let results = [ActionResult(sink: "stdout", outcome: .ok, detail: "written", attempts: 1, durationMillis: 0),
                       ActionResult(sink: "webhook:https://h/x?token=***", outcome: .failed, detail: "HTTP 500", attempts: 3, durationMillis: 1500)]
        let actions = AlarmHistoryItem.actions(alarmName: "a", timestampMillis: Self.end, change: change, results: results)
        #expect(actions.summary == "Failed to execute 1 of 2 actions for INSUFFICIENT_DATA -> ALARM")
        let again = AlarmEvaluator.evaluate(staticAlarm(n: 1), status: e.status, datapoints: [AlarmDatapoint(timestampMillis: Self.end - 5 * minute, value: 4)], at: Self.end)
        #expect(AlarmHistoryItem.stateUpdate(alarmName: "a", evaluation: again) == nil)
    }
}
