/// One row between commands: the record it came from (until a `stats`/`pattern`/`diff` replaces
/// records by computed rows) and the values of fields that commands defined, in slots the
/// compiler assigned. A field reference is resolved once, at compile time, to a slot or to a
/// record lookup, so per-row evaluation does no name lookups in dictionaries.
struct Row {
    var record: (any InsightsRecord)?
    var slots: [InsightsValue]
}

/// A compiled expression.
typealias Eval = (Row) -> InsightsValue

/// The fields visible at a point of the pipeline.
struct Schema {
    /// Rows carry a record (before the first `stats`/`pattern`/`diff`).
    var hasRecord: Bool
    var slotIndex: [String: Int] = [:]
    var slotCount = 0

    /// The slot of `name`, allocating one on first definition (a redefinition reuses it).
    mutating func define(_ name: String) -> Int {
        if let i = slotIndex[name] { return i }
        slotIndex[name] = slotCount
        slotCount += 1
        return slotCount - 1
    }
}

/// Expression → closure, against a schema.
struct ExprCompiler {
    var schema: Schema
    let context: QueryContext

    init(schema: Schema, context: QueryContext) {
        self.schema = schema
        self.context = context
    }

    // MARK: Fields

    /// Resolution order: a slot with the full name; a slot holding a map/list named by a leading
    /// part of the path, descended by the rest (`json.a`, `list.1`, `event.name` after `unnest`);
    /// the record (flattened JSON paths and system fields); otherwise null.
    func field(_ f: FieldRef) -> Eval {
        if let i = schema.slotIndex[f.name] { return { $0.slots[i] } }
        let segs = f.segments
        if segs.count > 1 {
            for k in stride(from: segs.count - 1, through: 1, by: -1) {
                if let i = schema.slotIndex[segs[0..<k].joined(separator: ".")] {
                    let rest = Array(segs[k...])
                    return { ExprCompiler.descend($0.slots[i], rest[...]) }
                }
            }
        }
        guard schema.hasRecord else { return { _ in .null } }
        if f.name == "@timestamp" { return { .timestamp($0.record!.timestampMillis) } }
        return { $0.record!.value(of: f) }
    }

    /// Map keys by name, list elements by 0-based index; a leaf boolean reads as "true"/"false"
    /// like a discovered JSON field (spec §9); a string is opaque (no sub-fields).
    static func descend(_ value: InsightsValue, _ path: ArraySlice<String>) -> InsightsValue {
        guard let head = path.first else {
            if case .bool(let b) = value { return .string(b ? "true" : "false") }
            return value
        }
        switch value {
        case .map(let m):
            if let v = m[head] { return descend(v, path.dropFirst()) }
            // A key containing dots, written with backticks or flattened.
            var key = head
            for (n, seg) in path.dropFirst().enumerated() {
                key += "." + seg
                if let v = m[key] { return descend(v, path.dropFirst(n + 2)) }
            }
            return .null
        case .list(let l):
            guard let i = Int(head), l.indices.contains(i) else { return .null }
            return descend(l[i], path.dropFirst())
        default:
            return .null
        }
    }

    /// `@timestamp` of a row: the record's, or a column named `@timestamp` after a `stats`.
    var timestamp: Eval { field(FieldRef("@timestamp")) }

    // MARK: Expressions

