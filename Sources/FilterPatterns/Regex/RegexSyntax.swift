/// The regex dialect of filter patterns (`%…%`), parsed: alternatives of pieces, no groups.
///
/// The dialect has no parentheses, so `|` always splits the whole expression, and the
/// language is regular with no captures: a DFA decides it in one pass.
struct RegexSyntax: Sendable {
    /// A set of characters: ASCII members as a bitmap, plus "every multi-byte character"
    /// (what `.` and negated classes add; the dialect cannot name a non-ASCII character).
    struct CharSet: Sendable, Hashable {
        var low: UInt64 = 0   // 0x00–0x3F
        var high: UInt64 = 0  // 0x40–0x7F
        var nonASCII = false

        static let any = CharSet(low: ~0, high: ~0, nonASCII: true)

        func contains(_ b: UInt8) -> Bool {
            b < 64 ? low >> b & 1 == 1 : b < 128 ? high >> (b - 64) & 1 == 1 : false
        }

        mutating func insert(_ b: UInt8) {
            if b < 64 { low |= 1 << b } else { high |= 1 << (b - 64) }
        }

        mutating func insert(_ range: ClosedRange<UInt8>) { for b in range { insert(b) } }

        mutating func formUnion(_ other: CharSet) {
            low |= other.low
            high |= other.high
            nonASCII = nonASCII || other.nonASCII
        }

        var inverted: CharSet { CharSet(low: ~low, high: ~high, nonASCII: !nonASCII) }
        var hasASCII: Bool { low != 0 || high != 0 }
    }

    enum Atom: Sendable { case chars(CharSet), start, end }

    struct Piece: Sendable {
        var atom: Atom
        var min: Int
        var max: Int?  // nil: unbounded
    }

    var alternatives: [[Piece]]
}

/// Parses the text between the `%` delimiters. Offsets in errors are into the whole pattern.
struct RegexParser {
    static let maxRepeat = 1000

    private let bytes: [UInt8]
    private var i: Int
    private let end: Int

    /// - Parameters: `lo..<hi` is the regex source inside `bytes` (the whole filter pattern).
    static func parse(_ bytes: [UInt8], _ lo: Int, _ hi: Int) throws(ParseFailure) -> RegexSyntax {
        var p = RegexParser(bytes: bytes, i: lo, end: hi)
        return try p.parseAlternatives()
    }

    private init(bytes: [UInt8], i: Int, end: Int) {
        self.bytes = bytes
        self.i = i
        self.end = end
    }

