/// Text → `Query`, with the semantic checks of spec §1–§6 and §10.
///
/// Grammar (keywords and function names case-insensitive; `#` starts a comment outside string,
/// backtick and regex literals):
///
///     query      := command { "|" command }
///     command    := ("fields" | "display") projection { "," projection }
///                 | ("filter" | "where" | "filterIndex") expr
///                 | "stats" projection { "," projection } [ "by" projection { "," projection } ]
///                 | "sort" expr ["asc" | "desc"] { "," expr ["asc" | "desc"] }
///                 | "limit" ["any"] integer
///                 | "parse" [field] (string | regex) [ "as" name { "," name } ] ["multi"]
///                 | "dedup" field { "," field }
///                 | "unnest" field "into" name
///                 | "diff" ["previousDay" | "previousWeek" | "previousMonth"]
///                 | "pattern" expr
///     projection := expr [ "as" name ]
///
/// Operator precedence, tightest first (spec §3's recommendation, applied literally):
///
/// | level | operators | associativity |
/// |---|---|---|
/// | 1 | unary `-`, `not` | prefix |
/// | 2 | `^` | right |
/// | 3 | `*` `/` `%` | left |
/// | 4 | `+` `-` | left |
/// | 5 | `=` `!=` `<` `<=` `>` `>=` `like` `not like` `=~` `in` `not in` | left |
/// | 6 | `and` | left |
/// | 7 | `or` | left |
///
/// Because `not` binds tightest, `not x = 1` is `(not x) = 1`; write `not (x = 1)`.
/// A `-` directly before a number literal folds into a negative literal (`-5`), so
/// `event-name` is `event - name` (spec §2.1) while `[-1, 2]` holds two literals.
/// A `/` is a regex where an operand is expected and division elsewhere.
///
/// Column names (`Projection.name`, `SortKey.name`): the alias when given, else the expression
/// exactly as the user wrote it (case, quotes and operators kept, comments dropped) with every
/// run of whitespace collapsed to one space and the ends trimmed: `count(*)`, `BIN(5m)`,
/// `abs(f3 - f4)`.
public enum InsightsParser {
    /// The longest query accepted, in characters (spec §10).
    public static let maximumQueryLength = QuerySemantics.maximumQueryLength
    /// The largest `limit` accepted (spec §4.6: 10,000 rows).
    public static let maximumLimit = QuerySemantics.maximumLimit

    public static func parse(_ text: String) throws(InsightsError) -> Query {
        if text.count > maximumQueryLength {
            throw InsightsError(.semantic, "the query is \(text.count) characters long; the maximum is \(maximumQueryLength)")
        }
        var parser = try QueryParser(text)
        return try parser.parseQuery()
    }
}

/// Where an expression sits, which decides which functions and fields it may use.
private enum ExprPlace {
    /// `fields`, `display`, `filter`, `sort`, `pattern`, … (the name is for messages).
    case scalar(command: String)
    /// A `stats` aggregation expression.
    case aggregation
    /// A `stats … by` expression.
    case group
}

struct QueryParser {
    private var lexer: QueryLexer
    private var token: QueryToken
    private let text: String
    /// Every token consumed, for rebuilding projection text.
    private var consumed: [QueryToken] = []
    private var state = PipelineState()

    // Expression context, set per command / projection.
    private var place: ExprPlace = .scalar(command: "")
    /// Depth of aggregate calls around the current position.
    private var aggregateDepth = 0
    /// Aliases defined earlier in the `stats` being parsed.
    private var statsAliases: Set<String> = []
    /// During the second `stats`: the columns the first one left.
    private var secondStatsColumns: Set<String>?
    /// An aggregate call or an alias reference was seen in the current aggregation projection.
    private var sawAggregation = false
    /// Current expression nesting, bounded by `QuerySemantics.maximumNesting`.
    private var depth = 0

    init(_ text: String) throws(InsightsError) {
        self.text = text
        lexer = QueryLexer(text)
        token = QueryToken(kind: .end, start: 0, end: 0, location: SourceLocation(line: 1, column: 1), spaced: false)
        token = try lexer.next()
    }

