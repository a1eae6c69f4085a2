import CloudTrail
import FilterPatterns
import Testing
import TrailJSON
@testable import EventStore

@Suite struct MetricAggregatorTests {
    @Test func bucketsByMinuteOfEventTime() {
        #expect(MetricAggregator.minute(1_790_823_659_999) == 1_790_823_600_000)
        #expect(MetricAggregator.minute(1_790_823_600_000) == 1_790_823_600_000)
        #expect(MetricAggregator.minute(-1) == -60_000)
        var a = MetricAggregator()
        let m = MetricKey(namespace: "NS", name: "N")
        a.add(filterID: 1, metric: m, timeMillis: 1_000, value: 2)
        a.add(filterID: 1, metric: m, timeMillis: 59_000, value: 5)
        a.add(filterID: 1, metric: m, timeMillis: 61_000, value: 1)
        #expect(a.points[.init(filterID: 1, metric: m, minuteMillis: 0)] == StatisticSet(sampleCount: 2, sum: 7, minimum: 2, maximum: 5))
        #expect(a.points[.init(filterID: 1, metric: m, minuteMillis: 60_000)] == StatisticSet(value: 1))
    }

    @Test func statisticsFromSets() {
        var s = StatisticSet(value: 4)
        s.merge(StatisticSet(sampleCount: 3, sum: 6, minimum: 1, maximum: 3))
        #expect(s.value(of: .sampleCount) == 4 && s.value(of: .sum) == 10 && s.value(of: .average) == 2.5)
        #expect(s.value(of: .minimum) == 1 && s.value(of: .maximum) == 4)
    }

    @Test func dimensionsAreCanonical() {
        let a = MetricKey(namespace: "NS", name: "N", dimensions: [Dimension(name: "b", value: "2"), Dimension(name: "a", value: "1\"")])
        #expect(a.dimensionsJSON == #"{"a":"1\"","b":"2"}"#)
    }
}

@Suite struct MetricFilterStoreTests {
    let stop = #"{"eventID":"s1","eventTime":"2026-10-01T03:00:10Z","eventName":"StopInstances","requestParameters":{"instancesSet":{"items":[{"instanceId":"i-1"}]}}}"#
    let stop2 = #"{"eventID":"s2","eventTime":"2026-10-01T03:00:50Z","eventName":"StopInstances","requestParameters":{"instancesSet":{"items":[{"instanceId":"i-2"}]}}}"#
    let start = #"{"eventID":"t1","eventTime":"2026-10-01T03:07:00Z","eventName":"StartInstances"}"#

    func store(with records: [String]) throws -> TrailStore {
        let s = try TrailStore(path: temporaryDatabasePath())
        let w = try EventWriter(store: s)
        try s.begin()
        _ = try w.insert(batch(records), log: "cloudtrail", sourceID: nil, ingestionMillis: 1)
        try s.commit()
        return s
    }

    @Test func putUpdateListDelete() throws {
        let s = try store(with: [])
        let d = MetricFilterDefinition(name: "stops", pattern: #"{ $.eventName = "StopInstances" }"#, namespace: "EC2", metricName: "Stops")
        #expect(try s.putFilter(d, nowMillis: 1) == .created)
        #expect(try s.putFilter(d, nowMillis: 2) == .unchanged)
        var d2 = d
        d2.dimensions = ["InstanceId": "$.requestParameters.instancesSet.items[0].instanceId"]
        #expect(try s.putFilter(d2, nowMillis: 3) == .updated)
        #expect(try s.filters().map(\.definition) == [d2])
        #expect(try s.deleteFilter(named: "stops"))
        #expect(try s.filters().isEmpty && !(try s.deleteFilter(named: "stops")))
    }

    @Test func invalidPatternsNeverReachTheStore() throws {
        let s = try store(with: [])
        let bad = MetricFilterDefinition(name: "bad", pattern: #"{ $.eventName = "StopInstances }"#, namespace: "EC2", metricName: "Stops")
        #expect(throws: FilterPatternError.self) { try s.putFilter(bad, nowMillis: 1) }
        #expect(try s.filters().isEmpty)
    }

    @Test func backfillCountsPerMinuteWithDimensionsAndIsIdempotent() throws {
        let s = try store(with: [stop, stop2, start])
        try s.putFilter(MetricFilterDefinition(name: "stops", pattern: #"{ $.eventName = "StopInstances" }"#, namespace: "EC2", metricName: "Stops",
                                               dimensions: ["InstanceId": "$.requestParameters.instancesSet.items[0].instanceId"]), nowMillis: 1)
        try s.putFilter(MetricFilterDefinition(name: "all", pattern: "", namespace: "EC2", metricName: "Events"), nowMillis: 1)
        let first = try s.backfill(try s.filters(), sinceMillis: nil, untilMillis: nil)
        #expect(first.events == 3 && first.matches == 5)
        let again = try s.backfill(try s.filters(), sinceMillis: nil, untilMillis: nil)
        #expect(again == first)
        let i1 = MetricKey(namespace: "EC2", name: "Stops", dimensions: [Dimension(name: "InstanceId", value: "i-1")])
        let series = try s.series(i1, periodMillis: 300_000, startMillis: nil, endMillis: nil)
        #expect(series.count == 1 && series[0].1.sampleCount == 1 && series[0].0 == 1_790_823_600_000)
        let all = try s.series(MetricKey(namespace: "EC2", name: "Events"), periodMillis: 300_000, startMillis: nil, endMillis: nil)
        #expect(all.map(\.1.sampleCount) == [2, 1])
        #expect(try s.metrics().count == 3)
    }

    @Test func nonNumericValuesAreCountedAsErrors() throws {
        let s = try store(with: [stop])
        try s.putFilter(MetricFilterDefinition(name: "v", pattern: #"{ $.eventName = "StopInstances" }"#, namespace: "EC2", metricName: "V",
                                               metricValue: "$.eventName"), nowMillis: 1)
        let summary = try s.backfill(try s.filters(), sinceMillis: nil, untilMillis: nil)
        #expect(summary.matches == 0 && summary.valueErrors == 1)
        #expect(try s.valueErrors().values.first?.count == 1)
        #expect(try s.metrics().isEmpty)
    }
}

@Suite struct DefaultValueTests {
    @Test func nonMatchingEventsPublishTheDefaultValue() throws {
        let s = try TrailStore(path: temporaryDatabasePath())
        let w = try EventWriter(store: s)
        try s.begin()
        _ = try w.insert(batch([
            #"{"eventID":"a","eventTime":"2026-10-01T03:00:00Z","eventName":"StopInstances"}"#,
            #"{"eventID":"b","eventTime":"2026-10-01T03:00:30Z","eventName":"DescribeInstances"}"#,
            #"{"eventID":"c","eventTime":"2026-10-01T03:06:00Z","eventName":"DescribeInstances"}"#,
        ]), log: "cloudtrail", sourceID: nil, ingestionMillis: 1)
        try s.commit()
        try s.putFilter(MetricFilterDefinition(name: "stops", pattern: #"{ $.eventName = "StopInstances" }"#, namespace: "EC2",
                                               metricName: "Stops", defaultValue: 0), nowMillis: 1)
        _ = try s.backfill(try s.filters(), sinceMillis: nil, untilMillis: nil)
        let series = try s.series(MetricKey(namespace: "EC2", name: "Stops"), periodMillis: 300_000, startMillis: nil, endMillis: nil)
        // A datapoint exists for the quiet period too: 0, not missing.
        #expect(series.map { $0.1.sum } == [1, 0])
        #expect(series.map { $0.1.sampleCount } == [2, 1])
    }
}