    private mutating func parseAlternatives() throws(ParseFailure) -> RegexSyntax {
        guard i < end else { throw ParseFailure("empty regex", at: i) }
        var alternatives: [[RegexSyntax.Piece]] = []
        var current: [RegexSyntax.Piece] = []
        var alternativeStart = i
        while i < end {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "|"):
                guard !current.isEmpty else { throw ParseFailure("empty alternative before '|'", at: i) }
                alternatives.append(current)
                current = []
                i += 1
                alternativeStart = i
            case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"), UInt8(ascii: "{"):
                try applyQuantifier(to: &current)
            case UInt8(ascii: "^"):
                current.append(.init(atom: .start, min: 1, max: 1)); i += 1
            case UInt8(ascii: "$"):
                current.append(.init(atom: .end, min: 1, max: 1)); i += 1
            case UInt8(ascii: "."):
                current.append(.init(atom: .chars(.any), min: 1, max: 1)); i += 1
            case UInt8(ascii: "["):
                current.append(.init(atom: .chars(try parseClass()), min: 1, max: 1))
            case UInt8(ascii: "\\"):
                current.append(.init(atom: .chars(try parseEscape()), min: 1, max: 1))
            default:
                try checkLiteral(b, at: i)
                var set = RegexSyntax.CharSet()
                set.insert(b)
                current.append(.init(atom: .chars(set), min: 1, max: 1))
                i += 1
            }
        }
        guard !current.isEmpty else { throw ParseFailure("empty alternative after '|'", at: alternativeStart) }
        alternatives.append(current)
        return RegexSyntax(alternatives: alternatives)
    }

    /// Literal characters the documentation allows, plus space (used by a documented example).
    /// `]` and `}` outside a class or quantifier are literal, as in POSIX.
    static func isAllowedLiteral(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: ":"), UInt8(ascii: "_"), UInt8(ascii: "#"), UInt8(ascii: "="), UInt8(ascii: "@"), UInt8(ascii: "/"),
            UInt8(ascii: ";"), UInt8(ascii: ","), UInt8(ascii: "-"), UInt8(ascii: " "), UInt8(ascii: "]"), UInt8(ascii: "}"):
            return true
        default:
            return false
        }
    }

    /// Operator characters that a backslash turns into literals.
    static func isOperator(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "^"), UInt8(ascii: "$"), UInt8(ascii: "?"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"),
            UInt8(ascii: "}"), UInt8(ascii: "|"), UInt8(ascii: "\\"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "."):
            return true
        default:
            return false
        }
    }

    private func checkLiteral(_ b: UInt8, at offset: Int) throws(ParseFailure) {
        if RegexParser.isAllowedLiteral(b) { return }
        throw RegexParser.unsupported(b, at: offset)
    }

    private static func unsupported(_ b: UInt8, at offset: Int) -> ParseFailure {
        if b >= 0x80 { return ParseFailure("multi-byte characters are not supported in a regex", at: offset) }
        let hex = String(b, radix: 16, uppercase: true)
        let code = "\\x" + (hex.count == 1 ? "0" + hex : hex)
        if b == UInt8(ascii: "(") || b == UInt8(ascii: ")") {
            return ParseFailure("\(describeByte(b)) is not supported in a regex (there are no groups); match it with \(code)", at: offset)
        }
        return ParseFailure("\(describeByte(b)) is not supported in a regex; match it with \(code)", at: offset)
    }

    private mutating func applyQuantifier(to pieces: inout [RegexSyntax.Piece]) throws(ParseFailure) {
        let at = i
        let q = bytes[i]
        var lo = 0, hi: Int? = nil
        switch q {
        case UInt8(ascii: "*"): i += 1
        case UInt8(ascii: "+"): lo = 1; i += 1
        case UInt8(ascii: "?"): hi = 1; i += 1
        default: (lo, hi) = try parseBraces()
        }
        guard var last = pieces.popLast() else { throw ParseFailure("nothing to repeat before \(describeByte(q))", at: at) }
        guard case .chars = last.atom else { throw ParseFailure("an anchor cannot be repeated", at: at) }
        guard last.min == 1 && last.max == 1 else {
            throw ParseFailure("a quantifier cannot follow another quantifier", at: at)
        }
        last.min = lo
        last.max = hi
        pieces.append(last)
        // A trailing `?` (lazy in other dialects) selects the same strings, and a filter only asks
        // whether something matches, so it is accepted and changes nothing.
        if i < end && bytes[i] == UInt8(ascii: "?") { i += 1 }
    }

    /// `{m}`, `{m,}`, `{,n}`, `{m,n}`.
    private mutating func parseBraces() throws(ParseFailure) -> (Int, Int?) {
        let open = i
        i += 1
        func number() throws(ParseFailure) -> Int? {
            let s = i
            var v = 0
            while i < end, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                v = v * 10 + Int(bytes[i] - 0x30)
                if v > RegexParser.maxRepeat { throw ParseFailure("repetition count above \(RegexParser.maxRepeat)", at: s) }
                i += 1
            }
            return i > s ? v : nil
        }
        let lo = try number()
        var hi: Int?
        if i < end && bytes[i] == UInt8(ascii: ",") {
            i += 1
            hi = try number()
            guard lo != nil || hi != nil else { throw ParseFailure("invalid repetition (write \\{ for a literal '{')", at: open) }
        } else {
            guard lo != nil else { throw ParseFailure("invalid repetition (write \\{ for a literal '{')", at: open) }
            hi = lo
        }
        guard i < end && bytes[i] == UInt8(ascii: "}") else {
            throw ParseFailure("invalid repetition (write \\{ for a literal '{')", at: open)
        }
        i += 1
        if let lo, let hi, lo > hi { throw ParseFailure("repetition minimum \(lo) is above its maximum \(hi)", at: open) }
        return (lo ?? 0, hi)
    }

    /// At `\`: a class escape, `\xhh`, or an escaped operator or symbol.
    private mutating func parseEscape() throws(ParseFailure) -> RegexSyntax.CharSet {
        let at = i
        i += 1
        guard i < end else { throw ParseFailure("trailing backslash", at: at) }
        let e = bytes[i]
        i += 1
        var set = RegexSyntax.CharSet()
        switch e {
        case UInt8(ascii: "d"), UInt8(ascii: "D"):
            set.insert(0x30...0x39)
            return e == UInt8(ascii: "d") ? set : set.inverted
        case UInt8(ascii: "s"), UInt8(ascii: "S"):
            // The documented whitespace: tab, space, newline.
            set.insert(0x09); set.insert(0x20); set.insert(0x0A)
            return e == UInt8(ascii: "s") ? set : set.inverted
        case UInt8(ascii: "w"), UInt8(ascii: "W"):
            set.insert(0x30...0x39); set.insert(0x41...0x5A); set.insert(0x61...0x7A); set.insert(0x5F)
            return e == UInt8(ascii: "w") ? set : set.inverted
        case UInt8(ascii: "x"):
            guard i + 2 <= end, let h = hexValue(bytes[i]), let l = hexValue(bytes[i + 1]) else {
                throw ParseFailure("\\x needs two hex digits", at: at)
            }
            let v = h << 4 | l
            guard v < 0x80 else { throw ParseFailure("\\x\(String(v, radix: 16)) is not ASCII; multi-byte characters are not supported", at: at) }
            i += 2
            set.insert(v)
            return set
        default:
            if RegexParser.isOperator(e) || (RegexParser.isAllowedLiteral(e) && !isAlphanumeric(e)) {
                set.insert(e)
                return set
            }
            if isAlphanumeric(e) { throw ParseFailure("unsupported escape \\\(Character(Unicode.Scalar(e)))", at: at) }
            throw RegexParser.unsupported(e, at: at + 1)
        }
    }

    /// At `[`: `[abc]`, `[a-z]`, `[^…]`; `]` first is literal.
    private mutating func parseClass() throws(ParseFailure) -> RegexSyntax.CharSet {
        let open = i
        i += 1
        var negated = false
        if i < end && bytes[i] == UInt8(ascii: "^") { negated = true; i += 1 }
        var set = RegexSyntax.CharSet()
        var first = true
        while true {
            guard i < end else { throw ParseFailure("unterminated character class", at: open) }
            let b = bytes[i]
            if b == UInt8(ascii: "]") && !first { i += 1; break }
            first = false
            let itemAt = i
            var single: UInt8?
            if b == UInt8(ascii: "\\") {
                let s = try parseEscape()
                if let only = s.singleASCII { single = only } else { set.formUnion(s); continue }
            } else {
                if !RegexParser.isAllowedLiteral(b) && !RegexParser.isOperator(b) { throw RegexParser.unsupported(b, at: i) }
                single = b
                i += 1
            }
            guard let lo = single else { continue }
            // A range, unless the `-` is the last character of the class.
            if i + 1 < end && bytes[i] == UInt8(ascii: "-") && bytes[i + 1] != UInt8(ascii: "]") {
                i += 1
                let hiAt = i
                var hi: UInt8
                if bytes[i] == UInt8(ascii: "\\") {
                    let s = try parseEscape()
                    guard let only = s.singleASCII else { throw ParseFailure("a range cannot end in a class escape", at: hiAt) }
                    hi = only
                } else {
                    hi = bytes[i]
                    if !RegexParser.isAllowedLiteral(hi) && !RegexParser.isOperator(hi) { throw RegexParser.unsupported(hi, at: i) }
                    i += 1
                }
                guard lo <= hi else { throw ParseFailure("invalid range (start is after end)", at: itemAt) }
                set.insert(lo...hi)
            } else {
                set.insert(lo)
            }
        }
        return negated ? set.inverted : set
    }

    private func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x41...0x46: return b - 0x41 + 10
        case 0x61...0x66: return b - 0x61 + 10
        default: return nil
        }
    }

    private func isAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }
}

extension RegexSyntax.CharSet {
    /// The member when the set is exactly one ASCII character.
    var singleASCII: UInt8? {
        guard !nonASCII, low.nonzeroBitCount + high.nonzeroBitCount == 1 else { return nil }
        return low != 0 ? UInt8(low.trailingZeroBitCount) : UInt8(64 + high.trailingZeroBitCount)
    }
}
