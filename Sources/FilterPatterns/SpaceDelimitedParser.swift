/// Parses `[ … ]` patterns: comma-separated slots, each `...`, a field name, or conditions on
/// fields joined by `&&` / `||` (with parentheses). A slot's field is the one its first
/// condition names; conditions may name any field of the pattern.
struct SpaceDelimitedParser {
    private var lx: PatternLexer
    private var slots: [String?] = []
    private var slotAt: [Int] = []
    private static let valueStops: [UInt8] = [0x2C, 0x5D, 0x29]  // , ] )

    static func parse(_ bytes: [UInt8]) throws(ParseFailure) -> SpaceDelimitedAST {
        var p = SpaceDelimitedParser(lx: PatternLexer(bytes))
        return try p.parsePattern()
    }

    private init(lx: PatternLexer) { self.lx = lx }

    private mutating func parsePattern() throws(ParseFailure) -> SpaceDelimitedAST {
        lx.skipSpace()
        let open = lx.i
        guard lx.take("[") else { throw ParseFailure("expected '['", at: lx.i) }
        var slotExpressions: [BoolExpr<(name: String, test: ValueTest, at: Int)>] = []
        var ellipsis: Int?
        while true {
            lx.skipSpace()
            let at = lx.i
            if lx.atEnd { throw ParseFailure("missing closing ']'", at: open) }
            if lx.take("...") {
                if ellipsis != nil { throw ParseFailure("only one '...' is allowed in a pattern", at: at) }
                ellipsis = slots.count
                slots.append(nil)
                slotAt.append(at)
            } else {
                guard let name = peekIdentifier() else {
                    if lx.peek() == 0x5D { throw ParseFailure("expected a field name or '...'", at: at) }
                    throw ParseFailure("expected a field name, a condition or '...'", at: at)
                }
                let expression = try slotConditions()
                slots.append(name)
                slotAt.append(at)
                if let e = expression { slotExpressions.append(e) }
            }
            lx.skipSpace()
            if lx.take(",") { continue }
            if lx.take("]") { break }
            if lx.atEnd { throw ParseFailure("missing closing ']'", at: open) }
            throw ParseFailure("expected ',' or ']'", at: lx.i)
        }
        lx.skipSpace()
        guard lx.atEnd else { throw ParseFailure("unexpected text after the closing ']'", at: lx.i) }

        for (k, name) in slots.enumerated() {
            guard let name else { continue }
            if slots[..<k].contains(name) { throw ParseFailure("field '\(name)' is named twice", at: slotAt[k]) }
        }
        let slots = self.slots
        let resolved = try slotExpressions.map { (e) throws(ParseFailure) -> BoolExpr<SpaceCondition> in
            try e.map { (leaf) throws(ParseFailure) -> SpaceCondition in
                guard let slot = slots.firstIndex(of: leaf.name) else {
                    throw ParseFailure("no field named '\(leaf.name)' in this pattern", at: leaf.at)
                }
                return SpaceCondition(slot: slot, test: leaf.test)
            }
        }
        return SpaceDelimitedAST(slots: slots, ellipsis: ellipsis,
                                 expression: resolved.isEmpty ? nil : .combine(resolved, and: true))
    }

    /// The field a slot declares: the first identifier in it.
    private func peekIdentifier() -> String? {
        var probe = lx
        while probe.peek() == 0x28 {
            probe.i += 1
            probe.skipSpace()
        }
        return probe.identifier()
    }

    /// A slot's conditions, or nil when the slot is only a name.
    private mutating func slotConditions() throws(ParseFailure) -> BoolExpr<(name: String, test: ValueTest, at: Int)>? {
        var probe = lx
        _ = probe.identifier()
        probe.skipSpace()
        if probe.atEnd || probe.peek() == 0x2C || probe.peek() == 0x5D {
            lx = probe
            return nil
        }
        return try lx.boolExpression(SpaceDelimitedParser.condition)
    }

    /// `name op value`; the name is resolved once every slot is known.
    private static func condition(_ lx: inout PatternLexer) throws(ParseFailure) -> (name: String, test: ValueTest, at: Int) {
        let at = lx.i
        guard let name = lx.identifier() else { throw ParseFailure("expected a field name", at: at) }
        lx.skipSpace()
        let opAt = lx.i
        guard let op = try lx.comparisonOperator() else {
            throw ParseFailure("expected an operator (=, !=, <, <=, >, >=)", at: opAt)
        }
        lx.skipSpace()
        let value = try lx.value(stops: valueStops)
        return (name: name, test: try ValueTest(op, value, operatorAt: opAt), at: at)
    }
}