    func compile(_ e: Expr) throws(InsightsError) -> Eval {
        switch e {
        case .field(let f):
            return field(f)
        case .literal(let v):
            return { _ in v }
        case .period(let p):
            let ms = Double(try Period(p).fixedMillisApprox)
            return { _ in .number(ms) }
        case .regex(let r):
            throw InsightsError(.semantic, "a regular expression (/\(r.pattern)/) is only valid after like, not like, =~, in parse, or as a function's pattern")
        case .array(let items):
            let evals = try items.map { (x) throws(InsightsError) -> Eval in try compile(x) }
            return { row in .list(evals.map { $0(row) }) }
        case .star:
            throw InsightsError(.semantic, "* is only valid in count(*)")
        case .unary(.negate, let x):
            let a = try compile(x)
            return { row in
                let v = a(row)
                guard let d = v.numeric else { return .null }
                return .number(-d)
            }
        case .unary(.not, let x):
            let a = try compile(x)
            return { row in
                guard let t = Operators.truth(a(row)) else { return .null }
                return .bool(!t)
            }
        case .binary(let op, let l, let r):
            return try binary(op, l, r)
        case .call(let name, let args):
            guard let sig = FunctionCatalog.lookup(name) else {
                throw InsightsError(.semantic, "unknown function '\(name)'")
            }
            if sig.kind == .aggregate {
                throw InsightsError(.semantic, "\(sig.name)() is an aggregation and is only valid in stats")
            }
            guard args.count >= sig.minArguments, sig.maxArguments.map({ args.count <= $0 }) ?? true else {
                throw InsightsError(.semantic, "\(sig.name)() takes \(ExprCompiler.arity(sig)) argument\(sig.minArguments == 1 && sig.maxArguments == 1 ? "" : "s"), not \(args.count)")
            }
            return try Functions.compile(sig.name, args, self)
        }
    }

    static func arity(_ sig: FunctionSignature) -> String {
        switch sig.maxArguments {
        case nil: return "at least \(sig.minArguments)"
        case let m? where m == sig.minArguments: return "\(m)"
        case let m?: return "\(sig.minArguments) to \(m)"
        }
    }

    /// A predicate for `filter`: only true keeps a row (false and unknown drop it).
    func predicate(_ e: Expr) throws(InsightsError) -> (Row) -> Bool {
        // The hot CloudTrail shape `field = "literal"` / `field != "literal"` on a record field
        // skips boxing the comparison result.
        if case .binary(let op, let l, let r) = e, op == .equal || op == .notEqual {
            var fieldSide: Expr?, lit: InsightsValue?
            if case .literal(let v) = r { fieldSide = l; lit = v } else if case .literal(let v) = l { fieldSide = r; lit = v }
            if let fieldSide, case .string(let s)? = lit, parseStrictNumber(s) == nil {
                let a = try compile(fieldSide)
                let wantEqual = op == .equal
                return { row in
                    switch a(row) {
                    case .string(let v): return (v == s) == wantEqual
                    case .null, .list, .map: return false
                    case let other:
                        guard let c = Operators.compare(other, .string(s)) else { return false }
                        return (c == 0) == wantEqual
                    }
                }
            }
        }
        let a = try compile(e)
        return { Operators.truth(a($0)) == true }
    }

    private func binary(_ op: BinaryOperator, _ l: Expr, _ r: Expr) throws(InsightsError) -> Eval {
        switch op {
        case .and:
            let a = try compile(l), b = try compile(r)
            return { row in
                let x = Operators.truth(a(row))
                if x == false { return .bool(false) }
                let y = Operators.truth(b(row))
                if y == false { return .bool(false) }
                if x == true && y == true { return .bool(true) }
                return .null
            }
        case .or:
            let a = try compile(l), b = try compile(r)
            return { row in
                let x = Operators.truth(a(row))
                if x == true { return .bool(true) }
                let y = Operators.truth(b(row))
                if y == true { return .bool(true) }
                if x == false && y == false { return .bool(false) }
                return .null
            }
        case .add, .subtract, .multiply, .divide, .modulo, .power:
            let a = try compile(l), b = try compile(r)
            return { row in Operators.arithmetic(op, a(row), b(row)) }
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual:
            let a = try compile(l), b = try compile(r)
            let test: (Int) -> Bool
            switch op {
            case .equal: test = { $0 == 0 }
            case .notEqual: test = { $0 != 0 }
            case .less: test = { $0 < 0 }
            case .lessOrEqual: test = { $0 <= 0 }
            case .greater: test = { $0 > 0 }
            default: test = { $0 >= 0 }
            }
            return { row in
                let x = a(row), y = b(row)
                guard let c = Operators.compare(x, y) else {
                    // Null is unknown; a map or list compared with anything is false (spec §3).
                    return x.isNull || y.isNull ? .null : .bool(false)
                }
                return .bool(test(c))
            }
        case .like, .notLike, .matches:
            let a = try compile(l)
            let negate = op == .notLike
            let m = try matcher(r)
            return { row in
                guard let s = a(row).stringForm else { return .null }
                guard let hit = m(s, row) else { return .null }
                return .bool(hit != negate)
            }
        case .in, .notIn:
            let a = try compile(l)
            let negate = op == .notIn
            if case .array(let items) = r, items.allSatisfy({ if case .literal = $0 { true } else { false } }) {
                var set = Set<String>()
                for case .literal(let v) in items { if let s = v.stringForm { set.insert(s) } }
                return { row in
                    guard let s = a(row).stringForm else { return .null }
                    return .bool(set.contains(s) != negate)
                }
            }
            let b = try compile(r)
            return { row in
                guard let s = a(row).stringForm else { return .null }
                let members: [InsightsValue]
                switch b(row) {
                case .list(let l): members = l
                case .null: return .null
                case let other: members = [other]
                }
                return .bool(members.contains { $0.stringForm == s } != negate)
            }
        }
    }

