import Testing
@testable import FilterPatterns

/// Metric values, dimensions, units and the default-value rule.
@Suite struct MetricTransformationTests {
    @Test func parseValue() throws {
        #expect(try MetricTransformation.parseValue("1") == .constant(1))
        #expect(try MetricTransformation.parseValue("2.5") == .constant(2.5))
        #expect(try MetricTransformation.parseValue("-3") == .constant(-3))
        #expect(try MetricTransformation.parseValue("1e3") == .constant(1000))
        #expect(try MetricTransformation.parseValue("$.x") == .field("$.x"))
        #expect(try MetricTransformation.parseValue("$.a.b[0]") == .field("$.a.b[0]"))
        #expect(try MetricTransformation.parseValue("$.['a.b']") == .field("$.['a.b']"))
        #expect(try MetricTransformation.parseValue("$size") == .size)
        #expect(try MetricTransformation.parseValue("$bytes") == .field("$bytes"))
        #expect(try MetricTransformation.parseValue("$7") == .field("$7"))
    }

    @Test(arguments: [
        ("", "empty metric value", 1),
        ("abc", "expected a number, a $.selector, $size or a $field", 1),
        ("$", "expected $.selector, or $ followed by a field name or position", 1),
        ("$.a[*]", "metric values and dimensions cannot use wildcard selectors", 1),
        ("$.a b", "unexpected text after the selector", 4),
        ("$.a:b", "unexpected ':' in a selector (property names may contain letters, digits, '-' and '_'; write $.['name'] for any other)", 4),
        ("$0", "expected $.selector, or $ followed by a field name or position", 1),
        ("$a-b", "expected $.selector, or $ followed by a field name or position", 1),
    ])
    func rejectedValues(text: String, message: String, column: Int) {
        do {
            _ = try MetricTransformation.parseValue(text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.message == message, "\(text)")
            #expect(error.column == column, "\(text)")
            #expect(error.pattern == text)
        }
    }

    @Test func valueLengthLimit() {
        #expect(throws: FilterPatternError.self) { try MetricTransformation.parseValue("$." + String(repeating: "a", count: 99)) }
    }

    @Test func dimensionsAreValidated() throws {
        _ = try MetricTransformation(namespace: "N", name: "M", dimensions: ["a": "$.a", "b": "$b", "c": "$.c.d"])
        #expect {
            try MetricTransformation(namespace: "N", name: "M", dimensions: ["a": "$.a", "b": "$.b", "c": "$.c", "d": "$.d"])
        } throws: { ($0 as? FilterPatternError)?.message == "at most 3 dimensions are allowed, got 4" }
        #expect {
            try MetricTransformation(namespace: "N", name: "M", dimensions: ["a": "eventName"])
        } throws: { ($0 as? FilterPatternError)?.message == "expected $.selector or $field" }
        #expect {
            try MetricTransformation(namespace: "N", name: "M", dimensions: ["": "$.a"])
        } throws: { ($0 as? FilterPatternError)?.message == "dimension names must be 1 to 255 characters" }
    }

    /// "If you assign dimensions to a metric created by a metric filter, you can't assign a default value."
    @Test func defaultValueCannotBeCombinedWithDimensions() {
        #expect {
            try MetricTransformation(namespace: "N", name: "M", defaultValue: 0, dimensions: ["a": "$.a"])
        } throws: { ($0 as? FilterPatternError)?.message == "a default value cannot be combined with dimensions" }
    }

    @Test func namesAndUnits() throws {
        _ = try MetricTransformation(namespace: "CloudTrailMetrics", name: "RootUsage", unit: "Count")
        _ = try MetricTransformation(namespace: "N", name: "M", unit: "Bytes/Second")
        #expect(throws: FilterPatternError.self) { try MetricTransformation(namespace: "N", name: "M", unit: "Parsecs") }
        #expect(throws: FilterPatternError.self) { try MetricTransformation(namespace: "", name: "M") }
        #expect {
            try MetricTransformation(namespace: "N", name: "a:b")
        } throws: { e in
            let e = e as? FilterPatternError
            return e?.message == "metric name may not contain ':'" && e?.column == 2
        }
        #expect(throws: FilterPatternError.self) { try MetricTransformation(namespace: "N*", name: "M") }
        #expect(throws: FilterPatternError.self) { try MetricTransformation(namespace: "N", name: "M", value: .field("latency")) }
        #expect(throws: FilterPatternError.self) { try MetricTransformation(namespace: "N", name: "M", value: .constant(.nan)) }
    }

    @Test func publishedValue() throws {
        let withDefault = try MetricTransformation(namespace: "N", name: "M", defaultValue: 0)
        #expect(withDefault.publishedValue(for: .match(value: 3, dimensions: [])) == 3)
        #expect(withDefault.publishedValue(for: .noMatch) == 0)
        #expect(withDefault.publishedValue(for: .invalidValue(reason: "x")) == nil)
        let without = try MetricTransformation(namespace: "N", name: "M")
        #expect(without.publishedValue(for: .noMatch) == nil)
    }

    @Test func validateAgainstThePattern() throws {
        let json = try FilterPattern("{ $.latency = * }")
        let space = try FilterPattern("[ip, user, bytes]")
        let terms = try FilterPattern("ERROR")
        try MetricTransformation(namespace: "N", name: "M", value: .field("$.latency"), dimensions: ["t": "$.type"]).validate(for: json)
        try MetricTransformation(namespace: "N", name: "M", value: .field("$bytes"), dimensions: ["ip": "$ip"]).validate(for: space)
        try MetricTransformation(namespace: "N", name: "M", value: .field("$3")).validate(for: space)
        try MetricTransformation(namespace: "N", name: "M", value: .size).validate(for: terms)
        #expect(throws: FilterPatternError.self) {
            try MetricTransformation(namespace: "N", name: "M", value: .field("$.latency")).validate(for: space)
        }
        #expect(throws: FilterPatternError.self) {
            try MetricTransformation(namespace: "N", name: "M", value: .field("$bytes")).validate(for: json)
        }
        #expect {
            try MetricTransformation(namespace: "N", name: "M", value: .field("$size2")).validate(for: space)
        } throws: { ($0 as? FilterPatternError)?.message == "the filter pattern has no field named 'size2'" }
        #expect {
            try MetricTransformation(namespace: "N", name: "M", dimensions: ["a": "$.a"]).validate(for: terms)
        } throws: { ($0 as? FilterPatternError)?.message == "dimensions are only available for JSON and space-delimited filter patterns" }
    }
}
