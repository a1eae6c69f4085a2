/// The JSON message CloudWatch publishes to SNS on a state change, plus `Contributors` (ours:
/// the top principals, source IPs, event names… of the breaching periods, supplied by the caller).
/// Property names follow the wire format, so `JSONDecoder` reads `jsonString()` back.
public struct AlarmNotification: Codable, Hashable, Sendable {
    public var alarmName: String
    public var alarmDescription: String?
    public var awsAccountId: String?
    public var newStateValue: AlarmState
    public var newStateReason: String
    /// `yyyy-MM-dd'T'HH:mm:ss.SSS+0000`.
    public var stateChangeTime: String
    public var region: String?
    public var oldStateValue: AlarmState
    public var trigger: Trigger
    public var contributors: [ContributorGroup]?

    enum CodingKeys: String, CodingKey {
        case alarmName = "AlarmName", alarmDescription = "AlarmDescription", awsAccountId = "AWSAccountId"
        case newStateValue = "NewStateValue", newStateReason = "NewStateReason", stateChangeTime = "StateChangeTime"
        case region = "Region", oldStateValue = "OldStateValue", trigger = "Trigger", contributors = "Contributors"
    }

    public init(definition: AlarmDefinition, change: StateChange, accountId: String? = nil, region: String? = nil,
                contributors: [ContributorGroup]? = nil) {
        alarmName = definition.name
        alarmDescription = definition.description
        awsAccountId = accountId
        newStateValue = change.newState
        newStateReason = change.reason
        stateChangeTime = CloudWatchFormat.timestamp(change.stateChangeMillis)
        self.region = region
        oldStateValue = change.oldState
        trigger = Trigger(definition)
        self.contributors = contributors
    }

    /// The payload as CloudWatch lays it out: its key order, `null` for absent description,
    /// account, region and unit, numbers printed as CloudWatch prints them. Deterministic.
    public func jsonString() -> String { ordered.render() }

    var ordered: OrderedJSON {
        var members: [(String, OrderedJSON)] = [
            ("AlarmName", .string(alarmName)),
            ("AlarmDescription", .optional(alarmDescription)),
            ("AWSAccountId", .optional(awsAccountId)),
            ("NewStateValue", .string(newStateValue.rawValue)),
            ("NewStateReason", .string(newStateReason)),
            ("StateChangeTime", .string(stateChangeTime)),
            ("Region", .optional(region)),
            ("OldStateValue", .string(oldStateValue.rawValue)),
            ("Trigger", trigger.ordered),
        ]
        if let contributors {
            members.append(("Contributors", .array(contributors.map { g in
                .object([("Name", .string(g.name)),
                         ("Top", .array(g.top.map { .object([("Value", .string($0.value)), ("Count", .integer($0.count))]) }))])
            })))
        }
        return .object(members)
    }
}

/// The most frequent values of one field among the events of the breaching periods.
public struct ContributorGroup: Codable, Hashable, Sendable {
    /// What was counted: `principal`, `sourceIPAddress`, `eventName`, …
    public var name: String
    /// Most frequent first.
    public var top: [Contributor]

    enum CodingKeys: String, CodingKey { case name = "Name", top = "Top" }

    public init(name: String, top: [Contributor]) {
        self.name = name
        self.top = top
    }
}

public struct Contributor: Codable, Hashable, Sendable {
    public var value: String
    public var count: Int64

    enum CodingKeys: String, CodingKey { case value = "Value", count = "Count" }

    public init(value: String, count: Int64) {
        self.value = value
        self.count = count
    }
}

/// The alarm's configuration as the notification reports it. Static alarms use CloudWatch's
/// single-metric layout; band alarms its metric-math layout (`Metrics` with the
/// `ANOMALY_DETECTION_BAND` expression labelled with our model name, and `ThresholdMetricId`).
public struct Trigger: Codable, Hashable, Sendable {
    public var metricName: String?
    public var namespace: String?
    /// `Statistic` or `ExtendedStatistic` (percentiles).
    public var statisticType: String?
    public var statistic: String?
    public var extendedStatistic: String?
    public var unit: String?
    public var dimensions: [TriggerDimension]?
    /// Seconds.
    public var period: Int64
    public var evaluationPeriods: Int
    public var datapointsToAlarm: Int
    public var comparisonOperator: ComparisonOperator
    public var threshold: Double?
    public var thresholdMetricId: String?
    public var treatMissingData: TreatMissingData
    /// `""` unless set, as CloudWatch sends it.
    public var evaluateLowSampleCountPercentile: String
    public var metrics: [TriggerMetric]?

    enum CodingKeys: String, CodingKey {
        case metricName = "MetricName", namespace = "Namespace", statisticType = "StatisticType", statistic = "Statistic"
        case extendedStatistic = "ExtendedStatistic", unit = "Unit", dimensions = "Dimensions", period = "Period"
        case evaluationPeriods = "EvaluationPeriods", datapointsToAlarm = "DatapointsToAlarm"
        case comparisonOperator = "ComparisonOperator", threshold = "Threshold", thresholdMetricId = "ThresholdMetricId"
        case treatMissingData = "TreatMissingData", evaluateLowSampleCountPercentile = "EvaluateLowSampleCountPercentile"
        case metrics = "Metrics"
    }

