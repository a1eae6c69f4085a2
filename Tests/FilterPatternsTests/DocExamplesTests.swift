import Testing
import TrailJSON
@testable import FilterPatterns

/// Every case of `shared/specs/cwl-filter-doc-examples.json`: the guide's JSON examples with the
/// results it states. The file is read at test time; a missing file fails the test.
@Suite struct DocExamplesTests {
    @Test func everyDocumentedCase() throws {
        guard let spec = loadSpec("cwl-filter-doc-examples.json") else { return }
        guard let cases = spec["cases"]?.arrayValue, !cases.isEmpty else {
            Issue.record("cwl-filter-doc-examples.json has no cases")
            return
        }
        var checked = 0
        for (k, c) in cases.enumerated() {
            guard let pattern = c["filterPattern"]?.stringValue, let event = c["event"], let expected = c["expected"]?.boolValue else {
                Issue.record("case \(k) is missing filterPattern, event or expected")
                continue
            }
            let compiled = try FilterPattern(pattern)
            #expect(compiled.kind == .json, "case \(k): \(pattern)")
            // Compact and pretty-printed forms of the same event must agree.
            for text in [event.jsonText(), event.jsonText(pretty: true)] {
                #expect(compiled.matches(text) == expected, "case \(k): \(pattern) should be \(expected) on \(text)")
            }
            // And so must a one-filter evaluator, which compiles the pattern with others' selectors.
            let evaluator = FilterEvaluator([(compiled, try MetricTransformation(namespace: "Doc", name: "Case\(k)"))])
            #expect((evaluator.outcomes(event.jsonText()).first != .noMatch) == expected, "case \(k) via FilterEvaluator")
            checked += 1
        }
        #expect(checked == cases.count)
    }

    /// All the documented cases compiled into one evaluator: each filter's outcome is its own.
    @Test func allCasesInOneEvaluator() throws {
        guard let spec = loadSpec("cwl-filter-doc-examples.json"), let cases = spec["cases"]?.arrayValue else { return }
        let filters = try cases.enumerated().map { k, c in
            (pattern: try FilterPattern(c["filterPattern"]!.stringValue!), transformation: try MetricTransformation(namespace: "Doc", name: "Case\(k)"))
        }
        let evaluator = FilterEvaluator(filters)
        for c in cases {
            let event = c["event"]!.jsonText()
            let outcomes = evaluator.outcomes(event)
            for (i, f) in filters.enumerated() {
                #expect((outcomes[i] != .noMatch) == f.pattern.matches(event), "filter \(i) on \(event)")
            }
        }
    }
}
