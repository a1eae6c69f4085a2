/// The tokens of JSON and space-delimited patterns, read on demand: what a run of characters
/// means depends on where the parser is (an unquoted value may contain `.`, `*`, `/`, `:`, …
/// that are not tokens elsewhere), so the parser asks for the token it expects.
struct PatternLexer {
    /// Regexes allowed inside one JSON or space-delimited pattern (documented quota).
    static let maxRegexes = 2

    let bytes: [UInt8]
    var i: Int = 0
    private(set) var regexCount = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { i >= bytes.count }

    @inline(__always) func peek(_ k: Int = 0) -> UInt8? { i + k < bytes.count ? bytes[i + k] : nil }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    mutating func skipSpace() {
        while i < bytes.count && PatternLexer.isSpace(bytes[i]) { i += 1 }
    }

    /// Consumes `s` if it is next.
    mutating func take(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard i + u.count <= bytes.count, Array(bytes[i..<i + u.count]) == u else { return false }
        i += u.count
        return true
    }

    /// A run of ASCII letters (keywords), without consuming it.
    func peekWord() -> String? {
        var j = i
        while j < bytes.count, (bytes[j] | 0x20) >= 0x61, (bytes[j] | 0x20) <= 0x7A { j += 1 }
        return j > i ? String(decoding: bytes[i..<j], as: UTF8.self) : nil
    }

    /// An identifier (space-delimited field name): a letter or `_`, then letters, digits, `_`.
    mutating func identifier() -> String? {
        guard let b = peek(), isLetter(b) || b == 0x5F else { return nil }
        let s = i
        while let c = peek(), isLetter(c) || isDigit(c) || c == 0x5F { i += 1 }
        return String(decoding: bytes[s..<i], as: UTF8.self)
    }

    /// `=`, `!=`, `<`, `<=`, `>`, `>=`; nil when none is next. `==` (and `>>=`, a typo in one
    /// version of the guide) are rejected rather than read as `=` followed by a value `=…`.
    mutating func comparisonOperator() throws(ParseFailure) -> ComparisonOperator? {
        let at = i
        let op: ComparisonOperator
        if take("!=") { op = .notEqual }
        else if take("<=") { op = .lessOrEqual }
        else if take(">=") { op = .greaterOrEqual }
        else if take("=") { op = .equal }
        else if take("<") { op = .less }
        else if take(">") { op = .greater }
        else { return nil }
        if let b = peek(), b == 0x3D || b == 0x3C || b == 0x3E {
            throw ParseFailure("unknown operator; use one of =, !=, <, <=, >, >=", at: at)
        }
        return op
    }

    /// A value: `"quoted"`, `%regex%`, or an unquoted run that ends at whitespace, `&&`, `||`,
    /// or one of `stops`.
    mutating func value(stops: [UInt8]) throws(ParseFailure) -> ValueToken {
        let start = i
        guard let b = peek() else { throw ParseFailure("expected a value", at: i) }
        if b == 0x22 { return .quoted(try quoted(), at: start) }
        if b == 0x25 { return .regex(try regex(), at: start) }
        while let c = peek() {
            if PatternLexer.isSpace(c) || stops.contains(c) { break }
            if (c == 0x26 && peek(1) == 0x26) || (c == 0x7C && peek(1) == 0x7C) { break }
            if c == 0x22 { throw ParseFailure("unexpected '\"' in an unquoted value (quote the whole value)", at: i) }
            i += 1
        }
        guard i > start else { throw ParseFailure("expected a value", at: start) }
        return .bare(Array(bytes[start..<i]), at: start)
    }

    /// At `"`: the content, with `\"` and `\\` unescaped (other backslashes are literal).
    mutating func quoted() throws(ParseFailure) -> [UInt8] {
        let open = i
        i += 1
        var out: [UInt8] = []
        while i < bytes.count {
            let c = bytes[i]
            if c == 0x22 { i += 1; return out }
            if c == 0x5C, i + 1 < bytes.count, bytes[i + 1] == 0x22 || bytes[i + 1] == 0x5C {
                out.append(bytes[i + 1])
                i += 2
                continue
            }
            out.append(c)
            i += 1
        }
        throw ParseFailure("unterminated string", at: open)
    }

