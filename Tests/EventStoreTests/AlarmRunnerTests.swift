import Alarms
import CloudTrail
import FilterPatterns
import Foundation
import Testing
@testable import EventStore

/// 2026-10-01T00:00:00Z.
private let t0: Int64 = 1_790_812_800_000
private let minute: Int64 = 60_000

private func record(_ id: String, at millis: Int64, name: String, instance: String? = nil, ip: String = "198.51.100.7") -> String {
    let params = instance.map { #","requestParameters":{"instancesSet":{"items":[{"instanceId":"\#($0)"}]}}"# } ?? ""
    return #"{"eventVersion":"1.08","eventID":"\#(id)","eventTime":"\#(ISO8601.format(millis: millis))","eventName":"\#(name)","eventSource":"ec2.amazonaws.com","awsRegion":"us-east-1","recipientAccountId":"111111111111","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/bob"},"sourceIPAddress":"\#(ip)"\#(params)}"#
}

/// Two hours of a DescribeInstances call per minute; StopInstances on i-1 at 00:12 and 00:13,
/// and on i-2 at 01:02.
private func lifecycleStore() throws -> TrailStore {
    var records: [String] = []
    for m in 0..<120 { records.append(record("d\(m)", at: t0 + Int64(m) * minute + 5_000, name: "DescribeInstances")) }
    records.append(record("s1", at: t0 + 12 * minute + 10_000, name: "StopInstances", instance: "i-1", ip: "203.0.113.9"))
    records.append(record("s2", at: t0 + 13 * minute + 10_000, name: "StopInstances", instance: "i-1", ip: "203.0.113.9"))
    records.append(record("s3", at: t0 + 62 * minute + 10_000, name: "StopInstances", instance: "i-2"))
    let s = try TrailStore(path: temporaryDatabasePath())
    try s.putFilter(MetricFilterDefinition(name: "stops", pattern: #"{ $.eventName = "StopInstances" }"#, namespace: "EC2", metricName: "Stops"), nowMillis: 1)
    try s.putFilter(MetricFilterDefinition(name: "stops-by-instance", pattern: #"{ $.eventName = "StopInstances" }"#, namespace: "EC2",
                                           metricName: "StopsByInstance",
                                           dimensions: ["InstanceId": "$.requestParameters.instancesSet.items[0].instanceId"]), nowMillis: 1)
    let w = try EventWriter(store: s)
    try s.begin()
    _ = try w.insert(batch(records), log: "cloudtrail", sourceID: nil, ingestionMillis: 1)
    try s.commit()
    _ = try s.backfill(try s.filters(), sinceMillis: nil, untilMillis: nil)
    return s
}

private func stopsAlarm(_ name: String = "stops", dimensions: [MetricDimension] = [], actions: [String] = ["file:/dev/null"]) -> AlarmDefinition {
    AlarmDefinition(name: name, metric: AlarmMetric(namespace: "EC2", name: dimensions.isEmpty ? "Stops" : "StopsByInstance", dimensions: dimensions),
                    statistic: .sum, periodMillis: 5 * minute, evaluationPeriods: 1, comparisonOperator: .greaterThanOrEqualToThreshold,
                    condition: .threshold(2), actions: actions)
}

@Suite struct AlarmRunnerTests {
    @Test func datapointsZeroFillInsideTheEventsAndCarrySampleCounts() throws {
        let s = try lifecycleStore()
        let lower: Int64 = t0 - 10 * minute, upper: Int64 = t0 + 20 * minute, step: Int64 = 5 * minute
        let points = try s.alarmDatapoints(for: stopsAlarm(), range: lower...upper)
        let starts: [Int64] = Array(stride(from: lower, through: upper, by: Int(step)))
        #expect(points.map(\.timestampMillis) == starts)
        // Before the first event nothing was observed: missing, not zero.
        let expected: [Double?] = [nil, nil, 0, 0, 2, 0, 0]
        #expect(points.map(\.value) == expected)
        #expect(points.map(\.sampleCount) == expected)
        // Whole data span by default: 24 five-minute periods.
        #expect(try s.alarmDatapoints(for: stopsAlarm(), range: nil).count == 24)
    }

    @Test func aMetricNoFilterPublishesIsMissingNotZero() throws {
        let s = try lifecycleStore()
        var d = stopsAlarm()
        d.metric.name = "Nothing"
        let end: Int64 = t0 + 9 * minute
        #expect(try s.alarmDatapoints(for: d, range: t0...end).allSatisfy { $0.value == nil })
    }

    @Test func percentilesAndTemplatesAreRejectedByName() throws {
        let s = try lifecycleStore()
        var d = stopsAlarm()
        d.statistic = .percentile(99)
        #expect(throws: AlarmRunnerError.percentileUnsupported(alarm: "stops", statistic: "p99")) { try s.alarmDatapoints(for: d, range: nil) }
        #expect(throws: AlarmRunnerError.template("t")) {
            try s.alarmDatapoints(for: stopsAlarm("t", dimensions: [MetricDimension(name: "InstanceId", value: "*")]), range: nil)
        }
    }

    @Test func backtestGivesTheTransitionsAndPersistsNothing() throws {
        let s = try lifecycleStore()
        try s.putAlarm(stopsAlarm(), nowMillis: 1)
        let timeline = try s.backtestAlarm(named: "stops")
        // Evaluations at every 5-minute end from 00:05 to 01:55 (the newest event is at 01:59:05).
        #expect(timeline.evaluations == 23)
        #expect(timeline.changes.map { "\($0.evaluatedAtMillis - t0) \($0.previousState.rawValue)->\($0.newState.rawValue)" } == [
            "\(5 * minute) INSUFFICIENT_DATA->OK", "\(15 * minute) OK->ALARM", "\(20 * minute) ALARM->OK",
        ])
        #expect(try s.alarm(named: "stops")?.status == AlarmStatus())
        #expect(throws: AlarmRunnerError.unknownAlarm("stop", near: ["stops"])) { try s.backtestAlarm(named: "stop") }
    }

    @Test func liveRunDeliversOnceWithContributorsAndResumesWithoutDuplicates() throws {
        let s = try lifecycleStore()
        try s.putAlarm(stopsAlarm(), nowMillis: 1)
        var delivered: [AlarmNotification] = []
        let options = AlarmRunOptions { n, sinks in
            delivered.append(n)
            return sinks.map { ActionResult(sink: $0, outcome: .ok, detail: "test", attempts: 1, durationMillis: 0) }
        }
        let first = try s.runAlarm(named: "stops", until: t0 + 30 * minute, options: options, nowMillis: 2)
        // INSUFFICIENT_DATA -> OK is a quiet start; ALARM and its recovery are delivered.
        #expect(first.first?.quietStarts == 1)
        #expect(delivered.map { "\($0.oldStateValue.rawValue)->\($0.newStateValue.rawValue)" } == ["OK->ALARM", "ALARM->OK"])
        let top = delivered[0].contributors ?? []
        #expect(top.map(\.name) == ["principal", "sourceIPAddress", "eventName"])
        #expect(top[1].top == [Alarms.Contributor(value: "203.0.113.9", count: 2)])
        #expect(top[2].top == [Alarms.Contributor(value: "StopInstances", count: 2)])
        #expect(delivered[1].contributors == nil)
        #expect(try s.alarm(named: "stops")?.status.lastEvaluationMillis == t0 + 30 * minute)

        // Restart over the same data: nothing new. Later: the rest, still nothing (one stop < 2).
        #expect(try s.runAlarm(named: "stops", until: t0 + 30 * minute, options: options, nowMillis: 3).isEmpty)
        let rest = try s.runAlarm(named: "stops", options: options, nowMillis: 4)
        #expect(rest.first?.evaluations == 17 && delivered.count == 2)
        let history = try s.alarmHistory(name: "stops")
        #expect(history.map(\.kind) == [.configurationUpdate, .stateUpdate, .stateUpdate, .action, .stateUpdate, .action])
    }

    @Test func templatesExpandPerDimensionValue() throws {
        let s = try lifecycleStore()
        let template = stopsAlarm("per-instance", dimensions: [MetricDimension(name: "InstanceId", value: "*")])
        try s.putAlarm(template, nowMillis: 1)
        #expect(try s.alarmSeries(of: template).map(\.name) == ["per-instance[InstanceId=i-1]", "per-instance[InstanceId=i-2]"])
        var delivered: [String] = []
        let options = AlarmRunOptions { n, _ in delivered.append("\(n.alarmName) \(n.newStateValue.rawValue)"); return [] }
        _ = try s.runAlarm(named: "per-instance", until: t0 + 16 * minute, options: options, nowMillis: 2)
        #expect(delivered == ["per-instance[InstanceId=i-1] ALARM"])
        #expect(try s.alarm(named: "per-instance")?.status.state == .alarm)
        _ = try s.runAlarm(named: "per-instance", options: options, nowMillis: 3)
        #expect(delivered == ["per-instance[InstanceId=i-1] ALARM", "per-instance[InstanceId=i-1] OK"])
        #expect(try s.alarm(named: "per-instance")?.status.state == .ok)
        #expect(try s.deleteAlarmAndSeries(named: "per-instance") == 3)
        #expect(try s.alarms().isEmpty)
    }
}
