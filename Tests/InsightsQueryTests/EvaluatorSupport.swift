import Testing
import TrailJSON
@testable import InsightsQuery

/// Hand-built ASTs (the evaluator is tested independently of the parser) and small runners.
enum Q {
    static let here = SourceLocation(line: 1, column: 1)

    static func field(_ name: String) -> Expr { .field(FieldRef(name)) }
    static func str(_ s: String) -> Expr { .literal(.string(s)) }
    static func num(_ d: Double) -> Expr { .literal(.number(d)) }
    static func call(_ name: String, _ args: Expr...) -> Expr { .call(name, args) }
    static func bin(_ op: BinaryOperator, _ l: Expr, _ r: Expr) -> Expr { .binary(op, l, r) }
    static func eq(_ f: String, _ s: String) -> Expr { .binary(.equal, field(f), str(s)) }
    static func period(_ v: Double, _ u: TimePeriod.Unit) -> Expr { .period(TimePeriod(v, u)) }
    static func regex(_ p: String) -> Expr { .regex(RegexLiteral(p)) }
    static func array(_ items: Expr...) -> Expr { .array(items) }

    static func proj(_ e: Expr, as alias: String? = nil, name: String? = nil) -> Projection {
        if case .field(let f) = e, alias == nil { return Projection(expr: e, name: name ?? f.name) }
        return Projection(expr: e, alias: alias, name: alias ?? name ?? "\(e)")
    }

    static func fields(_ p: Projection...) -> Command { .fields(p) }
    static func display(_ p: Projection...) -> Command { .display(p) }
    static func stats(_ aggs: [Projection], by groups: [Projection] = []) -> Command { .stats(Stats(aggregations: aggs, groups: groups)) }
    static func sort(_ keys: (String, Bool)...) -> Command { .sort(keys.map { SortKey(expr: field($0.0), name: $0.0, descending: $0.1) }) }

    static func query(_ commands: Command...) -> Query {
        Query(text: "", commands: commands.map { CommandNode($0, at: here) })
    }
}

let defaultContext = QueryContext(window: TimeWindow(), nowMillis: 1_700_000_000_000)

func run(_ query: Query, _ records: [JSONRecord], context: QueryContext = defaultContext) throws -> QueryResult {
    try QueryEvaluator(query: query, context: context).run(source: ArrayRecordSource(records))
}

func run(_ commands: Command..., over records: [JSONRecord], context: QueryContext = defaultContext) throws -> QueryResult {
    try run(Query(text: "", commands: commands.map { CommandNode($0, at: Q.here) }), records, context: context)
}

/// The value of one expression over one record.
func value(_ e: Expr, _ record: JSONRecord = JSONRecord(message: "plain", timestampMillis: 0),
           context: QueryContext = defaultContext) throws -> InsightsValue {
    let r = try run(Q.fields(Q.proj(e, as: "x")), Q.display(Q.proj(Q.field("x"))), over: [record], context: context)
    return r.rows[0][0]
}

/// Text of one expression's value (nil for null).
func text(_ e: Expr, _ record: JSONRecord = JSONRecord(message: "plain", timestampMillis: 0)) throws -> String? {
    try value(e, record).text
}

/// Result cells as text ("" for null) for compact assertions.
func cells(_ r: QueryResult) -> [[String]] { r.rows.map { $0.map { $0.text ?? "" } } }

func record(_ json: JSONValue, at ms: Int64 = 0) -> JSONRecord { JSONRecord(json: json, timestampMillis: ms) }

/// ms of a UTC date-time.
func utc(_ text: String) -> Int64 { parseISO8601Millis(text)! }