    // MARK: - Tokens

    private mutating func advance() throws(InsightsError) {
        consumed.append(token)
        token = try lexer.next()
    }

    /// The token after the current one, without consuming anything.
    private func peek() throws(InsightsError) -> QueryToken {
        var copy = lexer
        return try copy.next()
    }

    private func isWord(_ word: String) -> Bool { token.word == word }

    private func failure(_ kind: InsightsError.Kind, _ message: String, at location: SourceLocation? = nil) -> InsightsError {
        lexer.failure(kind, message, at: location ?? token.location)
    }

    private func failure(_ message: String, at location: SourceLocation? = nil) -> InsightsError {
        failure(.syntax, message, at: location)
    }

    private func describe(_ t: QueryToken) -> String {
        if case .end = t.kind { return "the end of the query" }
        return "'\(String(lexer.chars[t.start..<t.end]))'"
    }

    /// The text of the tokens consumed since `mark`, whitespace normalised (see `InsightsParser`).
    private func sourceText(since mark: Int) -> String {
        var result = ""
        for (i, t) in consumed[mark...].enumerated() {
            if i > 0 && t.spaced { result += " " }
            result += String(lexer.chars[t.start..<t.end])
        }
        return result
    }

    // MARK: - Query and commands

    mutating func parseQuery() throws(InsightsError) -> Query {
        if case .end = token.kind {
            throw InsightsError(.semantic, "empty query")
        }
        var commands: [CommandNode] = []
        while true {
            commands.append(try parseCommand())
            switch token.kind {
            case .pipe:
                try advance()
            case .end:
                return Query(text: text, commands: commands)
            default:
                let name = commands.last.map { commandName($0.command) } ?? ""
                throw failure("unexpected \(describe(token)) after the '\(name)' command; expected '|' or the end of the query")
            }
        }
    }

    private func commandName(_ command: Command) -> String {
        switch command {
        case .fields: "fields"
        case .display: "display"
        case .filter: "filter"
        case .filterIndex: "filterIndex"
        case .stats: "stats"
        case .sort: "sort"
        case .limit: "limit"
        case .parse: "parse"
        case .dedup: "dedup"
        case .unnest: "unnest"
        case .diff: "diff"
        case .pattern: "pattern"
        }
    }

