/// A metric dimension, `name=value`.
public struct MetricDimension: Codable, Hashable, Sendable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// The metric an alarm watches: namespace, name and dimensions, as in CloudWatch.
public struct AlarmMetric: Codable, Hashable, Sendable {
    public var namespace: String
    public var name: String
    public var dimensions: [MetricDimension]

    public init(namespace: String, name: String, dimensions: [MetricDimension] = []) {
        self.namespace = namespace
        self.name = name
        self.dimensions = dimensions
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        namespace = try c.decode(String.self, forKey: .namespace)
        name = try c.decode(String.self, forKey: .name)
        dimensions = try c.decodeIfPresent([MetricDimension].self, forKey: .dimensions) ?? []
    }
}

/// The statistic applied to each period: the five standard ones or a percentile (`p99`, `p99.9`).
public enum AlarmStatistic: Hashable, Sendable, Codable, CustomStringConvertible {
    case sampleCount, average, sum, minimum, maximum
    /// A percentile in (0, 100].
    case percentile(Double)

    /// Parses CloudWatch's spelling (`SampleCount`, `Average`, `Sum`, `Minimum`, `Maximum`,
    /// `pNN[.NN]`); case-insensitive so `--stat sum` works on the command line.
    public init(parsing text: String) throws(AlarmDefinitionError) {
        switch text.lowercased() {
        case "samplecount": self = .sampleCount
        case "average", "avg": self = .average
        case "sum": self = .sum
        case "minimum", "min": self = .minimum
        case "maximum", "max": self = .maximum
        default:
            let lower = text.lowercased()
            guard lower.hasPrefix("p"), let p = Double(lower.dropFirst()), lower.dropFirst().allSatisfy({ $0.isNumber || $0 == "." }) else {
                throw .invalidStatistic(text)
            }
            guard p > 0, p <= 100 else { throw .invalidPercentile(text) }
            self = .percentile(p)
        }
    }

    public var description: String {
        switch self {
        case .sampleCount: "SampleCount"
        case .average: "Average"
        case .sum: "Sum"
        case .minimum: "Minimum"
        case .maximum: "Maximum"
        case .percentile(let p): "p" + (p == p.rounded() && abs(p) < 1e15 ? String(Int(p)) : p.description)
        }
    }

    /// The spelling in SNS notifications (`SUM`, `SAMPLE_COUNT`); percentiles keep `pNN`.
    public var notificationName: String {
        switch self {
        case .sampleCount: "SAMPLE_COUNT"
        case .average: "AVERAGE"
        case .sum: "SUM"
        case .minimum: "MINIMUM"
        case .maximum: "MAXIMUM"
        case .percentile: description
        }
    }

    public var isPercentile: Bool {
        if case .percentile = self { return true }
        return false
    }

