/// A value as Logs Insights sees it. CloudWatch returns every result as a string; we keep the
/// type so sorting, arithmetic and bins behave, and render to text only at the edge.
public enum InsightsValue: Hashable, Sendable {
    /// A missing field or a function result that has no value.
    case null
    case string(String)
    case number(Double)
    /// Epoch milliseconds, UTC (`@timestamp`, `bin()`, `fromMillis()`, …).
    case timestamp(Int64)
    /// Comparison and predicate results; they project as 1/0 (spec §4.1).
    case bool(Bool)
    /// From `jsonParse`, `split`, …
    case list([InsightsValue])
    case map(InsightsMap)
}

/// An insertion-ordered string-keyed map (a parsed JSON object).
public struct InsightsMap: Hashable, Sendable {
    public var keys: [String]
    public var values: [InsightsValue]

    public init(keys: [String] = [], values: [InsightsValue] = []) {
        precondition(keys.count == values.count)
        self.keys = keys
        self.values = values
    }

    public subscript(key: String) -> InsightsValue? {
        guard let i = keys.firstIndex(of: key) else { return nil }
        return values[i]
    }
}
