/// The parsed form of a Logs Insights query. Value types only; produced by `InsightsParser`,
/// consumed by `QueryEvaluator` and `QueryPlanner`. Positions are kept on commands (for errors
/// found after parsing); expressions carry none.
public struct Query: Hashable, Sendable {
    /// The text as given (comments included).
    public var text: String
    public var commands: [CommandNode]

    public init(text: String, commands: [CommandNode]) {
        self.text = text
        self.commands = commands
    }
}

/// 1-based line and column of a token in the query text.
public struct SourceLocation: Hashable, Sendable {
    public var line: Int
    public var column: Int
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
}

public struct CommandNode: Hashable, Sendable {
    public var command: Command
    public var location: SourceLocation
    public init(_ command: Command, at location: SourceLocation) {
        self.command = command
        self.location = location
    }
}

public enum Command: Hashable, Sendable {
    /// `fields a, f(b) as c`: adds (or overwrites) fields; output shows all `fields` projections
    /// unless a `display` follows.
    case fields([Projection])
    /// `display …`: the output columns (the last `display` wins).
    case display([Projection])
    /// `filter EXPR` and its alias `where EXPR`.
    case filter(Expr)
    /// `filterIndex f = "v"` / `filterIndex f in [...]`: a filter for an offline engine.
    case filterIndex(Expr)
    case stats(Stats)
    case sort([SortKey])
    /// `limit N` (`any` for `limit any N`).
    case limit(Int, any: Bool)
    case parse(Parse)
    /// `dedup a, b`.
    case dedup([FieldRef])
    /// `unnest FIELD into ALIAS`.
    case unnest(FieldRef, into: String)
    case diff(DiffBaseline)
    /// `pattern EXPR`.
    case pattern(Projection)
}

/// An expression with its output column name: the alias if given, else the expression text as
/// written with whitespace normalised (spec §4.4).
public struct Projection: Hashable, Sendable {
    public var expr: Expr
    public var alias: String?
    /// The column name: `alias ?? normalised source text`.
    public var name: String

    public init(expr: Expr, alias: String? = nil, name: String) {
        self.expr = expr
        self.alias = alias
        self.name = name
    }
}

public struct Stats: Hashable, Sendable {
    /// Aggregation expressions (an aggregate call, arithmetic over aggregates, or arithmetic over
    /// aliases defined earlier in the same `stats`).
    public var aggregations: [Projection]
    /// `by` expressions (fields, `bin(5m)`, other functions), each optionally aliased.
    public var groups: [Projection]

    public init(aggregations: [Projection], groups: [Projection] = []) {
        self.aggregations = aggregations
        self.groups = groups
    }
}

public struct SortKey: Hashable, Sendable {
    public var expr: Expr
    /// The text of the key (for output and errors).
    public var name: String
    public var descending: Bool

    public init(expr: Expr, name: String, descending: Bool = false) {
        self.expr = expr
        self.name = name
        self.descending = descending
    }
}

public struct Parse: Hashable, Sendable {
    public enum Pattern: Hashable, Sendable {
        /// `"[*] * The error was: *"`: each `*` captures, assigned to `aliases` in order.
        case glob(String)
        /// `/(?<name>…)/`: named groups become fields (`aliases` empty), or with `as a` the
        /// whole/first group goes to each alias (`parse @message /(\d+)/ as n multi`).
        case regex(RegexLiteral)
    }

    /// The field parsed; `@message` when omitted.
    public var source: Expr
    public var pattern: Pattern
    public var aliases: [String]
    /// `multi`: one output record per match.
    public var multi: Bool

    public init(source: Expr, pattern: Pattern, aliases: [String], multi: Bool = false) {
        self.source = source
        self.pattern = pattern
        self.aliases = aliases
        self.multi = multi
    }
}

public enum DiffBaseline: String, Hashable, Sendable {
    /// The immediately preceding range of equal length.
    case previousRange
    case previousDay
    case previousWeek
    case previousMonth
}

/// A field reference as written: `eventName`, `@timestamp`, `userIdentity.arn`,
/// `requestParameters.instancesSet.items.0.instanceId`, `` `foo-bar` ``, `json.users[1].action`.
/// `name` is the flattened dotted name used to look the field up (backticks removed, `[i]`
/// written as `.i`), which is how CloudWatch discovers JSON fields (spec §9).
public struct FieldRef: Hashable, Sendable {
    public var name: String
    /// The path segments (`["json", "users", "1", "action"]`); a backticked segment may itself
    /// contain dots.
    public var segments: [String]

    public init(_ name: String) {
        self.name = name
        self.segments = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    }

    public init(segments: [String]) {
        self.segments = segments
        self.name = segments.joined(separator: ".")
    }
}

/// `/…/` as written, without the slashes (inline flags such as `(?i)` included).
public struct RegexLiteral: Hashable, Sendable {
    public var pattern: String
    public init(_ pattern: String) { self.pattern = pattern }
}

/// `5m`, `1h`, `30s`, `2d`, `1mo`: a number and a unit (spec §2.4). Caps (`bin(300s)` ≡ 60s)
/// are applied by the evaluator, not the parser, so the text round-trips.
public struct TimePeriod: Hashable, Sendable {
    public enum Unit: String, Hashable, Sendable, CaseIterable {
        case millisecond, second, minute, hour, day, week, month, quarter, year
    }

    public var value: Double
    public var unit: Unit

    public init(_ value: Double, _ unit: Unit) {
        self.value = value
        self.unit = unit
    }
}

public indirect enum Expr: Hashable, Sendable {
    case field(FieldRef)
    /// String and number literals.
    case literal(InsightsValue)
    case period(TimePeriod)
    case regex(RegexLiteral)
    /// `[1, "a", 2]` (used with `in` / `not in`).
    case array([Expr])
    case unary(UnaryOperator, Expr)
    case binary(BinaryOperator, Expr, Expr)
    /// A function or aggregation call; `name` is the canonical spelling from `FunctionCatalog`
    /// (e.g. `count_distinct`, `isValidIpV4`, `toMillis`), whatever case the query used.
    case call(String, [Expr])
    /// `*` in `count(*)`.
    case star
}

public enum UnaryOperator: String, Hashable, Sendable {
    case negate = "-"
    case not = "not"
}

public enum BinaryOperator: String, Hashable, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", modulo = "%", power = "^"
    case equal = "=", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case and, or
    case like, notLike = "not like"
    /// `=~`
    case matches = "=~"
    case `in`, notIn = "not in"
}