    /// Fewest samples a period needs before a percentile is statistically significant, per the
    /// CloudWatch guide: 10/(1−p) for p in [0.5, 1), 10/p for p in (0, 0.5). nil when not a
    /// percentile or p = 100 (a maximum needs no sample floor).
    public var lowSampleCountThreshold: Double? {
        guard case .percentile(let pct) = self else { return nil }
        let p = pct / 100
        if p >= 1 { return nil }
        return p >= 0.5 ? 10 / (1 - p) : 10 / p
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { self = try AlarmStatistic(parsing: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// CloudWatch's comparison operators. The first four compare with a static threshold, the last
/// three with an anomaly-detection band.
public enum ComparisonOperator: String, Codable, Hashable, Sendable, CaseIterable {
    case greaterThanOrEqualToThreshold = "GreaterThanOrEqualToThreshold"
    case greaterThanThreshold = "GreaterThanThreshold"
    case lessThanThreshold = "LessThanThreshold"
    case lessThanOrEqualToThreshold = "LessThanOrEqualToThreshold"
    case lessThanLowerOrGreaterThanUpperThreshold = "LessThanLowerOrGreaterThanUpperThreshold"
    case greaterThanUpperThreshold = "GreaterThanUpperThreshold"
    case lessThanLowerThreshold = "LessThanLowerThreshold"

    public var isBand: Bool {
        switch self {
        case .lessThanLowerOrGreaterThanUpperThreshold, .greaterThanUpperThreshold, .lessThanLowerThreshold: true
        default: false
        }
    }

    /// Accepts CloudWatch's names case-insensitively and the usual symbols (`>=`, `>`, `<`, `<=`).
    public init(parsing text: String) throws(AlarmDefinitionError) {
        switch text {
        case ">=": self = .greaterThanOrEqualToThreshold
        case ">": self = .greaterThanThreshold
        case "<": self = .lessThanThreshold
        case "<=": self = .lessThanOrEqualToThreshold
        default:
            guard let op = ComparisonOperator.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
                throw .unknownComparisonOperator(text)
            }
            self = op
        }
    }
}

/// Which anomaly-detection model supplies the band, and how wide it is (k in expected ± k·σ).
public struct BandReference: Codable, Hashable, Sendable {
    public var model: String
    public var width: Double

    public init(model: String, width: Double = 2) {
        self.model = model
        self.width = width
    }
}

/// What a datapoint is compared with.
public enum AlarmCondition: Codable, Hashable, Sendable {
    case threshold(Double)
    case band(BandReference)

    enum CodingKeys: String, CodingKey { case threshold, band }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let t = try c.decodeIfPresent(Double.self, forKey: .threshold) {
            self = .threshold(t)
        } else if let b = try c.decodeIfPresent(BandReference.self, forKey: .band) {
            self = .band(b)
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "an alarm condition needs `threshold` or `band`"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .threshold(let t): try c.encode(t, forKey: .threshold)
        case .band(let b): try c.encode(b, forKey: .band)
        }
    }
}

/// How periods without data are treated (CloudWatch's `TreatMissingData`).
public enum TreatMissingData: String, Codable, Hashable, Sendable, CaseIterable {
    case missing, notBreaching, breaching, ignore

    public init(parsing text: String) throws(AlarmDefinitionError) {
        guard let v = TreatMissingData.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
            throw .unknownTreatMissingData(text)
        }
        self = v
    }
}

/// CloudWatch's `EvaluateLowSampleCountPercentile`: what a percentile alarm does when a period
/// has too few samples for the percentile to mean anything.
public enum LowSampleCountPolicy: String, Codable, Hashable, Sendable {
    /// Evaluate anyway (CloudWatch's default).
    case evaluate
    /// Keep the current state.
    case ignore
}

/// Beyond CloudWatch, off by default: limits on how often a flapping alarm notifies. The state
/// machine itself is unchanged (every transition is still recorded); only notifications are held
/// back.
public struct NotificationPolicy: Codable, Hashable, Sendable {
    /// After an ALARM notification, no further ALARM notification until this much time has
    /// passed. A transition to ALARM inside the window is recorded but not announced; if the alarm
    /// is still in ALARM when the window ends, it is announced then.
    public var cooldownMillis: Int64?
    /// Re-arm: an ALARM notification opens an excursion, during which nothing is announced. The
    /// excursion closes once the alarm has stayed out of ALARM for this long, and the state it
    /// is then in (OK or INSUFFICIENT_DATA) is announced. At most one ALARM and one all-clear
    /// notification per excursion.
    public var rearmAfterMillis: Int64?

    public init(cooldownMillis: Int64? = nil, rearmAfterMillis: Int64? = nil) {
        self.cooldownMillis = cooldownMillis
        self.rearmAfterMillis = rearmAfterMillis
    }

    public var isDefault: Bool { cooldownMillis == nil && rearmAfterMillis == nil }
}

/// A metric alarm: CloudWatch's `PutMetricAlarm` model for one metric, plus two opt-in
/// extensions (`notificationPolicy`, `minimumVolume`).
public struct AlarmDefinition: Codable, Hashable, Sendable {
    public var name: String
    public var description: String?
    public var metric: AlarmMetric
    public var statistic: AlarmStatistic
    /// Period length in milliseconds: 10, 20 or 30 s, or a multiple of 60 s.
    public var periodMillis: Int64
    /// N.
    public var evaluationPeriods: Int
    /// M; nil means N (CloudWatch's default when it is omitted).
    public var datapointsToAlarm: Int?
    public var comparisonOperator: ComparisonOperator
    public var condition: AlarmCondition
    public var treatMissingData: TreatMissingData
    /// Only for percentile statistics; nil behaves as `evaluate`.
    public var evaluateLowSampleCountPercentile: LowSampleCountPolicy?
    /// The metric's unit, reported in notifications; nil is CloudWatch's "no unit given".
    public var unit: String?
    /// Sink strings (`stdout`, `file:PATH`, `exec:CMD`, `webhook:URL`), parsed by AlarmActions.
    public var actions: [String]
    /// Whether actions run at all (CloudWatch's `ActionsEnabled`).
    public var actionsEnabled: Bool
    public var notificationPolicy: NotificationPolicy
    /// Minimum-volume gate: a period counts as breaching only if its volume is at least this.
    /// Volume is the datapoint's `volume`, else its `sampleCount`, else its value. Keeps rate-like
    /// and band alarms quiet when a handful of events makes a ratio or a count look extreme.
    public var minimumVolume: Double?