    private mutating func parseCommand() throws(InsightsError) -> CommandNode {
        let location = token.location
        guard case .identifier(let segments, let quoted) = token.kind, !quoted, segments.count == 1 else {
            throw failure("expected a command such as fields, filter or stats, found \(describe(token))")
        }
        let spelled = segments[0]
        let word = spelled.lowercased()
        if state.dedup != nil, word != "limit" {
            throw failure(.semantic, "only 'limit' can follow 'dedup'", at: location)
        }
        try advance()
        let command: Command
        switch word {
        case "fields":
            place = .scalar(command: "fields")
            let projections = try parseProjections()
            state.add(columns: projections.map(\.name))
            command = .fields(projections)
        case "display":
            place = .scalar(command: "display")
            let projections = try parseProjections()
            state.add(columns: projections.map(\.name))
            command = .display(projections)
        case "filter", "where":
            place = .scalar(command: word)
            command = .filter(try parseExpression())
        case "filterindex":
            place = .scalar(command: "filterIndex")
            let start = token.location
            let expr = try parseExpression()
            guard Self.isIndexFilter(expr) else {
                throw failure(.semantic, "filterIndex takes 'field = \"value\"' or 'field in [\"v1\", \"v2\"]'", at: start)
            }
            command = .filterIndex(expr)
        case "stats":
            command = .stats(try parseStats(at: location))
        case "sort":
            if state.statsCount < QuerySemantics.maximumStatsCommands, state.earlyOrdering == nil {
                state.earlyOrdering = ("sort", location)
            }
            command = .sort(try parseSortKeys())
        case "limit":
            if state.statsCount < QuerySemantics.maximumStatsCommands, state.earlyOrdering == nil {
                state.earlyOrdering = ("limit", location)
            }
            command = try parseLimit()
        case "parse":
            command = .parse(try parseParse())
        case "dedup":
            var fields: [FieldRef] = []
            repeat {
                if !fields.isEmpty { try advance() }
                fields.append(try parseFieldName(after: "dedup"))
            } while token.kind == .comma
            state.dedup = location
            command = .dedup(fields)
        case "unnest":
            let field = try parseFieldName(after: "unnest")
            guard isWord("into") else { throw failure("expected 'into' after the field of 'unnest', found \(describe(token))") }
            try advance()
            let alias = try parseName(after: "into")
            state.add(columns: [alias])
            command = .unnest(field, into: alias)
        case "diff":
            var baseline = DiffBaseline.previousRange
            if case .identifier = token.kind, let w = token.word {
                switch w {
                case "previousday": baseline = .previousDay
                case "previousweek": baseline = .previousWeek
                case "previousmonth": baseline = .previousMonth
                default: throw failure("expected previousDay, previousWeek or previousMonth after 'diff', found \(describe(token))")
                }
                try advance()
            }
            command = .diff(baseline)
        case "pattern":
            place = .scalar(command: "pattern")
            let mark = consumed.count
            let expr = try parseExpression()
            state.add(columns: QuerySemantics.patternColumns)
            command = .pattern(Projection(expr: expr, name: sourceText(since: mark)))
        case "head", "tail":
            throw failure(.semantic, "'\(spelled)' is deprecated: use 'limit'", at: location)
        default:
            if let documented = QuerySemantics.unsupportedCommands[word] {
                throw failure(.semantic, "the '\(documented)' command is not supported by trailwatch", at: location)
            }
            let hint = QuerySemantics.didYouMean(QuerySemantics.suggestion(for: spelled, among: QuerySemantics.commands))
            throw failure(.semantic, "unknown command '\(spelled)'\(hint)", at: location)
        }
        return CommandNode(command, at: location)
    }

    private static func isIndexFilter(_ expr: Expr) -> Bool {
        switch expr {
        case .binary(.equal, .field, .literal), .binary(.equal, .literal, .field), .binary(.in, .field, .array): true
        default: false
        }
    }

    private mutating func parseProjections() throws(InsightsError) -> [Projection] {
        var projections: [Projection] = []
        repeat {
            if !projections.isEmpty { try advance() }
            projections.append(try parseProjection())
        } while token.kind == .comma
        return projections
    }

    private mutating func parseProjection() throws(InsightsError) -> Projection {
        let mark = consumed.count
        let expr = try parseExpression()
        let text = sourceText(since: mark)
        if isWord("as") {
            try advance()
            let alias = try parseName(after: "as")
            return Projection(expr: expr, alias: alias, name: alias)
        }
        return Projection(expr: expr, name: text)
    }

    /// An alias or other new field name (`as @t`, `` as `my-field` ``, `into event`).
    private mutating func parseName(after keyword: String) throws(InsightsError) -> String {
        guard case .identifier(let segments, _) = token.kind else {
            throw failure("expected a name after '\(keyword)', found \(describe(token))")
        }
        try advance()
        return segments.joined(separator: ".")
    }

    private mutating func parseFieldName(after keyword: String) throws(InsightsError) -> FieldRef {
        guard case .identifier(let segments, _) = token.kind else {
            throw failure("expected a field name after '\(keyword)', found \(describe(token))")
        }
        try advance()
        return FieldRef(segments: segments)
    }

