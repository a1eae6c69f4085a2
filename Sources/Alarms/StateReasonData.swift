/// One datapoint named in a state reason, as in CloudWatch's `evaluatedDatapoints`.
public struct EvaluatedDatapoint: Codable, Hashable, Sendable {
    /// `yyyy-MM-dd'T'HH:mm:ss.SSS+0000`, the period start.
    public var timestamp: String
    public var sampleCount: Double?
    /// nil for a missing period that was filled (treated as breaching or not breaching).
    public var value: Double?
    /// Band alarms: the bound the value was compared with.
    public var threshold: Double?

    public init(timestamp: String, sampleCount: Double? = nil, value: Double? = nil, threshold: Double? = nil) {
        self.timestamp = timestamp
        self.sampleCount = sampleCount
        self.value = value
        self.threshold = threshold
    }
}

/// CloudWatch's `StateReasonData`: the machine-readable half of a state reason.
public struct StateReasonData: Codable, Hashable, Sendable {
    public var version: String
    public var queryDate: String
    public var startDate: String?
    /// Static alarms only (CloudWatch omits it for anomaly-band alarms).
    public var statistic: String?
    /// Seconds.
    public var period: Int64
    /// Values of the evaluated real datapoints, oldest first.
    public var recentDatapoints: [Double]
    /// Band alarms: the band edges for `recentDatapoints`, only those the operator uses.
    public var recentLowerThresholds: [Double]?
    public var recentUpperThresholds: [Double]?
    /// Static alarms only.
    public var threshold: Double?
    /// The datapoints the reason names, newest first.
    public var evaluatedDatapoints: [EvaluatedDatapoint]?

    public init(version: String = "1.0", queryDate: String, startDate: String? = nil, statistic: String? = nil, period: Int64,
                recentDatapoints: [Double], recentLowerThresholds: [Double]? = nil, recentUpperThresholds: [Double]? = nil,
                threshold: Double? = nil, evaluatedDatapoints: [EvaluatedDatapoint]? = nil) {
        self.version = version
        self.queryDate = queryDate
        self.startDate = startDate
        self.statistic = statistic
        self.period = period
        self.recentDatapoints = recentDatapoints
        self.recentLowerThresholds = recentLowerThresholds
        self.recentUpperThresholds = recentUpperThresholds
        self.threshold = threshold
        self.evaluatedDatapoints = evaluatedDatapoints
    }

    /// The JSON string CloudWatch stores in `StateReasonData`: its key order, absent fields left
    /// out, numbers printed as CloudWatch prints them (`50.0`).
    public func jsonString() -> String { ordered.render() }

    var ordered: OrderedJSON {
        var members: [(String, OrderedJSON)] = [("version", .string(version)), ("queryDate", .string(queryDate))]
        if let startDate { members.append(("startDate", .string(startDate))) }
        if let statistic { members.append(("statistic", .string(statistic))) }
        members.append(("period", .integer(period)))
        members.append(("recentDatapoints", .array(recentDatapoints.map(OrderedJSON.number))))
        if let recentLowerThresholds { members.append(("recentLowerThresholds", .array(recentLowerThresholds.map(OrderedJSON.number)))) }
        if let recentUpperThresholds { members.append(("recentUpperThresholds", .array(recentUpperThresholds.map(OrderedJSON.number)))) }
        if let threshold { members.append(("threshold", .number(threshold))) }
        if let evaluatedDatapoints {
            members.append(("evaluatedDatapoints", .array(evaluatedDatapoints.map { p in
                var m: [(String, OrderedJSON)] = [("timestamp", .string(p.timestamp))]
                if let s = p.sampleCount { m.append(("sampleCount", .number(s))) }
                if let v = p.value { m.append(("value", .number(v))) }
                if let t = p.threshold { m.append(("threshold", .number(t))) }
                return .object(m)
            })))
        }
        return .object(members)
    }
}