    public init(name: String, description: String? = nil, metric: AlarmMetric, statistic: AlarmStatistic,
                periodMillis: Int64, evaluationPeriods: Int, datapointsToAlarm: Int? = nil,
                comparisonOperator: ComparisonOperator, condition: AlarmCondition,
                treatMissingData: TreatMissingData = .missing,
                evaluateLowSampleCountPercentile: LowSampleCountPolicy? = nil, unit: String? = nil,
                actions: [String] = [], actionsEnabled: Bool = true,
                notificationPolicy: NotificationPolicy = NotificationPolicy(), minimumVolume: Double? = nil) {
        self.name = name
        self.description = description
        self.metric = metric
        self.statistic = statistic
        self.periodMillis = periodMillis
        self.evaluationPeriods = evaluationPeriods
        self.datapointsToAlarm = datapointsToAlarm
        self.comparisonOperator = comparisonOperator
        self.condition = condition
        self.treatMissingData = treatMissingData
        self.evaluateLowSampleCountPercentile = evaluateLowSampleCountPercentile
        self.unit = unit
        self.actions = actions
        self.actionsEnabled = actionsEnabled
        self.notificationPolicy = notificationPolicy
        self.minimumVolume = minimumVolume
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        metric = try c.decode(AlarmMetric.self, forKey: .metric)
        statistic = try c.decode(AlarmStatistic.self, forKey: .statistic)
        periodMillis = try c.decode(Int64.self, forKey: .periodMillis)
        evaluationPeriods = try c.decode(Int.self, forKey: .evaluationPeriods)
        datapointsToAlarm = try c.decodeIfPresent(Int.self, forKey: .datapointsToAlarm)
        comparisonOperator = try c.decode(ComparisonOperator.self, forKey: .comparisonOperator)
        condition = try c.decode(AlarmCondition.self, forKey: .condition)
        treatMissingData = try c.decodeIfPresent(TreatMissingData.self, forKey: .treatMissingData) ?? .missing
        evaluateLowSampleCountPercentile = try c.decodeIfPresent(LowSampleCountPolicy.self, forKey: .evaluateLowSampleCountPercentile)
        unit = try c.decodeIfPresent(String.self, forKey: .unit)
        actions = try c.decodeIfPresent([String].self, forKey: .actions) ?? []
        actionsEnabled = try c.decodeIfPresent(Bool.self, forKey: .actionsEnabled) ?? true
        notificationPolicy = try c.decodeIfPresent(NotificationPolicy.self, forKey: .notificationPolicy) ?? NotificationPolicy()
        minimumVolume = try c.decodeIfPresent(Double.self, forKey: .minimumVolume)
    }

    /// M, defaulting to N.
    public var effectiveDatapointsToAlarm: Int { datapointsToAlarm ?? evaluationPeriods }

    /// How many periods an evaluation looks at: N + 2. CloudWatch says only that it retrieves
    /// "more data points than N"; every documented example uses N + 2 (5 for N = 3).
    public var evaluationRangePeriods: Int { evaluationPeriods + 2 }

    /// Start times (oldest first) of the periods in the evaluation range of an evaluation at
    /// `evaluationMillis`: the range ends there, so the newest period is
    /// [evaluationMillis − period, evaluationMillis).
    public func evaluationRange(endingAt evaluationMillis: Int64) -> [Int64] {
        let count = max(evaluationRangePeriods, 1)
        return (0..<count).map { evaluationMillis - Int64(count - $0) * periodMillis }
    }

    /// The static threshold, if this is a static alarm.
    public var threshold: Double? {
        if case .threshold(let t) = condition { return t }
        return nil
    }

    /// The band reference, if this is an anomaly-detection alarm.
    public var band: BandReference? {
        if case .band(let b) = condition { return b }
        return nil
    }

