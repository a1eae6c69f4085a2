import TestSupport
import Testing
@testable import FilterPatterns

/// `%…%` regexes: every documented worked statement (except the ones the spec marks as
/// documentation bugs, which are pinned only as plain containment), the operators, and the
/// constructs the dialect rejects.
@Suite struct RegexTests {
    @Test func unanchoredContainment() {
        #expect(matches("%AUTHORIZED%", "[ERROR 401] UNAUTHORIZED REQUEST"))
        #expect(!matches("%AUTHORIZED%", "[ERROR 401] unauthorized request"))
    }

    @Test func anchors() {
        #expect(matches("%^[hc]at%", "hat trick"))
        #expect(matches("%^[hc]at%", "cat"))
        #expect(!matches("%^[hc]at%", "that"))
        #expect(matches("%[hc]at$%", "a hat"))
        #expect(!matches("%[hc]at$%", "hats"))
        #expect(matches("%^$%", ""))
        #expect(!matches("%^$%", "x"))
    }

    @Test func optional() {
        #expect(matches("%colou?r%", "color"))
        #expect(matches("%colou?r%", "colour"))
        #expect(!matches("%colou?r%", "colouur"))
    }

    @Test func classesAndRanges() {
        #expect(matches("%[abcx-z]%", "y"))
        #expect(matches("%[abcx-z]%", "b"))
        #expect(!matches("%[abcx-z]%", "dw"))
        #expect(matches("%[^0-9]%", "12a"))
        #expect(!matches("%[^0-9]%", "123"))
        #expect(matches("%[-a]%", "-"))
        #expect(matches("%[a-]%", "-"))
        #expect(matches("%[]]%", "]"))
    }

