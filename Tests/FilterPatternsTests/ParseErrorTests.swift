import Testing
@testable import FilterPatterns

/// Rejected patterns: the message, the 1-based column, and the caret rendering.
@Suite struct ParseErrorTests {
    @Test func descriptionPointsAtTheColumn() throws {
        let e = try #require(rejection(#"{ $.eventName = "ConsoleLogin }"#))
        #expect(e.message == "unterminated string")
        #expect(e.column == 17)
        #expect(e.pattern == #"{ $.eventName = "ConsoleLogin }"#)
        #expect(e.description == """
            unterminated string at column 17
              { $.eventName = "ConsoleLogin }
                              ^
            """)
    }

    @Test func columnsCountCharactersNotBytes() throws {
        let e = try #require(rejection(#"{ $.é = "x }"#))
        #expect(e.column == 9)
        #expect(e.description.hasSuffix("\n          ^"))
    }

    @Test func tabsInThePatternKeepTheCaretAligned() throws {
        let e = try #require(rejection("{\t$.a ~ 1 }"))
        #expect(e.column == 7)
        #expect(e.description == "expected an operator (=, !=, <, <=, >, >=, IS, NOT EXISTS) at column 7\n  { $.a ~ 1 }\n        ^")
    }

    @Test(arguments: [
        ("{ $.a = 1", "missing closing '}'", 1),
        ("{ }", "empty JSON pattern", 3),
        ("{", "missing closing '}'", 1),
        ("{ $.a ~ 1 }", "expected an operator (=, !=, <, <=, >, >=, IS, NOT EXISTS)", 7),
        ("{ a = 1 }", "expected a selector like $.name or '('", 3),
        ("{ $a = 1 }", "a selector needs a property after '$', as in $.name", 3),
        ("{ $ = 1 }", "a selector needs a property after '$', as in $.name", 3),
        ("{ $. = 1 }", "expected a property name after '.'", 5),
        ("{ $.a.b:c = 1 }", "unexpected ':' in a selector (property names may contain letters, digits, '-' and '_'; write $.['name'] for any other)", 8),
        ("{ $.a[x] = 1 }", "expected an array index, * or a quoted property name inside [ ]", 7),
        ("{ $.a[1 = 1 }", "expected ']'", 8),
        ("{ $.['a = 1 }", "unterminated quoted property name", 5),
        ("{ ($.a = 1 }", "missing ')' for this '('", 3),
        ("{ ($.a = 1 x) }", "expected '&&', '||' or ')'", 12),
        ("{ $.a = 1 } x", "unexpected text after the closing '}'", 13),
        ("{ $.a = 1 $.b = 2 }", "expected '&&', '||' or '}'", 11),
        ("{ $.a = 1 && }", "expected a selector like $.name or '('", 14),
        ("{ $.a = 1 || ", "expected a condition", 14),
        ("{ $.a = }", "expected a value", 9),
        ("{ $.a = \"x\"y }", "expected '&&', '||' or '}'", 12),
        ("{ $.a = x\"y\" }", "unexpected '\"' in an unquoted value (quote the whole value)", 10),
        ("{ $.a IS }", "expected NULL, TRUE or FALSE after IS", 10),
        ("{ $.a NOT NULL }", "expected EXISTS after NOT", 11),
        ("{ $.a = %a(b% }", "'(' is not supported in a regex (there are no groups); match it with \\x28", 11),
        ("{ $.a = %ab }", "unterminated regex (missing closing '%')", 9),
        ("{ $.a >>= 1 }", "unknown operator; use one of =, !=, <, <=, >, >=", 7),
        ("\"abc", "unterminated string", 1),
        ("ERROR -", "expected a term after '-'", 7),
        ("ERROR ?", "expected a term after '?'", 7),
        ("\"a\"b", "expected a space after the closing quote", 4),
        ("ab\"c\"", "unexpected '\"' inside a term (quote the whole term)", 3),
    ])
    func rejected(pattern: String, message: String, column: Int) {
        expectRejection(pattern, message, column: column)
    }

    @Test func lengthLimit() throws {
        let ok = String(repeating: "a", count: 1024)
        #expect(throws: Never.self) { try FilterPattern(ok) }
        let e = try #require(rejection(ok + "b"))
        #expect(e.message == "a filter pattern may be at most 1024 characters")
        #expect(e.column == 1025)
    }
}