    /// Builds the condition from CLI-style inputs: `--threshold X --comparison OP` or
    /// `--model NAME --band K --comparison BAND_OP`.
    public static func condition(comparison: String, threshold: Double?, model: String?, bandWidth: Double?) throws(AlarmDefinitionError) -> (ComparisonOperator, AlarmCondition) {
        let op = try ComparisonOperator(parsing: comparison)
        if op.isBand {
            guard threshold == nil else { throw .thresholdWithBandOperator(op) }
            guard let model else { throw .bandOperatorNeedsBand(op) }
            return (op, .band(BandReference(model: model, width: bandWidth ?? 2)))
        }
        guard model == nil, bandWidth == nil else { throw .bandWithThresholdOperator(op) }
        guard let threshold else { throw .thresholdOperatorNeedsThreshold(op) }
        return (op, .threshold(threshold))
    }

    /// Checks every CloudWatch constraint and our own; throws the first violation.
    public func validate() throws(AlarmDefinitionError) {
        if name.isEmpty { throw .emptyName }
        if name.count > 255 { throw .nameTooLong(name.count) }
        if let d = description, d.count > 1024 { throw .descriptionTooLong(d.count) }
        if metric.namespace.isEmpty { throw .emptyNamespace }
        if metric.name.isEmpty { throw .emptyMetricName }
        if metric.dimensions.count > 30 { throw .tooManyDimensions(metric.dimensions.count) }
        var seen = Set<String>()
        for d in metric.dimensions {
            if d.name.isEmpty || d.value.isEmpty { throw .emptyDimension(d.name) }
            if !seen.insert(d.name).inserted { throw .duplicateDimension(d.name) }
        }

        let validSubMinute: Set<Int64> = [10_000, 20_000, 30_000]
        if periodMillis <= 0 || !(validSubMinute.contains(periodMillis) || periodMillis % 60_000 == 0) {
            throw .invalidPeriod(millis: periodMillis)
        }
        if evaluationPeriods < 1 { throw .evaluationPeriodsNotPositive(evaluationPeriods) }
        if let m = datapointsToAlarm {
            if m < 1 { throw .datapointsToAlarmNotPositive(m) }
            if m > evaluationPeriods { throw .datapointsToAlarmExceedsEvaluationPeriods(datapointsToAlarm: m, evaluationPeriods: evaluationPeriods) }
        }
        let periodSeconds = periodMillis / 1000
        let window = periodSeconds * Int64(evaluationPeriods)
        if window > 604_800 {
            throw .evaluationWindowTooLong(periodSeconds: periodSeconds, evaluationPeriods: evaluationPeriods, limitSeconds: 604_800)
        }
        if periodSeconds < 3_600 && window > 86_400 {
            throw .evaluationWindowTooLong(periodSeconds: periodSeconds, evaluationPeriods: evaluationPeriods, limitSeconds: 86_400)
        }

        switch condition {
        case .threshold(let t):
            if comparisonOperator.isBand { throw .bandOperatorNeedsBand(comparisonOperator) }
            if !t.isFinite { throw .nonFiniteThreshold }
        case .band(let b):
            if !comparisonOperator.isBand { throw .thresholdOperatorNeedsThreshold(comparisonOperator) }
            if b.model.isEmpty { throw .emptyModelName }
            if !(b.width.isFinite && b.width > 0) { throw .invalidBandWidth(b.width) }
            if periodMillis < 60_000 { throw .bandPeriodTooShort(millis: periodMillis) }
        }

        if evaluateLowSampleCountPercentile != nil && !statistic.isPercentile {
            throw .lowSampleCountPolicyNeedsPercentile(statistic.description)
        }
        if let v = minimumVolume, !(v.isFinite && v >= 0) { throw .invalidMinimumVolume(v) }
        if let c = notificationPolicy.cooldownMillis, c <= 0 { throw .invalidCooldown(millis: c) }
        if let r = notificationPolicy.rearmAfterMillis, r < 0 { throw .invalidRearm(millis: r) }
    }
}

/// Why a definition is rejected. Descriptions name the field and the offending value.
public enum AlarmDefinitionError: Error, Hashable, Sendable, CustomStringConvertible {
    case emptyName
    case nameTooLong(Int)
    case descriptionTooLong(Int)
    case emptyNamespace
    case emptyMetricName
    case tooManyDimensions(Int)
    case emptyDimension(String)
    case duplicateDimension(String)
    case invalidStatistic(String)
    case invalidPercentile(String)
    case invalidPeriod(millis: Int64)
    case evaluationPeriodsNotPositive(Int)
    case datapointsToAlarmNotPositive(Int)
    case datapointsToAlarmExceedsEvaluationPeriods(datapointsToAlarm: Int, evaluationPeriods: Int)
    case evaluationWindowTooLong(periodSeconds: Int64, evaluationPeriods: Int, limitSeconds: Int64)
    case unknownComparisonOperator(String)
    case unknownTreatMissingData(String)
    case bandOperatorNeedsBand(ComparisonOperator)
    case thresholdOperatorNeedsThreshold(ComparisonOperator)
    case thresholdWithBandOperator(ComparisonOperator)
    case bandWithThresholdOperator(ComparisonOperator)
    case nonFiniteThreshold
    case emptyModelName
    case invalidBandWidth(Double)
    case bandPeriodTooShort(millis: Int64)
    case lowSampleCountPolicyNeedsPercentile(String)
    case invalidMinimumVolume(Double)
    case invalidCooldown(millis: Int64)
    case invalidRearm(millis: Int64)

