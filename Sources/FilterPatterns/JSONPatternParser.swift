/// Parses `{ … }` patterns:
///
///     expr      := and { "||" and }
///     and       := primary { "&&" primary }
///     primary   := "(" expr ")" | condition
///     condition := selector op value | selector "IS" ("NULL"|"TRUE"|"FALSE") | selector "NOT" "EXISTS"
///
/// so `&&` binds tighter than `||`, and parentheses override both.
struct JSONPatternParser {
    /// Documented quota: wildcard selectors in one compound pattern.
    static let maxWildcardSelectors = 3

    private var lx: PatternLexer
    private var wildcardSelectors = 0
    private static let valueStops: [UInt8] = [0x29, 0x7D]  // ) }

    static func parse(_ bytes: [UInt8]) throws(ParseFailure) -> JSONPatternAST {
        var p = JSONPatternParser(lx: PatternLexer(bytes))
        return try p.parsePattern()
    }

    private init(lx: PatternLexer) { self.lx = lx }

    private mutating func parsePattern() throws(ParseFailure) -> JSONPatternAST {
        lx.skipSpace()
        let open = lx.i
        guard lx.take("{") else { throw ParseFailure("expected '{'", at: lx.i) }
        lx.skipSpace()
        if lx.peek() == 0x7D { throw ParseFailure("empty JSON pattern", at: lx.i) }
        if lx.atEnd { throw ParseFailure("missing closing '}'", at: open) }
        let expression = try parseOr()
        lx.skipSpace()
        if lx.atEnd { throw ParseFailure("missing closing '}'", at: open) }
        guard lx.take("}") else { throw ParseFailure("expected '&&', '||' or '}'", at: lx.i) }
        lx.skipSpace()
        guard lx.atEnd else { throw ParseFailure("unexpected text after the closing '}'", at: lx.i) }
        return JSONPatternAST(expression: expression)
    }

    private mutating func parseOr() throws(ParseFailure) -> BoolExpr<JSONCondition> {
        var parts = [try parseAnd()]
        while true {
            lx.skipSpace()
            guard lx.take("||") else { break }
            parts.append(try parseAnd())
        }
        return .combine(parts, and: false)
    }

    private mutating func parseAnd() throws(ParseFailure) -> BoolExpr<JSONCondition> {
        var parts = [try parsePrimary()]
        while true {
            lx.skipSpace()
            guard lx.take("&&") else { break }
            parts.append(try parsePrimary())
        }
        return .combine(parts, and: true)
    }

    private mutating func parsePrimary() throws(ParseFailure) -> BoolExpr<JSONCondition> {
        lx.skipSpace()
        if lx.peek() == 0x28 {
            let open = lx.i
            lx.i += 1
            let inner = try parseOr()
            lx.skipSpace()
            guard lx.take(")") else {
                if lx.atEnd || lx.peek() == 0x7D { throw ParseFailure("missing ')' for this '('", at: open) }
                throw ParseFailure("expected '&&', '||' or ')'", at: lx.i)
            }
            return inner
        }
        guard lx.peek() == 0x24 else {
            if lx.atEnd { throw ParseFailure("expected a condition", at: lx.i) }
            throw ParseFailure("expected a selector like $.name or '('", at: lx.i)
        }
        return .leaf(try parseCondition())
    }

    private mutating func parseCondition() throws(ParseFailure) -> JSONCondition {
        let selectorAt = lx.i
        let selector = try lx.selector()
        if selector.hasWildcard {
            wildcardSelectors += 1
            guard wildcardSelectors <= JSONPatternParser.maxWildcardSelectors else {
                throw ParseFailure("at most \(JSONPatternParser.maxWildcardSelectors) wildcard selectors are allowed in one pattern", at: selectorAt)
            }
        }
        lx.skipSpace()
        let opAt = lx.i
        if let word = lx.peekWord(), word == "IS" || word == "NOT" || word == "EXISTS" {
            lx.i += word.utf8.count
            lx.skipSpace()
            let argAt = lx.i
            let arg = lx.peekWord()
            lx.i += arg?.utf8.count ?? 0
            switch (word, arg) {
            case ("IS", "NULL"): return JSONCondition(selector: selector, test: .isNull)
            case ("IS", "TRUE"): return JSONCondition(selector: selector, test: .isTrue)
            case ("IS", "FALSE"): return JSONCondition(selector: selector, test: .isFalse)
            case ("IS", "NOT"): throw ParseFailure("IS NOT is not supported; use != or NOT EXISTS", at: opAt)
            case ("IS", _): throw ParseFailure("expected NULL, TRUE or FALSE after IS", at: argAt)
            case ("NOT", "EXISTS"): return JSONCondition(selector: selector, test: .notExists)
            case ("NOT", _): throw ParseFailure("expected EXISTS after NOT", at: argAt)
            default: throw ParseFailure("EXISTS is not supported; use NOT EXISTS, or = * for a value that is present", at: opAt)
            }
        }
        guard let op = try lx.comparisonOperator() else {
            throw ParseFailure("expected an operator (=, !=, <, <=, >, >=, IS, NOT EXISTS)", at: opAt)
        }
        lx.skipSpace()
        let value = try lx.value(stops: JSONPatternParser.valueStops)
        return JSONCondition(selector: selector, test: try ValueTest(op, value, operatorAt: opAt))
    }
}
