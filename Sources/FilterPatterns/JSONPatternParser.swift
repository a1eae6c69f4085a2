/// Parses `{ … }` patterns: `&&` / `||` (see `PatternLexer.boolExpression`) over conditions
///
///     condition := selector op value | selector "IS" ("NULL"|"TRUE"|"FALSE") | selector "NOT" "EXISTS"
enum JSONPatternParser {
    /// Documented quota: wildcard selectors in one compound pattern.
    static let maxWildcardSelectors = 3

    private static let valueStops: [UInt8] = [0x29, 0x7D]  // ) }

    static func parse(_ bytes: [UInt8]) throws(ParseFailure) -> JSONPatternAST {
        var lx = PatternLexer(bytes)
        lx.skipSpace()
        let open = lx.i
        guard lx.take("{") else { throw ParseFailure("expected '{'", at: lx.i) }
        lx.skipSpace()
        if lx.peek() == 0x7D { throw ParseFailure("empty JSON pattern", at: lx.i) }
        if lx.atEnd { throw ParseFailure("missing closing '}'", at: open) }
        var wildcardSelectors = 0
        let expression = try lx.boolExpression { (lx) throws(ParseFailure) -> JSONCondition in
            try condition(&lx, wildcardSelectors: &wildcardSelectors)
        }
        lx.skipSpace()
        if lx.atEnd { throw ParseFailure("missing closing '}'", at: open) }
        guard lx.take("}") else { throw ParseFailure("expected '&&', '||' or '}'", at: lx.i) }
        lx.skipSpace()
        guard lx.atEnd else { throw ParseFailure("unexpected text after the closing '}'", at: lx.i) }
        return JSONPatternAST(expression: expression)
    }

    private static func condition(_ lx: inout PatternLexer, wildcardSelectors: inout Int) throws(ParseFailure) -> JSONCondition {
        guard lx.peek() == 0x24 else {
            if lx.atEnd { throw ParseFailure("expected a condition", at: lx.i) }
            throw ParseFailure("expected a selector like $.name or '('", at: lx.i)
        }
        let selectorAt = lx.i
        let selector = try lx.selector()
        if selector.hasWildcard {
            wildcardSelectors += 1
            guard wildcardSelectors <= maxWildcardSelectors else {
                throw ParseFailure("at most \(maxWildcardSelectors) wildcard selectors are allowed in one pattern", at: selectorAt)
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
        let value = try lx.value(stops: valueStops)
        return JSONCondition(selector: selector, test: try ValueTest(op, value, operatorAt: opAt))
    }
}
