import FilterPatterns
import TrailJSON

/// A metric's identity, as CloudWatch has it: namespace, name and the full dimension set.
public struct MetricKey: Sendable, Hashable, Comparable {
    public var namespace: String
    public var name: String
    /// Sorted by name.
    public var dimensions: [Dimension]
    public var unit: String?

    public init(namespace: String, name: String, dimensions: [Dimension] = [], unit: String? = nil) {
        self.namespace = namespace
        self.name = name
        self.dimensions = dimensions.sorted { $0.name < $1.name }
        self.unit = unit
    }

    /// Canonical JSON of the dimensions (sorted keys), the form stored in `metrics.dimensions`.
    public var dimensionsJSON: String {
        "{" + dimensions.map { JSONValue.quoted($0.name) + ":" + JSONValue.quoted($0.value) }.joined(separator: ",") + "}"
    }

    public static func < (a: MetricKey, b: MetricKey) -> Bool {
        (a.namespace, a.name, a.dimensionsJSON) < (b.namespace, b.name, b.dimensionsJSON)
    }
}

/// SampleCount, Sum, Minimum and Maximum of the values in one period: every CloudWatch statistic
/// but percentiles can be derived from these, over any longer period.
public struct StatisticSet: Sendable, Equatable {
    public var sampleCount: Int
    public var sum: Double
    public var minimum: Double
    public var maximum: Double

    public init(value: Double) {
        sampleCount = 1
        sum = value
        minimum = value
        maximum = value
    }

    public init(sampleCount: Int, sum: Double, minimum: Double, maximum: Double) {
        self.sampleCount = sampleCount
        self.sum = sum
        self.minimum = minimum
        self.maximum = maximum
    }

    public mutating func add(_ value: Double) { merge(StatisticSet(value: value)) }

    public mutating func merge(_ other: StatisticSet) {
        sampleCount += other.sampleCount
        sum += other.sum
        minimum = Swift.min(minimum, other.minimum)
        maximum = Swift.max(maximum, other.maximum)
    }

    public var average: Double { sampleCount > 0 ? sum / Double(sampleCount) : .nan }

    public func value(of statistic: Statistic) -> Double {
        switch statistic {
        case .sampleCount: Double(sampleCount)
        case .sum: sum
        case .average: average
        case .minimum: minimum
        case .maximum: maximum
        }
    }
}

/// The statistics a statistic set answers exactly.
public enum Statistic: String, Sendable, CaseIterable {
    case sampleCount = "SampleCount", sum = "Sum", average = "Average", minimum = "Minimum", maximum = "Maximum"
}

/// Folds matched values into per-minute statistic sets, per filter and metric, until they are
/// written to the store. Pure: the ingest writer and backfill share it.
public struct MetricAggregator: Sendable {
    public struct PointKey: Sendable, Hashable {
        public var filterID: Int64
        public var metric: MetricKey
        public var minuteMillis: Int64
    }

    public struct ErrorKey: Sendable, Hashable {
        public var filterID: Int64
        public var minuteMillis: Int64
    }

    public private(set) var points: [PointKey: StatisticSet] = [:]
    public private(set) var errors: [ErrorKey: (count: Int, reason: String)] = [:]

    public init() {}

    public var isEmpty: Bool { points.isEmpty && errors.isEmpty }

    public static func minute(_ millis: Int64) -> Int64 { millis - ((millis % 60_000) + 60_000) % 60_000 }

    public mutating func add(filterID: Int64, metric: MetricKey, timeMillis: Int64, value: Double) {
        let key = PointKey(filterID: filterID, metric: metric, minuteMillis: Self.minute(timeMillis))
        if points[key] != nil { points[key]!.add(value) } else { points[key] = StatisticSet(value: value) }
    }

    public mutating func addError(filterID: Int64, timeMillis: Int64, reason: String) {
        let key = ErrorKey(filterID: filterID, minuteMillis: Self.minute(timeMillis))
        errors[key, default: (0, reason)].count += 1
    }

    public mutating func removeAll() {
        points.removeAll(keepingCapacity: true)
        errors.removeAll(keepingCapacity: true)
    }
}