    /// At `%`: compiles the regex up to the next `%`.
    mutating func regex() throws(ParseFailure) -> Regex {
        let open = i
        guard let close = bytes[(i + 1)...].firstIndex(of: 0x25) else {
            throw ParseFailure("unterminated regex (missing closing '%')", at: open)
        }
        regexCount += 1
        guard regexCount <= PatternLexer.maxRegexes else {
            throw ParseFailure("at most \(PatternLexer.maxRegexes) regular expressions are allowed in one pattern", at: open)
        }
        let r = try Regex(bytes, open + 1, close)
        i = close + 1
        return r
    }

    /// At `$`: a JSON selector.
    mutating func selector() throws(ParseFailure) -> Selector {
        let start = i
        guard peek() == 0x24 else { throw ParseFailure("expected a selector starting with '$.'", at: i) }
        i += 1
        var components: [Selector.Component] = []
        var wildcardAt: Int?
        func wildcard(_ at: Int) throws(ParseFailure) {
            if wildcardAt != nil { throw ParseFailure("a selector may contain only one wildcard", at: at) }
            wildcardAt = at
        }
        while let b = peek() {
            if b == 0x2E {  // .
                i += 1
                if peek() == 0x2A {
                    try wildcard(i)
                    i += 1
                    components.append(.anyKey)
                } else if peek() == 0x5B {
                    components.append(try bracket(&wildcardAt))
                } else {
                    let s = i
                    while let c = peek(), isNameByte(c) { i += 1 }
                    guard i > s else { throw ParseFailure("expected a property name after '.'", at: i) }
                    components.append(.key(Array(bytes[s..<i])))
                }
            } else if b == 0x5B {  // [
                components.append(try bracket(&wildcardAt))
            } else {
                break
            }
        }
        guard !components.isEmpty else { throw ParseFailure("a selector needs a property after '$', as in $.name", at: start) }
        if let c = peek(), !isSelectorEnd(c) {
            throw ParseFailure("unexpected \(describeByte(c)) in a selector (property names may contain letters, digits, '-' and '_'; write $.['name'] for any other)", at: i)
        }
        return Selector(components: components)
    }

    /// At `[`: `[3]`, `[*]`, `['key']` or `["key"]`.
    private mutating func bracket(_ wildcardAt: inout Int?) throws(ParseFailure) -> Selector.Component {
        let open = i
        i += 1
        let component: Selector.Component
        if peek() == 0x2A {
            if wildcardAt != nil { throw ParseFailure("a selector may contain only one wildcard", at: i) }
            wildcardAt = i
            i += 1
            component = .anyIndex
        } else if let q = peek(), q == 0x27 || q == 0x22 {
            i += 1
            let s = i
            while let c = peek(), c != q { i += 1 }
            guard peek() == q else { throw ParseFailure("unterminated quoted property name", at: open) }
            component = .key(Array(bytes[s..<i]))
            i += 1
        } else {
            let s = i
            var n = 0
            while let c = peek(), isDigit(c) {
                n = n * 10 + Int(c - 0x30)
                guard n <= 1_000_000 else { throw ParseFailure("array index too large", at: s) }
                i += 1
            }
            guard i > s else { throw ParseFailure("expected an array index, * or a quoted property name inside [ ]", at: i) }
            component = .index(n)
        }
        guard peek() == 0x5D else { throw ParseFailure("expected ']'", at: i) }
        i += 1
        return component
    }

    private func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }
    private func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    /// Property names: "alphanumeric strings that support hyphen and underscore"; non-ASCII
    /// letters are let through rather than rejected.
    private func isNameByte(_ b: UInt8) -> Bool { isLetter(b) || isDigit(b) || b == 0x5F || b == 0x2D || b >= 0x80 }

    private func isSelectorEnd(_ b: UInt8) -> Bool {
        PatternLexer.isSpace(b) || b == 0x3D || b == 0x21 || b == 0x3C || b == 0x3E || b == 0x29 || b == 0x7D
            || b == 0x26 || b == 0x7C
    }
}
