/// What a metric filter publishes for a matching event.
public enum MetricValue: Sendable, Hashable {
    case constant(Double)
    /// `$.a.b` (JSON patterns) or `$name` / `$7` (space-delimited fields, named or positional).
    case field(String)
    /// `$size`: the event's size in bytes, or the field named `size` when the space-delimited
    /// pattern declares one (as the documented `[…, size]` example does).
    case size
}

/// One metric filter's transformation: where the metric goes and what each match adds.
public struct MetricTransformation: Sendable, Hashable {
    public var namespace: String
    public var name: String
    public var value: MetricValue
    /// Published for a non-matching event (see `publishedValue(for:)`).
    public var defaultValue: Double?
    /// Dimension name → `$.field` or `$name`.
    public var dimensions: [String: String]
    public var unit: String?

    public static let maxDimensions = 3
    public static let maxNameLength = 255
    public static let maxValueLength = 100

    /// CloudWatch's `StandardUnit` values.
    public static let units: [String] = [
        "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
        "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
        "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
        "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second",
        "Count/Second", "None",
    ]

    public init(namespace: String, name: String, value: MetricValue = .constant(1), defaultValue: Double? = nil,
                dimensions: [String: String] = [:], unit: String? = nil) throws(FilterPatternError) {
        try MetricTransformation.checkName(namespace, "metric namespace")
        try MetricTransformation.checkName(name, "metric name")
        switch value {
        case .constant(let d):
            guard d.isFinite else { throw FilterPatternError("metric value must be finite", column: 1, pattern: "\(d)") }
        case .field(let f):
            _ = try MetricTransformation.parseField(f)
        case .size:
            break
        }
        if let d = defaultValue, !d.isFinite {
            throw FilterPatternError("default value must be finite", column: 1, pattern: "\(d)")
        }
        if !dimensions.isEmpty {
            let listed = dimensions.keys.sorted().joined(separator: ", ")
            guard dimensions.count <= MetricTransformation.maxDimensions else {
                throw FilterPatternError("at most \(MetricTransformation.maxDimensions) dimensions are allowed, got \(dimensions.count)",
                                         column: 1, pattern: listed)
            }
            // "If you assign dimensions to a metric created by a metric filter, you can't assign a default value."
            guard defaultValue == nil else {
                throw FilterPatternError("a default value cannot be combined with dimensions", column: 1, pattern: listed)
            }
            for (key, field) in dimensions.sorted(by: { $0.key < $1.key }) {
                guard !key.isEmpty, key.count <= MetricTransformation.maxNameLength else {
                    throw FilterPatternError("dimension names must be 1 to \(MetricTransformation.maxNameLength) characters", column: 1, pattern: key)
                }
                _ = try MetricTransformation.parseField(field)
            }
        }
        if let unit, !MetricTransformation.units.contains(unit) {
            throw FilterPatternError("unknown unit (expected one of \(MetricTransformation.units.joined(separator: ", ")))",
                                     column: 1, pattern: unit)
        }
        self.namespace = namespace
        self.name = name
        self.value = value
        self.defaultValue = defaultValue
        self.dimensions = dimensions
        self.unit = unit
    }

    /// Parses a `metricValue`: a number (`1`, `2.5`, `-3`, `1e3`), `$.selector`, `$size`, or a
    /// space-delimited field (`$bytes`, `$7`).
    public static func parseValue(_ text: String) throws(FilterPatternError) -> MetricValue {
        guard !text.isEmpty else { throw FilterPatternError("empty metric value", column: 1, pattern: text) }
        guard text.count <= maxValueLength else {
            throw FilterPatternError("a metric value may be at most \(maxValueLength) characters", column: maxValueLength + 1, pattern: text)
        }
        if text.hasPrefix("$") {
            if text == "$size" { return .size }
            _ = try parseField(text)
            return .field(text)
        }
        guard let d = NumberLiteral.parse(Array(text.utf8)) else {
            throw FilterPatternError("expected a number, a $.selector, $size or a $field", column: 1, pattern: text)
        }
        return .constant(d)
    }

    /// A field reference in a metric value or dimension.
    enum FieldReference: Sendable, Hashable {
        case json(Selector)
        /// A space-delimited field: a declared name, or a 1-based position (`7`).
        case named(String)
    }