    public var description: String {
        switch self {
        case .emptyName: "alarm name is empty"
        case .nameTooLong(let n): "alarm name has \(n) characters; at most 255 are allowed"
        case .descriptionTooLong(let n): "alarm description has \(n) characters; at most 1024 are allowed"
        case .emptyNamespace: "metric namespace is empty"
        case .emptyMetricName: "metric name is empty"
        case .tooManyDimensions(let n): "metric has \(n) dimensions; at most 30 are allowed"
        case .emptyDimension(let name): "dimension \(name.isEmpty ? "with an empty name" : "'\(name)' has an empty value")"
        case .duplicateDimension(let name): "dimension '\(name)' is given twice"
        case .invalidStatistic(let s): "unknown statistic '\(s)'; expected SampleCount, Average, Sum, Minimum, Maximum or pNN"
        case .invalidPercentile(let s): "percentile '\(s)' is out of range; expected p0 < pNN ≤ p100"
        case .invalidPeriod(let ms):
            "period \(Self.seconds(ms)) s is not 10, 20, 30 or a multiple of 60 seconds"
        case .evaluationPeriodsNotPositive(let n): "evaluationPeriods \(n) must be at least 1"
        case .datapointsToAlarmNotPositive(let m): "datapointsToAlarm \(m) must be at least 1"
        case .datapointsToAlarmExceedsEvaluationPeriods(let m, let n): "datapointsToAlarm \(m) exceeds evaluationPeriods \(n)"
        case .evaluationWindowTooLong(let p, let n, let limit):
            limit == 86_400
                ? "period × evaluationPeriods = \(p) s × \(n) = \(p * Int64(n)) s exceeds 86400 s (one day), the limit for periods under one hour"
                : "period × evaluationPeriods = \(p) s × \(n) = \(p * Int64(n)) s exceeds \(limit) s (seven days)"
        case .unknownComparisonOperator(let s):
            "unknown comparison operator '\(s)'; expected one of \(ComparisonOperator.allCases.map(\.rawValue).joined(separator: ", "))"
        case .unknownTreatMissingData(let s): "unknown treatMissingData '\(s)'; expected missing, notBreaching, breaching or ignore"
        case .bandOperatorNeedsBand(let op): "\(op.rawValue) compares with an anomaly band; give a model and a band width, not a threshold"
        case .thresholdOperatorNeedsThreshold(let op): "\(op.rawValue) compares with a static threshold; give a threshold, not a band"
        case .thresholdWithBandOperator(let op): "\(op.rawValue) is a band operator and takes no threshold"
        case .bandWithThresholdOperator(let op): "\(op.rawValue) is a threshold operator and takes no model or band width"
        case .nonFiniteThreshold: "threshold must be a finite number"
        case .emptyModelName: "band alarm has an empty model name"
        case .invalidBandWidth(let w): "band width \(w) must be a positive number"
        case .bandPeriodTooShort(let ms): "band alarms need a period of at least 60 s; got \(Self.seconds(ms)) s"
        case .lowSampleCountPolicyNeedsPercentile(let s): "evaluateLowSampleCountPercentile applies only to percentile statistics, not \(s)"
        case .invalidMinimumVolume(let v): "minimumVolume \(v) must be a non-negative number"
        case .invalidCooldown(let ms): "cool-down \(ms) ms must be positive"
        case .invalidRearm(let ms): "re-arm delay \(ms) ms must not be negative"
        }
    }

    static func seconds(_ ms: Int64) -> String {
        ms % 1000 == 0 ? String(ms / 1000) : String(Double(ms) / 1000)
    }
}