    private mutating func parseStats(at location: SourceLocation) throws(InsightsError) -> Stats {
        if state.statsCount >= QuerySemantics.maximumStatsCommands {
            throw failure(.semantic, "a query can have at most \(QuerySemantics.maximumStatsCommands) 'stats' commands", at: location)
        }
        state.statsCount += 1
        if state.statsCount == 2 {
            if let early = state.earlyOrdering {
                throw failure(.semantic, "'\(early.command)' must come after the second 'stats'", at: early.location)
            }
            secondStatsColumns = state.columnsAfterFirstStats ?? []
        } else {
            secondStatsColumns = nil
        }
        defer { secondStatsColumns = nil }

        if token.kind == .end || token.kind == .pipe || isWord("by") {
            throw failure(.semantic, "'stats' needs an aggregation such as count(*)")
        }
        statsAliases = []
        var aggregations: [Projection] = []
        repeat {
            if !aggregations.isEmpty { try advance() }
            place = .aggregation
            sawAggregation = false
            let start = token.location
            let projection = try parseProjection()
            if !sawAggregation {
                throw failure(.semantic, "'\(projection.name)' is not an aggregation; use a function such as count(), sum() or max()", at: start)
            }
            if let alias = projection.alias { statsAliases.insert(alias) }
            aggregations.append(projection)
        } while token.kind == .comma

        var groups: [Projection] = []
        if isWord("by") {
            try advance()
            place = .group
            repeat {
                if !groups.isEmpty { try advance() }
                groups.append(try parseProjection())
            } while token.kind == .comma
            if isWord("offset") {
                throw failure(.semantic, "'offset' after 'by bin(…)' is not supported by trailwatch")
            }
        }
        let columns = aggregations.map(\.name) + groups.map(\.name)
        if state.statsCount == 1 {
            state.columnsAfterFirstStats = Set(columns)
        } else {
            state.add(columns: columns)
        }
        return Stats(aggregations: aggregations, groups: groups)
    }

    private mutating func parseSortKeys() throws(InsightsError) -> [SortKey] {
        place = .scalar(command: "sort")
        var keys: [SortKey] = []
        repeat {
            if !keys.isEmpty { try advance() }
            let mark = consumed.count
            let expr = try parseExpression()
            let name = sourceText(since: mark)
            var descending = false
            if isWord("desc") || isWord("asc") {
                descending = isWord("desc")
                try advance()
            }
            keys.append(SortKey(expr: expr, name: name, descending: descending))
        } while token.kind == .comma
        return keys
    }

    private mutating func parseLimit() throws(InsightsError) -> Command {
        var any = false
        if isWord("any") {
            if case .number = try peek().kind {
                any = true
                try advance()
            }
        }
        let range = "a whole number from 1 to \(QuerySemantics.maximumLimit)"
        switch token.kind {
        case .number(let n):
            guard n == n.rounded(), n >= 1, n <= Double(QuerySemantics.maximumLimit) else {
                throw failure(.semantic, "limit must be \(range)")
            }
            try advance()
            return .limit(Int(n), any: any)
        case .minus:
            throw failure(.semantic, "limit must be \(range)")
        default:
            throw failure("expected a number after 'limit', found \(describe(token))")
        }
    }