    /// The right side of `like`/`=~`: a quoted string is a case-sensitive substring, a `/regex/`
    /// an unanchored regex search (a regex without metacharacters is searched as a substring).
    /// Returns nil (unknown) when a computed pattern is null.
    private func matcher(_ r: Expr) throws(InsightsError) -> (String, Row) -> Bool? {
        switch r {
        case .literal(let v):
            let needle = Array((v.stringForm ?? "").utf8)
            return { s, _ in utf8Contains(s, needle) }
        case .regex(let lit):
            if let plain = TextMatch.literalText(ofRegex: lit.pattern) {
                let needle = Array(plain.utf8)
                return { s, _ in utf8Contains(s, needle) }
            }
            let re = try TextMatch.regex(lit.pattern)
            return { s, _ in s.contains(re) }
        default:
            let b = try compile(r)
            return { s, row in
                guard let needle = b(row).stringForm else { return nil }
                return utf8Contains(s, Array(needle.utf8))
            }
        }
    }
}

extension Period {
    /// Length in ms (calendar units by their average length) for a period used as a plain value.
    var fixedMillisApprox: Int64 {
        switch kind {
        case .fixed(let ms): return ms
        case .months(let n): return Int64(n) * 2_629_746_000
        }
    }
}

/// Regex compilation shared by `like`, `=~`, `parse` and `regexReplace`.
enum TextMatch {
    static func regex(_ pattern: String) throws(InsightsError) -> Regex<AnyRegexOutput> {
        do {
            // Unicode-scalar semantics: `.` is one code point, as in PCRE/RE2, not one grapheme.
            return try Regex(pattern).matchingSemantics(.unicodeScalar)
        } catch {
            throw InsightsError(.semantic, "invalid regular expression /\(pattern)/: \(error)")
        }
    }

    /// The text a regex matches when it has no metacharacters (`/Exception/`), else nil.
    static func literalText(ofRegex pattern: String) -> String? {
        let meta: Set<Character> = ["\\", ".", "*", "+", "?", "(", ")", "[", "]", "{", "}", "|", "^", "$"]
        if pattern.isEmpty || pattern.contains(where: meta.contains) { return nil }
        return pattern
    }

    /// Named groups in order of appearance: `(?<name>`, `(?P<name>`, `(?'name'`.
    static func groupNames(_ pattern: String) -> [String] {
        var names: [String] = []
        let p = Array(pattern)
        var i = 0
        while i < p.count {
            if p[i] == "\\" { i += 2; continue }
            if p[i] == "(", i + 2 < p.count, p[i + 1] == "?" {
                var j = i + 2
                if j < p.count, p[j] == "P" { j += 1 }
                if j < p.count, p[j] == "<" || p[j] == "'", j + 1 < p.count, p[j + 1] != "=" && p[j + 1] != "!" {
                    let close: Character = p[j] == "<" ? ">" : "'"
                    var k = j + 1
                    var name = ""
                    while k < p.count, p[k] != close { name.append(p[k]); k += 1 }
                    if !name.isEmpty { names.append(name) }
                }
            }
            i += 1
        }
        return names
    }
}
