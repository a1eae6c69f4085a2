/// One lexical token of a Logs Insights query.
struct QueryToken: Sendable {
    enum Kind: Equatable, Sendable {
        /// A field name or a keyword (keywords are recognised by the parser, in context, so a
        /// field may be called `desc` or `by`). `quoted` when any part was backticked or indexed
        /// (`` `and` ``, `list[0]`): such a token is always a field, never a keyword or function.
        case identifier(segments: [String], quoted: Bool)
        case string(String)
        case number(Double)
        case period(TimePeriod)
        /// Only produced by `QueryLexer.regex(at:)`: the parser decides where a `/` opens a regex.
        case regex(String)
        case pipe, leftParen, rightParen, leftBracket, rightBracket, comma
        case plus, minus, star, slash, percent, caret
        case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual, matches
        case end
    }

    var kind: Kind
    /// Offsets into the lexer's character array: `[start, end)`.
    var start: Int
    var end: Int
    var location: SourceLocation
    /// Whitespace or a comment separates this token from the previous one; used to rebuild
    /// projection names with normalised whitespace and without comments.
    var spaced: Bool

    /// A plain single-segment identifier, lowercased, for matching keywords, commands and
    /// function names; nil for anything else.
    var word: String? {
        if case .identifier(let segments, false) = kind, segments.count == 1 { return segments[0].lowercased() }
        return nil
    }
}

/// Turns query text into tokens on demand. Lazy on purpose: whether `/` opens a regex depends on
/// the grammar (operand position or not), so the parser asks for a regex with `regex(at:)` where
/// it expects an operand and otherwise gets a `slash`; text inside a regex is never lexed as
/// tokens, so quotes or `#` in it cannot derail the lexer.
struct QueryLexer: Sendable {
    let chars: [Character]
    /// Line texts, for `InsightsError.sourceLine`.
    let lines: [String]
    private(set) var offset = 0
    private var line = 1
    private var column = 1

