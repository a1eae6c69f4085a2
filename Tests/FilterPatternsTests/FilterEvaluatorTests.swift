import TestSupport
import Testing
import TrailJSON
@testable import FilterPatterns

/// Value extraction, dimensions and the one-pass evaluation of many filters.
@Suite struct FilterEvaluatorTests {
    func evaluator(_ pattern: String, _ value: MetricValue = .constant(1), defaultValue: Double? = nil,
                   dimensions: [String: String] = [:]) throws -> FilterEvaluator {
        FilterEvaluator([(try FilterPattern(pattern),
                          try MetricTransformation(namespace: "N", name: "M", value: value, defaultValue: defaultValue, dimensions: dimensions))])
    }

    @Test func constantValue() throws {
        let e = try evaluator("ERROR", .constant(2.5))
        #expect(e.outcomes("an ERROR") == [.match(value: 2.5, dimensions: [])])
        #expect(e.outcomes("fine") == [.noMatch])
    }

    /// `{ $.latency = * }` with `metricValue: $.latency` on `{"latency": 50}` publishes 50.
    @Test func jsonFieldValue() throws {
        let e = try evaluator("{ $.latency = * }", .field("$.latency"))
        #expect(e.outcomes(#"{"requestType":"GET","latency":50}"#) == [.match(value: 50, dimensions: [])])
        #expect(e.outcomes(#"{"latency":-1.5e2}"#) == [.match(value: -150, dimensions: [])])
        #expect(e.outcomes(#"{"requestType":"GET"}"#) == [.noMatch])
    }

    @Test func numericStringValueIsANumber() throws {
        let e = try evaluator("{ $.n = * }", .field("$.n"))
        #expect(e.outcomes(#"{"n":"42"}"#) == [.match(value: 42, dimensions: [])])
    }

    /// A matching event whose value is not a number is an error, never 0, and gets no default.
    @Test func invalidValues() throws {
        let e = try evaluator("{ $.eventName = * }", .field("$.bytes"))
        #expect(e.outcomes(#"{"eventName":"A","bytes":"lots"}"#) == [.invalidValue(reason: "$.bytes is not a number: \"lots\"")])
        #expect(e.outcomes(#"{"eventName":"A"}"#) == [.invalidValue(reason: "$.bytes is absent")])
        #expect(e.outcomes(#"{"eventName":"A","bytes":null}"#) == [.invalidValue(reason: "$.bytes is null")])
        #expect(e.outcomes(#"{"eventName":"A","bytes":{"n":1}}"#) == [.invalidValue(reason: "$.bytes is an object")])
        #expect(e.outcomes(#"{"eventName":"A","bytes":[1]}"#) == [.invalidValue(reason: "$.bytes is an array")])
        #expect(e.outcomes(#"{"eventName":"A","bytes":true}"#) == [.invalidValue(reason: "$.bytes is not a number: \"true\"")])
        let t = try MetricTransformation(namespace: "N", name: "M", value: .field("$.bytes"), defaultValue: 0)
        #expect(t.publishedValue(for: e.outcomes(#"{"eventName":"A"}"#)[0]) == nil)
    }

    @Test func defaultValueIsForNonMatchingEvents() throws {
        let t = try MetricTransformation(namespace: "N", name: "M", defaultValue: 0)
        let e = FilterEvaluator([(try FilterPattern("ERROR"), t)])
        let published = ["ERROR a", "ok", "ERROR b", "fine"].compactMap { t.publishedValue(for: e.outcomes($0)[0]) }
        #expect(published == [1, 0, 1, 0])
        #expect(published.reduce(0, +) == 2)
    }

    @Test func sizeIsTheEventsByteCount() throws {
        let e = try evaluator("ERROR", .size)
        #expect(e.outcomes("ERROR é") == [.match(value: 8, dimensions: [])])
    }

