extension PatternLexer {
    /// The `&&` / `||` grammar both JSON patterns and space-delimited slots use:
    ///
    ///     expr    := and { "||" and }
    ///     and     := primary { "&&" primary }
    ///     primary := "(" expr ")" | leaf
    ///
    /// so `&&` binds tighter than `||` and parentheses override both. `leaf` parses one
    /// condition (and reports what it expected when there is none).
    mutating func boolExpression<Leaf>(_ leaf: (inout PatternLexer) throws(ParseFailure) -> Leaf) throws(ParseFailure) -> BoolExpr<Leaf> {
        var parts = [try conjunction(leaf)]
        while true {
            skipSpace()
            guard take("||") else { break }
            parts.append(try conjunction(leaf))
        }
        return .combine(parts, and: false)
    }

    private mutating func conjunction<Leaf>(_ leaf: (inout PatternLexer) throws(ParseFailure) -> Leaf) throws(ParseFailure) -> BoolExpr<Leaf> {
        var parts = [try primary(leaf)]
        while true {
            skipSpace()
            guard take("&&") else { break }
            parts.append(try primary(leaf))
        }
        return .combine(parts, and: true)
    }

    private mutating func primary<Leaf>(_ leaf: (inout PatternLexer) throws(ParseFailure) -> Leaf) throws(ParseFailure) -> BoolExpr<Leaf> {
        skipSpace()
        guard peek() == 0x28 else { return .leaf(try leaf(&self)) }
        let open = i
        i += 1
        let inner = try boolExpression(leaf)
        skipSpace()
        guard take(")") else {
            // At the end of the pattern or of the slot, the `(` was never closed; anywhere else
            // something stands where an operator or `)` should.
            if atEnd || peek() == 0x7D || peek() == 0x5D || peek() == 0x2C {
                throw ParseFailure("missing ')' for this '('", at: open)
            }
            throw ParseFailure("expected '&&', '||' or ')'", at: i)
        }
        return inner
    }
}