    init(_ text: String) {
        chars = Array(text)
        var lines: [String] = []
        var current = ""
        for c in chars {
            if c.isNewline {
                lines.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        lines.append(current)
        self.lines = lines
    }

    func failure(_ message: String, at location: SourceLocation) -> InsightsError {
        failure(.syntax, message, at: location)
    }

    func failure(_ kind: InsightsError.Kind, _ message: String, at location: SourceLocation) -> InsightsError {
        let source = location.line - 1 < lines.count ? lines[location.line - 1] : nil
        return InsightsError(kind, message, line: location.line, column: location.column, sourceLine: source)
    }

    private var here: SourceLocation { SourceLocation(line: line, column: column) }

    private func peekChar(_ ahead: Int = 0) -> Character? {
        let i = offset + ahead
        return i < chars.count ? chars[i] : nil
    }

    private mutating func advance() {
        if chars[offset].isNewline {
            line += 1
            column = 1
        } else {
            column += 1
        }
        offset += 1
    }

    /// Skips whitespace and `#` comments; reports whether anything was skipped.
    private mutating func skipTrivia() -> Bool {
        var skipped = false
        while let c = peekChar() {
            if c.isWhitespace {
                advance()
            } else if c == "#" {
                while let d = peekChar(), !d.isNewline { advance() }
            } else {
                break
            }
            skipped = true
        }
        return skipped
    }

    /// Repositions at a token already produced (to re-read a `/` as a regex, or to backtrack
    /// after looking ahead).
    mutating func reset(to token: QueryToken) {
        offset = token.start
        line = token.location.line
        column = token.location.column
    }

    mutating func next() throws(InsightsError) -> QueryToken {
        let spaced = skipTrivia() || offset == 0
        let start = offset
        let location = here
        func token(_ kind: QueryToken.Kind) -> QueryToken {
            QueryToken(kind: kind, start: start, end: offset, location: location, spaced: spaced)
        }
        guard let c = peekChar() else { return token(.end) }

        if c.isASCII && c.isNumber {
            return try number(spaced: spaced)
        }
        if isIdentifierStart(c) || c == "`" {
            return try identifier(spaced: spaced)
        }
        if c == "\"" || c == "'" {
            return try string(spaced: spaced)
        }
        advance()
        let next = peekChar()
        switch c {
        case "|": return token(.pipe)
        case "(": return token(.leftParen)
        case ")": return token(.rightParen)
        case "[": return token(.leftBracket)
        case "]": return token(.rightBracket)
        case ",": return token(.comma)
        case "+": return token(.plus)
        case "-": return token(.minus)
        case "*": return token(.star)
        case "/": return token(.slash)
        case "%": return token(.percent)
        case "^": return token(.caret)
        case "=":
            if next == "~" { advance(); return token(.matches) }
            if next == "=" { throw failure("'==' is not an operator; use '='", at: location) }
            return token(.equal)
        case "!":
            if next == "=" { advance(); return token(.notEqual) }
            throw failure("unexpected '!'; use 'not' or '!='", at: location)
        case "<":
            if next == "=" { advance(); return token(.lessOrEqual) }
            if next == ">" { throw failure("'<>' is not an operator; use '!='", at: location) }
            return token(.less)
        case ">":
            if next == "=" { advance(); return token(.greaterOrEqual) }
            return token(.greater)
        default:
            throw failure("unexpected character '\(c)'", at: location)
        }
    }

    private func isIdentifierStart(_ c: Character) -> Bool {
        c == "_" || c == "@" || c.isLetter
    }

    private func isIdentifierPart(_ c: Character) -> Bool {
        c == "_" || c == "@" || c == "." || c.isLetter || c.isNumber
    }

    /// A field name: plain parts (`userIdentity.arn`, `@timestamp`), backticked parts
    /// (`` `foo-bar` ``, ``@`aws.tag.x:y` ``, ``map.`user.id` ``) and `[n]` indexes
    /// (`json.users[1].action`), all flattened into dot-separated segments.
    private mutating func identifier(spaced: Bool) throws(InsightsError) -> QueryToken {
        let start = offset
        let location = here
        var segments: [String] = []
        var current = ""
        var quoted = false
        // Whether `current` holds text (so "a." then "`b`" appends a new segment, while
        // "@" then "`b`" prefixes the backticked name).
        loop: while let c = peekChar() {
            if c == "`" {
                let quoteLocation = here
                advance()
                var name = ""
                while let d = peekChar(), d != "`" {
                    if d.isNewline { break }
                    name.append(d)
                    advance()
                }
                guard peekChar() == "`" else {
                    throw failure("unterminated backtick field name starting here", at: quoteLocation)
                }
                advance()
                // `@` directly before a backtick belongs to the name (``@`aws.tag.x` ``).
                current += name
                quoted = true
            } else if c == "." {
                segments.append(current)
                current = ""
                advance()
            } else if isIdentifierPart(c) {
                current.append(c)
                advance()
            } else if c == "[", !(segments.isEmpty && !quoted && current.lowercased() == "in"),
                      let index = indexSuffix() {
                // `list[1]` (no space before the bracket) indexes a list: segment "1".
                segments.append(current)
                current = index
                quoted = true
                offset += index.count + 2
                column += index.count + 2
            } else {
                break loop
            }
        }
        segments.append(current)
        return QueryToken(kind: .identifier(segments: segments, quoted: quoted), start: start, end: offset,
                          location: location, spaced: spaced)
    }

    /// The digits of a `[n]` at the current position, if that is what follows.
    private func indexSuffix() -> String? {
        var i = offset + 1
        var digits = ""
        while i < chars.count, chars[i].isASCII, chars[i].isNumber {
            digits.append(chars[i])
            i += 1
        }
        guard !digits.isEmpty, i < chars.count, chars[i] == "]" else { return nil }
        return digits
    }

    private mutating func string(spaced: Bool) throws(InsightsError) -> QueryToken {
        let start = offset
        let location = here
        let quote = chars[offset]
        advance()
        var value = ""
        while true {
            guard let c = peekChar() else {
                throw failure("unterminated string starting here", at: location)
            }
            advance()
            if c == quote { break }
            if c == "\\", let escaped = peekChar(), escaped == "\"" || escaped == "'" || escaped == "\\" {
                value.append(escaped)
                advance()
            } else {
                // Other backslashes stay literal (`"\d"` is two characters), as the spec recommends.
                value.append(c)
            }
        }
        return QueryToken(kind: .string(value), start: start, end: offset, location: location, spaced: spaced)
    }

    /// `\d+(\.\d+)?([eE][+-]?\d+)?`, or a number directly followed by a time unit (`5m`, `1.5h`).
    private mutating func number(spaced: Bool) throws(InsightsError) -> QueryToken {
        let start = offset
        let location = here
        func digits() {
            while let c = peekChar(), c.isASCII, c.isNumber { advance() }
        }
        func isDigit(_ c: Character?) -> Bool { c.map { $0.isASCII && $0.isNumber } ?? false }
        digits()
        if peekChar() == ".", isDigit(peekChar(1)) {
            advance()
            digits()
        }
        if let e = peekChar(), e == "e" || e == "E" {
            if isDigit(peekChar(1)) {
                advance()
                digits()
            } else if let sign = peekChar(1), sign == "+" || sign == "-", isDigit(peekChar(2)) {
                advance()
                advance()
                digits()
            }
        }
        let numberText = String(chars[start..<offset])
        guard let value = Double(numberText) else {
            throw failure("invalid number '\(numberText)'", at: location)
        }
        var unitText = ""
        while let c = peekChar(), c.isLetter {
            unitText.append(c)
            advance()
        }
        if unitText.isEmpty {
            if let c = peekChar(), isIdentifierPart(c) || c == "`" {
                throw failure("invalid number '\(numberText)\(c)'", at: location)
            }
            return QueryToken(kind: .number(value), start: start, end: offset, location: location, spaced: spaced)
        }
        guard let unit = QueryLexer.timeUnits[unitText.lowercased()] else {
            throw failure("unknown time unit '\(unitText)' (use ms, s, m, h, d, w, mo, q or y)", at: location)
        }
        if let c = peekChar(), isIdentifierPart(c) {
            throw failure("invalid time period '\(String(chars[start...offset]))'", at: location)
        }
        return QueryToken(kind: .period(TimePeriod(value, unit)), start: start, end: offset, location: location, spaced: spaced)
    }

    /// Every spelling `bin()` accepts (spec §2.4): "for all units and abbreviations that include
    /// more than one character, adding s to pluralize is supported" — applied literally, so
    /// `hrs`, `mins`, `msecs`, `mos` are periods too. Matched case-insensitively.
    static let timeUnits: [String: TimePeriod.Unit] = {
        let spellings: [(TimePeriod.Unit, [String])] = [
            (.millisecond, ["millisecond", "ms", "msec"]), (.second, ["second", "s", "sec"]),
            (.minute, ["minute", "m", "min"]), (.hour, ["hour", "h", "hr"]), (.day, ["day", "d"]),
            (.week, ["week", "w"]), (.month, ["month", "mo", "mon"]), (.quarter, ["quarter", "q", "qtr"]),
            (.year, ["year", "y", "yr"]),
        ]
        var table: [String: TimePeriod.Unit] = [:]
        for (unit, names) in spellings {
            for name in names {
                table[name] = unit
                if name.count > 1 { table[name + "s"] = unit }
            }
        }
        return table
    }()

    /// Reads `/…/` starting at `slash` (a `slash` token): the pattern runs to the next `/` not
    /// escaped by a backslash, on the same line. Trailing flags (`/x/i`) are rejected: Insights
    /// only documents inline flags such as `(?i)`.
    mutating func regex(at slash: QueryToken) throws(InsightsError) -> QueryToken {
        reset(to: slash)
        advance()
        var pattern = ""
        while true {
            guard let c = peekChar(), !c.isNewline else {
                throw failure("unterminated regex starting here", at: slash.location)
            }
            advance()
            if c == "/" { break }
            pattern.append(c)
            if c == "\\", let escaped = peekChar(), !escaped.isNewline {
                pattern.append(escaped)
                advance()
            }
        }
        if let c = peekChar(), c.isLetter {
            let flagsLocation = here
            var flags = ""
            while let f = peekChar(), f.isLetter {
                flags.append(f)
                advance()
            }
            throw failure("regex flags after the closing '/' are not supported; put an inline flag such as (?\(flags)) at the start of the pattern",
                        at: flagsLocation)
        }
        return QueryToken(kind: .regex(pattern), start: slash.start, end: offset, location: slash.location, spaced: slash.spaced)
    }
}