    static func parseField(_ text: String) throws(FilterPatternError) -> FieldReference {
        let bytes = Array(text.utf8)
        do throws(ParseFailure) {
            guard bytes.first == 0x24 else { throw ParseFailure("expected $.selector or $field", at: 0) }
            var lx = PatternLexer(bytes)
            if bytes.count > 1 && (bytes[1] == 0x2E || bytes[1] == 0x5B) {
                let selector = try lx.selector()
                guard lx.atEnd else { throw ParseFailure("unexpected text after the selector", at: lx.i) }
                guard !selector.hasWildcard else {
                    throw ParseFailure("metric values and dimensions cannot use wildcard selectors", at: 0)
                }
                return .json(selector)
            }
            lx.i = 1
            if let name = lx.identifier(), lx.atEnd { return .named(name) }
            lx.i = 1
            while let b = lx.peek(), b >= 0x30, b <= 0x39 { lx.i += 1 }
            if lx.i > 1, lx.atEnd, let n = Int(text.dropFirst()), n >= 1 { return .named(String(n)) }
            throw ParseFailure("expected $.selector, or $ followed by a field name or position", at: 0)
        } catch {
            throw error.error(in: text)
        }
    }

    private static func checkName(_ s: String, _ what: String) throws(FilterPatternError) {
        guard !s.isEmpty else { throw FilterPatternError("\(what) must not be empty", column: 1, pattern: s) }
        guard s.count <= maxNameLength else {
            throw FilterPatternError("\(what) may be at most \(maxNameLength) characters", column: maxNameLength + 1, pattern: s)
        }
        if let k = s.firstIndex(where: { $0 == ":" || $0 == "*" || $0 == "$" }) {
            throw FilterPatternError("\(what) may not contain '\(s[k])'", column: s.distance(from: s.startIndex, to: k) + 1, pattern: s)
        }
    }

    /// Checks the references against the filter's pattern: `$.` selectors need a JSON pattern,
    /// named fields a space-delimited pattern that declares them, and dimensions a JSON or
    /// space-delimited pattern ("only available for JSON and space-delimited filter patterns").
    public func validate(for pattern: FilterPattern) throws(FilterPatternError) {
        func check(_ field: String) throws(FilterPatternError) {
            switch try MetricTransformation.parseField(field) {
            case .json:
                guard pattern.kind == .json else {
                    throw FilterPatternError("\(field) selects a JSON field, but the filter pattern is not a JSON pattern", column: 1, pattern: field)
                }
            case .named(let name):
                guard case .spaceDelimited(_, let m) = pattern.compiled else {
                    throw FilterPatternError("\(field) names a space-delimited field, but the filter pattern is not space-delimited", column: 1, pattern: field)
                }
                guard m.resolve(name) != nil else {
                    throw FilterPatternError("the filter pattern has no field named '\(name)'", column: 2, pattern: field)
                }
            }
        }
        if case .field(let f) = value { try check(f) }
        if !dimensions.isEmpty {
            guard pattern.kind == .json || pattern.kind == .spaceDelimited else {
                throw FilterPatternError("dimensions are only available for JSON and space-delimited filter patterns",
                                         column: 1, pattern: pattern.text)
            }
            for (_, field) in dimensions.sorted(by: { $0.key < $1.key }) { try check(field) }
        }
    }

    /// The data point an outcome publishes: the value of a match, `defaultValue` (if set) for an
    /// event that did not match, and nothing for a match whose value could not be read (that
    /// is an error to count, not a zero).
    public func publishedValue(for outcome: FilterOutcome) -> Double? {
        switch outcome {
        case .match(let value, _): return value
        case .noMatch: return defaultValue
        case .invalidValue: return nil
        }
    }
}

/// A filter's verdict on one event.
public enum FilterOutcome: Sendable, Equatable {
    case noMatch
    /// `dimensions` are sorted by name.
    case match(value: Double, dimensions: [Dimension])
    /// The event matched, but its metric value or a dimension could not be read (absent, or not
    /// a number): counted as an error, never published as 0, and no default value either.
    case invalidValue(reason: String)
}

public struct Dimension: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