    private mutating func parseParse() throws(InsightsError) -> Parse {
        var source = Expr.field(FieldRef("@message"))
        if case .identifier(let segments, _) = token.kind {
            let next = try peek()
            let formats: Set<String> = ["logfmt", "csv", "json"]
            if let w = token.word, formats.contains(w), !Self.opensPattern(next) {
                throw failure(.semantic, "'parse … \(w)' is not supported by trailwatch; use a glob or a regex")
            }
            source = .field(FieldRef(segments: segments))
            try advance()
            if let w = token.word, formats.contains(w) {
                throw failure(.semantic, "'parse … \(w)' is not supported by trailwatch; use a glob or a regex")
            }
        }
        let patternToken: QueryToken
        let pattern: Parse.Pattern
        switch token.kind {
        case .string(let glob):
            patternToken = token
            pattern = .glob(glob)
            try advance()
        case .slash:
            token = try lexer.regex(at: token)
            patternToken = token
            guard case .regex(let body) = token.kind else { preconditionFailure("regex(at:) returns a regex") }
            try checkRegex(body, at: token.location)
            pattern = .regex(RegexLiteral(body))
            try advance()
        default:
            throw failure("expected a quoted glob or a /regex/ after 'parse', found \(describe(token))")
        }

        var aliases: [String] = []
        if isWord("as") {
            repeat {
                try advance()
                aliases.append(try parseName(after: aliases.isEmpty ? "as" : ","))
            } while token.kind == .comma
        }
        var multi = false
        if isWord("multi") {
            multi = true
            try advance()
        }

        switch pattern {
        case .glob(let glob):
            let wildcards = QuerySemantics.wildcardCount(glob)
            if wildcards != aliases.count {
                let got = aliases.isEmpty ? "no 'as' aliases" : aliases.count == 1 ? "1 alias" : "\(aliases.count) aliases"
                throw failure(.semantic, "the glob has \(wildcards) '*' wildcard\(wildcards == 1 ? "" : "s") but \(got)",
                            at: patternToken.location)
            }
            state.add(columns: aliases)
        case .regex(let regex):
            let groups = QuerySemantics.namedGroups(in: regex.pattern)
            if groups.isEmpty && aliases.isEmpty {
                throw failure(.semantic, "the regex has no named groups such as (?<name>…) and no 'as' aliases, so it extracts nothing",
                            at: patternToken.location)
            }
            state.add(columns: aliases.isEmpty ? groups : aliases)
        }
        return Parse(source: source, pattern: pattern, aliases: aliases, multi: multi)
    }

    private static func opensPattern(_ t: QueryToken) -> Bool {
        switch t.kind {
        case .string, .slash: true
        default: false
        }
    }

    private func checkRegex(_ pattern: String, at location: SourceLocation) throws(InsightsError) {
        if let problem = QuerySemantics.regexProblem(pattern) {
            throw failure(.semantic, "invalid regex: \(problem)", at: location)
        }
    }

    // MARK: - Expressions

    private mutating func parseExpression() throws(InsightsError) -> Expr {
        try parseOr()
    }

    private mutating func parseOr() throws(InsightsError) -> Expr {
        var left = try parseAnd()
        while isWord("or") {
            try advance()
            left = .binary(.or, left, try parseAnd())
        }
        return left
    }

    private mutating func parseAnd() throws(InsightsError) -> Expr {
        var left = try parseComparison()
        while isWord("and") {
            try advance()
            left = .binary(.and, left, try parseComparison())
        }
        return left
    }

    /// The comparison-level operator at the current token (`not like` / `not in` need a look
    /// at the next token), or nil.
    private func comparisonOperator() throws(InsightsError) -> BinaryOperator? {
        switch token.kind {
        case .equal: return .equal
        case .notEqual: return .notEqual
        case .less: return .less
        case .lessOrEqual: return .lessOrEqual
        case .greater: return .greater
        case .greaterOrEqual: return .greaterOrEqual
        case .matches: return .matches
        case .identifier:
            switch token.word {
            case "like": return .like
            case "in": return .in
            case "not":
                switch try peek().word {
                case "like": return .notLike
                case "in": return .notIn
                default: return nil
                }
            default: return nil
            }
        default: return nil
        }
    }

    private mutating func parseComparison() throws(InsightsError) -> Expr {
        var left = try parseAdditive()
        while let op = try comparisonOperator() {
            let operatorToken = token
            try advance()
            if op == .notLike || op == .notIn { try advance() }
            if op == .in || op == .notIn {
                left = .binary(op, left, try parseList(after: operatorToken))
            } else {
                left = .binary(op, left, try parseAdditive())
            }
        }
        return left
    }

    private mutating func parseList(after operatorToken: QueryToken) throws(InsightsError) -> Expr {
        let spelled = String(lexer.chars[operatorToken.start..<operatorToken.end]).lowercased() == "not" ? "not in" : "in"
        switch token.kind {
        case .leftBracket:
            try advance()
            var elements: [Expr] = []
            while token.kind != .rightBracket {
                if !elements.isEmpty {
                    guard token.kind == .comma else {
                        throw failure("expected ',' or ']' in the list after '\(spelled)', found \(describe(token))")
                    }
                    try advance()
                }
                elements.append(try parseAdditive())
            }
            try advance()
            return .array(elements)
        case .leftParen:
            throw failure(.semantic, "subqueries ('\(spelled) (…)') are not supported by trailwatch")
        default:
            throw failure(.semantic, "'\(spelled)' needs a list in brackets, such as [\"a\", \"b\"], found \(describe(token))")
        }
    }