    /// The band expression's id, as in CloudWatch's documented examples.
    public static let bandExpressionId = "ad1"

    public init(_ def: AlarmDefinition) {
        period = def.periodMillis / 1000
        evaluationPeriods = def.evaluationPeriods
        datapointsToAlarm = def.effectiveDatapointsToAlarm
        comparisonOperator = def.comparisonOperator
        treatMissingData = def.treatMissingData
        evaluateLowSampleCountPercentile = def.evaluateLowSampleCountPercentile?.rawValue ?? ""
        let dims = def.metric.dimensions.map { TriggerDimension(value: $0.value, name: $0.name) }
        switch def.condition {
        case .threshold(let t):
            metricName = def.metric.name
            namespace = def.metric.namespace
            if def.statistic.isPercentile {
                statisticType = "ExtendedStatistic"
                extendedStatistic = def.statistic.description
            } else {
                statisticType = "Statistic"
                statistic = def.statistic.notificationName
            }
            unit = def.unit
            dimensions = dims
            threshold = t
        case .band(let b):
            thresholdMetricId = Trigger.bandExpressionId
            metrics = [
                TriggerMetric(expression: "ANOMALY_DETECTION_BAND(m1, \(Trigger.compact(b.width)))", id: Trigger.bandExpressionId,
                              label: b.model, metricStat: nil, returnData: true),
                TriggerMetric(expression: nil, id: "m1", label: nil,
                              metricStat: TriggerMetricStat(metric: TriggerMetricName(dimensions: dims, metricName: def.metric.name, namespace: def.metric.namespace),
                                                            period: period, stat: def.statistic.description, unit: def.unit),
                              returnData: true),
            ]
        }
    }

    static func compact(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : x.description
    }

    var ordered: OrderedJSON {
        var m: [(String, OrderedJSON)] = []
        if let metricName { m.append(("MetricName", .string(metricName))) }
        if let namespace { m.append(("Namespace", .string(namespace))) }
        if let statisticType { m.append(("StatisticType", .string(statisticType))) }
        if let statistic { m.append(("Statistic", .string(statistic))) }
        if let extendedStatistic { m.append(("ExtendedStatistic", .string(extendedStatistic))) }
        if metricName != nil { m.append(("Unit", .optional(unit))) }
        if let dimensions { m.append(("Dimensions", .array(dimensions.map(\.ordered)))) }
        m.append(("Period", .integer(period)))
        m.append(("EvaluationPeriods", .integer(Int64(evaluationPeriods))))
        m.append(("DatapointsToAlarm", .integer(Int64(datapointsToAlarm))))
        m.append(("ComparisonOperator", .string(comparisonOperator.rawValue)))
        if let threshold { m.append(("Threshold", .number(threshold))) }
        if let thresholdMetricId { m.append(("ThresholdMetricId", .string(thresholdMetricId))) }
        m.append(("TreatMissingData", .string(treatMissingData.rawValue)))
        m.append(("EvaluateLowSampleCountPercentile", .string(evaluateLowSampleCountPercentile)))
        if let metrics { m.append(("Metrics", .array(metrics.map(\.ordered)))) }
        return .object(m)
    }
}

/// CloudWatch writes dimensions in notifications as `{"value": …, "name": …}`.
public struct TriggerDimension: Codable, Hashable, Sendable {
    public var value: String
    public var name: String

    var ordered: OrderedJSON { .object([("value", .string(value)), ("name", .string(name))]) }
}

public struct TriggerMetric: Codable, Hashable, Sendable {
    public var expression: String?
    public var id: String
    public var label: String?
    public var metricStat: TriggerMetricStat?
    public var returnData: Bool

    enum CodingKeys: String, CodingKey {
        case expression = "Expression", id = "Id", label = "Label", metricStat = "MetricStat", returnData = "ReturnData"
    }

    var ordered: OrderedJSON {
        var m: [(String, OrderedJSON)] = []
        if let expression { m.append(("Expression", .string(expression))) }
        m.append(("Id", .string(id)))
        if let label { m.append(("Label", .string(label))) }
        if let metricStat { m.append(("MetricStat", metricStat.ordered)) }
        m.append(("ReturnData", .bool(returnData)))
        return .object(m)
    }
}

public struct TriggerMetricStat: Codable, Hashable, Sendable {
    public var metric: TriggerMetricName
    public var period: Int64
    public var stat: String
    public var unit: String?

    enum CodingKeys: String, CodingKey { case metric = "Metric", period = "Period", stat = "Stat", unit = "Unit" }

    var ordered: OrderedJSON {
        var m: [(String, OrderedJSON)] = [("Metric", metric.ordered), ("Period", .integer(period)), ("Stat", .string(stat))]
        if let unit { m.append(("Unit", .string(unit))) }
        return .object(m)
    }
}

public struct TriggerMetricName: Codable, Hashable, Sendable {
    public var dimensions: [TriggerDimension]
    public var metricName: String
    public var namespace: String

    enum CodingKeys: String, CodingKey { case dimensions = "Dimensions", metricName = "MetricName", namespace = "Namespace" }

    var ordered: OrderedJSON {
        .object([("Dimensions", .array(dimensions.map(\.ordered))), ("MetricName", .string(metricName)), ("Namespace", .string(namespace))])
    }
}
