/// Runs a parsed query over records, entirely in memory. (Being written: see issue 4.)
public struct QueryEvaluator: Sendable {
    public let query: Query
    public let context: QueryContext

    public init(query: Query, context: QueryContext) throws(InsightsError) {
        self.query = query
        self.context = context
    }

    /// Runs every command over the records of `source` in `context.window`.
    public func run(source: some InsightsRecordSource) throws -> QueryResult {
        throw InsightsError(.execution, "the query evaluator is not built yet")
    }

    /// Runs `query.commands[commandIndex...]` over rows an earlier stage produced elsewhere (the
    /// store runs a pushed-down prefix, e.g. a `stats` on promoted columns, in SQL).
    public func run(from commandIndex: Int, rows: [ResultRow]) throws -> QueryResult {
        throw InsightsError(.execution, "the query evaluator is not built yet")
    }
}