    private mutating func parseAdditive() throws(InsightsError) -> Expr {
        var left = try parseMultiplicative()
        while true {
            let op: BinaryOperator
            switch token.kind {
            case .plus: op = .add
            case .minus: op = .subtract
            default: return left
            }
            try advance()
            left = .binary(op, left, try parseMultiplicative())
        }
    }

    private mutating func parseMultiplicative() throws(InsightsError) -> Expr {
        var left = try parsePower()
        while true {
            let op: BinaryOperator
            switch token.kind {
            case .star: op = .multiply
            case .slash: op = .divide
            case .percent: op = .modulo
            default: return left
            }
            try advance()
            left = .binary(op, left, try parsePower())
        }
    }

    private mutating func parsePower() throws(InsightsError) -> Expr {
        let base = try parseUnary()
        guard token.kind == .caret else { return base }
        try advance()
        try enterNesting()
        defer { depth -= 1 }
        return .binary(.power, base, try parsePower())
    }

    /// Bounds recursion so that a hostile 10,000-character query cannot exhaust a thread's
    /// stack; the caller decrements `depth` when it returns.
    private mutating func enterNesting() throws(InsightsError) {
        depth += 1
        if depth > QuerySemantics.maximumNesting {
            throw failure(.semantic, "the expression nests more than \(QuerySemantics.maximumNesting) levels deep")
        }
    }

    private mutating func parseUnary() throws(InsightsError) -> Expr {
        // Parentheses, arguments, lists and prefix operators all recurse through here.
        try enterNesting()
        defer { depth -= 1 }
        if token.kind == .minus {
            try advance()
            let operand = try parseUnary()
            if case .literal(.number(let n)) = operand { return .literal(.number(-n)) }
            return .unary(.negate, operand)
        }
        if isWord("not") {
            try advance()
            return .unary(.not, try parseUnary())
        }
        return try parsePrimary()
    }

    private mutating func parsePrimary() throws(InsightsError) -> Expr {
        switch token.kind {
        case .number(let n):
            try advance()
            return .literal(.number(n))
        case .string(let s):
            try advance()
            return .literal(.string(s))
        case .period(let p):
            try advance()
            return .period(p)
        case .slash:
            token = try lexer.regex(at: token)
            guard case .regex(let body) = token.kind else { preconditionFailure("regex(at:) returns a regex") }
            try checkRegex(body, at: token.location)
            try advance()
            return .regex(RegexLiteral(body))
        case .leftParen:
            let open = token
            try advance()
            let inner = try parseExpression()
            guard token.kind == .rightParen else {
                throw failure("expected ')' to close the '(' at line \(open.location.line), column \(open.location.column), found \(describe(token))")
            }
            try advance()
            return inner
        case .identifier(let segments, let quoted):
            if !quoted, segments.count == 1, try peek().kind == .leftParen {
                return try parseCall(segments[0])
            }
            try advance()
            let field = FieldRef(segments: segments)
            try checkFieldReference(field, at: consumed[consumed.count - 1].location)
            return .field(field)
        case .leftBracket:
            throw failure(.semantic, "a list [...] can only follow 'in' or 'not in'")
        case .star:
            throw failure("'*' is only allowed as count(*)")
        default:
            throw failure("expected an expression, found \(describe(token))")
        }
    }