    @Test func boundedRepetition() {
        for s in ["aaa", "aaaa", "aaaaa"] { #expect(matches("%a{3,5}%", s)) }
        #expect(!matches("%a{3,5}%", "aa"))
        // Containment: the guide's "matches only" is false unanchored; anchored it holds.
        #expect(matches("%a{3,5}%", "aaaaaa"))
        #expect(!matches("%^a{3,5}$%", "aaaaaa"))
        #expect(matches("%^a{3}$%", "aaa"))
        #expect(matches("%^a{2,}$%", "aaaaaaa"))
        #expect(!matches("%^a{2,}$%", "a"))
        #expect(matches("%^a{,2}$%", ""))
        #expect(!matches("%^a{,2}$%", "aaa"))
    }

    @Test func alternation() {
        #expect(matches("%gra|ey%", "gray"))
        #expect(matches("%gra|ey%", "grey"))
        let p = "%^starting|^initializing|^shutting down%"
        #expect(matches(p, "starting the service"))
        #expect(matches(p, "initializing the cache"))
        #expect(matches(p, "shutting down"))
        #expect(!matches(p, "skipping initializing the cache"))
    }

    @Test func escapedBracketsAroundAnyCharacter() {
        for s in ["[a]", "[b]", "[7]", "[@]", "[]]", "[ ]"] { #expect(matches(#"%\[.\]%"#, s)) }
        #expect(!matches(#"%\[.\]%"#, "[ab]"))
    }

    @Test func escapedDotVersusAnyCharacter() {
        #expect(matches(#"%10\.10\.0\.1%"#, "from 10.10.0.1"))
        #expect(!matches(#"%10\.10\.0\.1%"#, "10010,051"))
        #expect(matches("%10.10.0.1%", "10010,051"))
    }

    @Test func starPlusAndDot() {
        for s in ["ac", "abc", "abbbc"] { #expect(matches("%ab*c%", s)) }
        for s in ["ab", "ab0", "ab129"] { #expect(matches("%ab[0-9]*%", s)) }
        for s in ["abc", "abbc", "abbbc"] { #expect(matches("%ab+c%", s)) }
        #expect(!matches("%ab+c%", "ac"))
        for s in ["hat", "cat", "bat", "4at", "#at", " at"] { #expect(matches("%.at%", s)) }
        #expect(!matches("%.at%", "at"))
    }

    @Test func classEscapes() {
        #expect(matches(#"%\d%"#, "a1"))
        #expect(!matches(#"%\d%"#, "ab"))
        #expect(matches(#"%\D%"#, "12a"))
        #expect(!matches(#"%\D%"#, "123"))
        #expect(matches(#"%^\w+$%"#, "snake_case_99"))
        #expect(!matches(#"%^\w+$%"#, "kebab-case"))
        #expect(matches(#"%\W%"#, "kebab-case"))
        #expect(matches(#"%a\sb%"#, "a b"))
        #expect(matches(#"%a\sb%"#, "a\tb"))
        #expect(matches(#"%a\sb%"#, "a\nb"))
        #expect(!matches(#"%a\Sb%"#, "a b"))
        #expect(matches(#"%[\d_]%"#, "_"))
    }

    @Test func hexEscapesMatchUnsupportedSymbols() {
        #expect(matches(#"%\x3A%"#, "a:b"))
        #expect(matches(#"%\x28%"#, "f(x)"))
        #expect(!matches(#"%\x28%"#, "fx"))
        #expect(matches(#"%\x21$%"#, "hello!"))
    }

    @Test func operatorsCanBeEscaped() {
        #expect(matches(#"%a\+b%"#, "a+b"))
        #expect(matches(#"%\$\{x\}%"#, "${x}"))
        #expect(matches(#"%a\|b%"#, "a|b"))
        #expect(!matches(#"%a\|b%"#, "a"))
        #expect(matches(#"%\\%"#, #"a\b"#))
    }

    @Test func dotConsumesWholeCharacters() {
        #expect(matches("%^.$%", "é"))
        #expect(!matches("%^..$%", "é"))
        #expect(matches("%^caf.$%", "café"))
        #expect(matches("%^.{3}$%", "日本語"))
        #expect(!matches("%^.{2}$%", "日"))
        #expect(matches("%[^a]x%", "éx"))
        // "Any character" includes a newline.
        #expect(matches("%a.b%", "a\nb"))
    }

    @Test func lazyQuantifierIsAcceptedAndChangesNothing() {
        #expect(matches("%a.*?b%", "a--b"))
        #expect(matches("%a+?%", "a"))
    }

    @Test(arguments: [
        ("%something!%", "'!' is not supported in a regex; match it with \\x21", 11),
        ("%(a)%", "'(' is not supported in a regex (there are no groups); match it with \\x28", 2),
        ("%a)%", "')' is not supported in a regex (there are no groups); match it with \\x29", 3),
        ("%é%", "multi-byte characters are not supported in a regex", 2),
        ("%a**%", "a quantifier cannot follow another quantifier", 4),
        ("%*a%", "nothing to repeat before '*'", 2),
        ("%^*%", "an anchor cannot be repeated", 3),
        ("%[a-%", "unterminated character class", 2),
        ("%[z-a]%", "invalid range (start is after end)", 3),
        ("%a{2,1}%", "repetition minimum 2 is above its maximum 1", 3),
        ("%a{x}%", "invalid repetition (write \\{ for a literal '{')", 3),
        ("%a{2000}%", "repetition count above 1000", 4),
        ("%a|%", "empty alternative after '|'", 4),
        ("%|a%", "empty alternative before '|'", 2),
        ("%%", "empty regex", 2),
        (#"%\q%"#, "unsupported escape \\q", 2),
        (#"%\xZZ%"#, "\\x needs two hex digits", 2),
        (#"%\x80%"#, "\\x80 is not ASCII; multi-byte characters are not supported", 2),
        (#"%a\%"#, "trailing backslash", 3),
        ("%abc", "unterminated regex (missing closing '%')", 1),
        ("%a% b", "unexpected text after the regex; a regex pattern is one %…% (use it inside {…} or […] to combine)", 5),
        ("%a\"%", "'\"' is not supported in a regex; match it with \\x22", 3),
    ])
    func rejectedConstructs(pattern: String, message: String, column: Int) {
        expectRejection(pattern, message, column: column)
    }

    @Test func spaceIsAllowed() {
        #expect(matches("%^shutting down%", "shutting down now"))
    }

    @Test func repetitionThatWouldBlowUpTheDFAStillMatchesInLinearTime() throws {
        // `a.{20}b` unanchored needs about 2^20 DFA states; the NFA simulation takes over.
        let p = try FilterPattern("%a.{20}b%")
        guard case .regex(let r) = p.compiled else { Issue.record("not a regex"); return }
        #expect(!r.usesDFA)
        #expect(p.matches("xxa" + String(repeating: "z", count: 20) + "byy"))
        #expect(!p.matches("xxa" + String(repeating: "z", count: 19) + "byy"))
        #expect(!p.matches(String(repeating: "a", count: 5000)))
    }

    /// The DFA and the NFA simulation against a direct backtracking definition of the dialect,
    /// on random regexes and inputs (including multi-byte characters).
    @Test func dfaAndSimulationAgreeWithReference() throws {
        var rng = SplitMix(seed: 42)
        let atoms = ["a", "b", "c", ".", "[ab]", "[^a]", #"\d"#, "[a-c]", "-", " ", #"\s"#, #"\W"#]
        let quantifiers = ["", "", "", "*", "+", "?", "{1,2}", "{0,1}", "{2}"]
        let alphabet: [Character] = ["a", "b", "c", "1", "-", " ", "é", "日"]
        var checked = 0
        for _ in 0..<400 {
            var alternatives: [String] = []
            for _ in 0..<Int.random(in: 1...2, using: &rng) {
                var s = Bool.random(using: &rng) && Int.random(in: 0..<4, using: &rng) == 0 ? "^" : ""
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    s += atoms.randomElement(using: &rng)! + quantifiers.randomElement(using: &rng)!
                }
                if Int.random(in: 0..<4, using: &rng) == 0 { s += "$" }
                alternatives.append(s)
            }
            let source = alternatives.joined(separator: "|")
            let bytes = Array(("%" + source + "%").utf8)
            let syntax = try RegexParser.parse(bytes, 1, bytes.count - 1)
            let nfa = try RegexNFA(syntax, at: 1)
            // The DFA's tables belong to the arena: keep it alive while the DFA is used.
            let arena = TableArena()
            withExtendedLifetime(arena) {
                let dfa = RegexDFA(nfa, arena: arena)
                for _ in 0..<25 {
                    let input = String((0..<Int.random(in: 0...7, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
                    let expected = referenceMatch(syntax, input)
                    var copy = input
                    copy.withUTF8 { buf in
                        let v = ByteView(UnsafeRawBufferPointer(buf))
                        #expect(nfa.simulate(v) == expected, "NFA: %\(source)% on \"\(input)\"")
                        if let dfa { #expect(dfa.matches(v) == expected, "DFA: %\(source)% on \"\(input)\"") }
                    }
                    checked += 1
                }
            }
        }
        #expect(checked == 10_000)
    }
}

/// Backtracking over Unicode scalars: slow, obviously right.
private func referenceMatch(_ syntax: RegexSyntax, _ input: String) -> Bool {
    let chars = Array(input.unicodeScalars)
    func member(_ set: RegexSyntax.CharSet, _ c: Unicode.Scalar) -> Bool {
        c.value < 128 ? set.contains(UInt8(c.value)) : set.nonASCII
    }
    func run(_ pieces: [RegexSyntax.Piece], _ k: Int, _ pos: Int) -> Bool {
        if k == pieces.count { return true }
        let piece = pieces[k]
        switch piece.atom {
        case .start: return pos == 0 && run(pieces, k + 1, pos)
        case .end: return pos == chars.count && run(pieces, k + 1, pos)
        case .chars(let set):
            var n = 0
            var p = pos
            if n >= piece.min && run(pieces, k + 1, p) { return true }
            while p < chars.count && member(set, chars[p]) && (piece.max == nil || n < piece.max!) {
                p += 1
                n += 1
                if n >= piece.min && run(pieces, k + 1, p) { return true }
            }
            return false
        }
    }
    for start in 0...chars.count {
        for alternative in syntax.alternatives where run(alternative, 0, start) { return true }
    }
    return false
}

