/// A JSON selector: `$.a.b[0]`, `$.*`, `$.a[*].id`, `$.['dotted.key']`.
struct Selector: Sendable, Hashable {
    enum Component: Sendable, Hashable {
        case key([UInt8])
        case index(Int)
        case anyKey    // `.*`: every member of an object
        case anyIndex  // `[*]`: every element of an array
    }

    var components: [Component]

    var hasWildcard: Bool {
        components.contains { $0 == .anyKey || $0 == .anyIndex }
    }
}

enum ComparisonOperator: Sendable, Hashable {
    case equal, notEqual, less, greater, lessOrEqual, greaterOrEqual

    func compare(_ a: Double, _ b: Double) -> Bool {
        switch self {
        case .equal: return a == b
        case .notEqual: return a != b
        case .less: return a < b
        case .greater: return a > b
        case .lessOrEqual: return a <= b
        case .greaterOrEqual: return a >= b
        }
    }
}

/// What a condition asks of one value.
enum ValueTest: Sendable {
    case string(StringPattern, negated: Bool)
    case number(ComparisonOperator, Double)
    case regex(Regex, negated: Bool)
    case isNull, isTrue, isFalse, notExists

    /// The test a comparison operator and a value token make. Throws for a regex or a string
    /// under an ordering operator.
    init(_ op: ComparisonOperator, _ value: ValueToken, operatorAt: Int) throws(ParseFailure) {
        switch value {
        case .regex(let r, _):
            guard op == .equal || op == .notEqual else {
                throw ParseFailure("a regex can only be compared with = or !=", at: operatorAt)
            }
            self = .regex(r, negated: op == .notEqual)
        case .quoted(let s, let at):
            // "Strings don't support scientific notation": such a value is a number even quoted.
            if NumberLiteral.isScientific(s), let d = NumberLiteral.parse(s) {
                self = .number(op, d)
            } else if op == .equal || op == .notEqual {
                self = .string(StringPattern(s), negated: op == .notEqual)
            } else if let d = NumberLiteral.parse(s) {
                self = .number(op, d)
            } else {
                throw ParseFailure("this comparison needs a number", at: at)
            }
        case .bare(let s, let at):
            if let d = NumberLiteral.parse(s) {
                self = .number(op, d)
            } else if op == .equal || op == .notEqual {
                self = .string(StringPattern(s), negated: op == .notEqual)
            } else {
                throw ParseFailure("this comparison needs a number", at: at)
            }
        }
    }
}

/// A value as written in a pattern, before an operator gives it meaning.
enum ValueToken: Sendable {
    case quoted([UInt8], at: Int)
    case bare([UInt8], at: Int)
    case regex(Regex, at: Int)
}

/// `&&` / `||` over conditions, as parsed (parentheses become nesting).
indirect enum BoolExpr<Leaf: Sendable>: Sendable {
    case leaf(Leaf)
    case and([BoolExpr])
    case or([BoolExpr])

    /// Flattens `a && (b && c)` into one node, so evaluation does not recurse for nothing.
    static func combine(_ parts: [BoolExpr], and: Bool) -> BoolExpr {
        if parts.count == 1 { return parts[0] }
        var flat: [BoolExpr] = []
        for p in parts {
            switch (p, and) {
            case (.and(let inner), true), (.or(let inner), false): flat.append(contentsOf: inner)
            default: flat.append(p)
            }
        }
        return and ? .and(flat) : .or(flat)
    }

    func map<T: Sendable>(_ f: (Leaf) throws(ParseFailure) -> T) throws(ParseFailure) -> BoolExpr<T> {
        switch self {
        case .leaf(let l): return .leaf(try f(l))
        case .and(let parts):
            var out: [BoolExpr<T>] = []
            for p in parts { out.append(try p.map(f)) }
            return .and(out)
        case .or(let parts):
            var out: [BoolExpr<T>] = []
            for p in parts { out.append(try p.map(f)) }
            return .or(out)
        }
    }
}

/// One `selector op value` (or `IS …`, `NOT EXISTS`) of a JSON pattern.
struct JSONCondition: Sendable {
    var selector: Selector
    var test: ValueTest
}

/// A parsed `{ … }` pattern.
struct JSONPatternAST: Sendable {
    var expression: BoolExpr<JSONCondition>
}

/// One `name op value` of a space-delimited pattern; `slot` is the referenced field's position.
struct SpaceCondition: Sendable {
    var slot: Int
    var test: ValueTest
}

/// A parsed `[ … ]` pattern.
struct SpaceDelimitedAST: Sendable {
    /// Per position: the field's name, nil for `...`.
    var slots: [String?]
    var ellipsis: Int?
    /// The conditions of every slot, and-ed; nil when the pattern only names fields.
    var expression: BoolExpr<SpaceCondition>?

    func slot(named name: String) -> Int? { slots.firstIndex(of: name) }
}