    /// The stats rules for a field used where only some fields exist (spec §4.4).
    private mutating func checkFieldReference(_ field: FieldRef, at location: SourceLocation) throws(InsightsError) {
        switch place {
        case .aggregation where aggregateDepth == 0:
            guard statsAliases.contains(field.name) else {
                throw failure(.semantic, "'\(field.name)' must be inside an aggregation such as max(\(field.name)), or be an alias defined earlier in this stats",
                            at: location)
            }
            // An earlier alias stands for an aggregation (`provisioned - maxUsed as overProvisioned`).
            sawAggregation = true
        case .aggregation, .group:
            if let columns = secondStatsColumns, !columns.contains(field.name) {
                throw failure(.semantic, "the second 'stats' can only use fields produced by the first; '\(field.name)' is not one of them",
                            at: location)
            }
        case .scalar:
            break
        }
    }

    private mutating func parseCall(_ spelled: String) throws(InsightsError) -> Expr {
        let nameToken = token
        guard let signature = FunctionCatalog.lookup(spelled) else {
            if let documented = QuerySemantics.unsupportedFunctions[spelled.lowercased()] {
                throw failure(.semantic, "the function '\(documented)' is not supported by trailwatch")
            }
            let hint = QuerySemantics.didYouMean(QuerySemantics.suggestion(for: spelled, among: FunctionCatalog.all.map(\.name)))
            throw failure(.semantic, "unknown function '\(spelled)'\(hint)")
        }
        let isAggregate = signature.kind == .aggregate
        if isAggregate {
            switch place {
            case .scalar(let command):
                throw failure(.semantic, "the aggregation '\(spelled)' can only be used in 'stats', not in '\(command)'")
            case .group:
                throw failure(.semantic, "the aggregation '\(spelled)' cannot be used in 'by'")
            case .aggregation:
                if aggregateDepth > 0 {
                    throw failure(.semantic, "the aggregation '\(spelled)' cannot be nested inside another aggregation")
                }
                sawAggregation = true
            }
        }
        if signature.name == "bin", let columns = secondStatsColumns, !columns.contains("@timestamp") {
            throw failure(.semantic, "bin() reads @timestamp, which the first 'stats' did not produce; alias a time column (e.g. max(@timestamp) as @t or bin(5m) as @t) and use dateceil(@t, …)")
        }
        try advance()  // name
        try advance()  // (
        if isAggregate { aggregateDepth += 1 }
        var arguments: [Expr] = []
        var argumentLocations: [SourceLocation] = []
        if token.kind == .star, try peek().kind == .rightParen {
            guard signature.name == "count" else {
                throw failure("'*' is only allowed as count(*)")
            }
            try advance()
            arguments = [.star]
            argumentLocations = [consumed[consumed.count - 1].location]
        } else if token.kind != .rightParen {
            repeat {
                if !arguments.isEmpty { try advance() }
                argumentLocations.append(token.location)
                arguments.append(try parseExpression())
            } while token.kind == .comma
        }
        if isAggregate { aggregateDepth -= 1 }
        guard token.kind == .rightParen else {
            throw failure("expected ')' after arguments of '\(spelled)', found \(describe(token))")
        }
        // Checked before lexing on: `.startTime` is not a token on its own.
        if token.end < lexer.chars.count, lexer.chars[token.end] == "." {
            throw failure(.semantic, "'.field' after a function call is not supported by trailwatch; alias the result first (fields \(spelled)(…) as j | fields j.name)",
                        at: SourceLocation(line: token.location.line, column: token.location.column + 1))
        }
        try advance()

        let count = arguments.count
        if count < signature.minArguments || signature.maxArguments.map({ count > $0 }) == true {
            throw failure(.semantic, QuerySemantics.arityMessage(signature, got: count), at: nameToken.location)
        }
        switch signature.name {
        case "bin":
            guard case .period = arguments[0] else {
                throw failure(.semantic, "bin() takes a time period such as 5m or 1h", at: argumentLocations[0])
            }
        case "datefloor", "dateceil":
            guard case .period = arguments[1] else {
                throw failure(.semantic, "the second argument of \(signature.name)() must be a time period such as 5m or 1h",
                            at: argumentLocations[1])
            }
        default:
            break
        }
        return .call(signature.name, arguments)
    }
}