    /// F-EX-BYTES: `[ip, id, user, timestamp, request, status_code, size]` with `$size`.
    @Test func sizeNamesTheFieldWhenThePatternHasOne() throws {
        let line = #"127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534"#
        let e = try evaluator("[ip, id, user, timestamp, request, status_code, size]", .size, dimensions: ["IP": "$ip"])
        #expect(e.outcomes(line) == [.match(value: 1534, dimensions: [Dimension(name: "IP", value: "127.0.0.1")])])
    }

    @Test func spaceDelimitedNamedAndPositionalFields() throws {
        let line = #"127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534"#
        let pattern = "[ip, user, username, timestamp, request, status_code = 2*, bytes]"
        #expect(try evaluator(pattern, .field("$bytes")).outcomes(line) == [.match(value: 1534, dimensions: [])])
        #expect(try evaluator(pattern, .field("$7")).outcomes(line) == [.match(value: 1534, dimensions: [])])
        #expect(try evaluator(pattern, .field("$username")).outcomes(line) == [.invalidValue(reason: "$username is not a number: \"frank\"")])
        let dims = try evaluator(pattern, dimensions: ["When": "$timestamp", "Request": "$request", "Status": "$status_code"]).outcomes(line)
        #expect(dims == [.match(value: 1, dimensions: [
            Dimension(name: "Request", value: "GET /apache_pb.gif HTTP/1.0"),
            Dimension(name: "Status", value: "200"),
            Dimension(name: "When", value: "10/Oct/2000:13:25:15 -0700"),
        ])])
        // With `...`, a field after it is counted from the end.
        #expect(try evaluator("[ip, ..., status, bytes]", .field("$bytes")).outcomes(line) == [.match(value: 1534, dimensions: [])])
    }

    @Test func jsonDimensionsSortedByName() throws {
        let e = try evaluator("{ $.eventName = * }", dimensions: ["Region": "$.awsRegion", "Event": "$.eventName", "Account": "$.userIdentity.accountId"])
        #expect(e.outcomes(cloudTrailRecord()) == [.match(value: 1, dimensions: [
            Dimension(name: "Account", value: "123456789012"),
            Dimension(name: "Event", value: "DescribeInstances"),
            Dimension(name: "Region", value: "us-east-1"),
        ])])
        let escaped = try evaluator("{ $.a = * }", dimensions: ["A": "$.a", "N": "$.n", "B": "$.b"])
        #expect(escaped.outcomes(#"{"a":"x\"y","n":7.50,"b":false}"#) == [.match(value: 1, dimensions: [
            Dimension(name: "A", value: "x\"y"), Dimension(name: "B", value: "false"), Dimension(name: "N", value: "7.50"),
        ])])
        #expect(escaped.outcomes(#"{"a":"x"}"#) == [.invalidValue(reason: "dimension B: $.b is absent")])
    }

    @Test func referencesThePatternCannotSupply() throws {
        let e = FilterEvaluator([(try FilterPattern("ERROR"),
                                  try MetricTransformation(namespace: "N", name: "M", value: .field("$.x")))])
        #expect(e.outcomes("ERROR") == [.invalidValue(reason: "$.x needs a JSON filter pattern")])
        let s = FilterEvaluator([(try FilterPattern("[a]"), try MetricTransformation(namespace: "N", name: "M", value: .field("$b")))])
        #expect(s.outcomes("5") == [.invalidValue(reason: "the pattern has no field named $b")])
    }

    @Test func mixedFiltersInOnePass() throws {
        let filters: [(pattern: FilterPattern, transformation: MetricTransformation)] = [
            (try FilterPattern("{ $.eventName = ConsoleLogin }"), try MetricTransformation(namespace: "N", name: "A")),
            (try FilterPattern("ConsoleLogin"), try MetricTransformation(namespace: "N", name: "B")),
            (try FilterPattern("%Console[A-Z]%"), try MetricTransformation(namespace: "N", name: "C")),
            (try FilterPattern("[a, b]"), try MetricTransformation(namespace: "N", name: "D")),
            (try FilterPattern(""), try MetricTransformation(namespace: "N", name: "E")),
            (try FilterPattern("{ $.userIdentity.type = IAMUser }"),
             try MetricTransformation(namespace: "N", name: "F", dimensions: ["User": "$.userIdentity.userName"])),
        ]
        let e = FilterEvaluator(filters)
        #expect(e.count == 6)
        let one: FilterOutcome = .match(value: 1, dimensions: [])
        #expect(e.outcomes(cloudTrailRecord(["eventName": "ConsoleLogin"])) == [
            one, one, one, .noMatch, one, .match(value: 1, dimensions: [Dimension(name: "User", value: "Alice")]),
        ])
        #expect(e.outcomes("ConsoleLogin failed") == [.noMatch, one, one, one, one, .noMatch])
        #expect(e.outcomes("Console login failed") == [.noMatch, .noMatch, .noMatch, .noMatch, one, .noMatch])
        #expect(e.outcomes("x y") == [.noMatch, .noMatch, .noMatch, one, one, .noMatch])
        // The outcomes array is reused and resized.
        var out: [FilterOutcome] = [.noMatch]
        "x y".utf8.withContiguousStorageIfAvailable { e.evaluate(UnsafeRawBufferPointer($0), into: &out) }
        #expect(out.count == 6)
    }

    @Test func emptyEvaluator() {
        let e = FilterEvaluator([])
        #expect(e.outcomes("anything").isEmpty)
    }

    /// One evaluator over many JSON, term, regex and space-delimited filters agrees with each
    /// pattern alone, on generated records (shared selectors, wildcards, early exits).
    @Test func evaluatorAgreesWithSinglePatterns() throws {
        let patterns = [
            "{ $.eventName = Put* }", "{ $.eventName = *Policy || $.errorCode = AccessDenied* }",
            "{ $.userIdentity.type = Root && $.userIdentity.invokedBy NOT EXISTS }",
            "{ $.userIdentity.sessionContext.attributes.mfaAuthenticated = \"true\" }",
            "{ $.requestParameters.items[*].name = a* }", "{ $.requestParameters.items[1].name = b }",
            "{ $.* = %^10\\.% }", "{ $.readOnly IS TRUE }", "{ $.responseElements IS NULL }",
            "{ $.latency > 100 }", "{ $.latency != 5 }", "{ $.eventSource != ec2.amazonaws.com }",
            "PutRolePolicy", "?Root ?AccessDenied", "%rorCode\\x22:\\x22[A-Z]%", "-eventName",
        ]
        let filters = try patterns.map { (pattern: try FilterPattern($0), transformation: try MetricTransformation(namespace: "N", name: "M")) }
        let evaluator = FilterEvaluator(filters)
        var rng = SplitMix(seed: 7)
        let names = ["PutRolePolicy", "PutObject", "GetPolicy", "DescribeInstances", "ConsoleLogin"]
        for _ in 0..<300 {
            var overrides: [String: JSONValue] = ["eventName": .string(names.randomElement(using: &rng)!)]
            if Bool.random(using: &rng) { overrides["userIdentity.type"] = "Root" }
            if Bool.random(using: &rng) { overrides["userIdentity.invokedBy"] = "support.amazonaws.com" }
            if Bool.random(using: &rng) { overrides["errorCode"] = "AccessDeniedException" }
            if Bool.random(using: &rng) { overrides["sourceIPAddress"] = "10.0.0.1" }
            if Bool.random(using: &rng) { overrides["latency"] = .number(Double(Int.random(in: 0...200, using: &rng))) }
            if Bool.random(using: &rng) { overrides["responseElements"] = ["ok": true] }
            if Bool.random(using: &rng) {
                overrides["requestParameters.items"] = [["name": "b"], ["name": Bool.random(using: &rng) ? "apple" : "b"]]
            }
            if Bool.random(using: &rng) { overrides["userIdentity.sessionContext.attributes.mfaAuthenticated"] = "true" }
            let removing = Bool.random(using: &rng) ? ["eventSource"] : []
            let record = cloudTrailRecord(overrides, removing: removing)
            let outcomes = evaluator.outcomes(record)
            for (i, f) in filters.enumerated() {
                #expect((outcomes[i] != .noMatch) == f.pattern.matches(record), "\(patterns[i]) on \(record)")
            }
        }
    }
}
