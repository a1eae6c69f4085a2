import Testing
@testable import FilterPatterns

/// `[ … ]` patterns over space-delimited events.
@Suite struct SpaceDelimitedTests {
    let ok = #"127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534"#
    let notFound = #"127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 2048"#
    let fields = "[ip, user, username, timestamp, request, status_code, bytes]"

    @Test func bracketsAndQuotesAreSingleFields() {
        #expect(matches(fields, ok))
        #expect(matches("[ip, user, username, timestamp = \"10/Oct/2000:13:25:15 -0700\", request, status_code, bytes]", ok))
        #expect(matches("[ip, user, username, timestamp, request = \"GET /apache_pb.gif HTTP/1.0\", status_code, bytes]", ok))
    }

    /// The field count must match unless `...` is used (F-EX-404, 2021 guide).
    @Test func fieldCountMustMatch() {
        #expect(!matches("[ip, user, username, timestamp, request, status_code]", ok))
        #expect(!matches("[ip, user, username, timestamp, request, status_code, bytes, extra]", ok))
        #expect(matches("[w1=ERROR, w2]", "ERROR message"))
        #expect(!matches("[w1=ERROR, w2]", "ERROR WARN message"))
        #expect(!matches("[w1=ERROR, w2]", "WARN message"))
        #expect(matches("[w1=ERROR || w1=WARN, w2]", "ERROR message"))
        #expect(matches("[w1=ERROR || w1=WARN, w2]", "WARN message"))
        #expect(!matches("[w1=ERROR || w1=WARN, w2]", "ERROR WARN message"))
    }

    @Test func ellipsisStandsForAnyNumberOfFields() {
        #expect(matches("[..., status_code, bytes]", ok))
        #expect(matches("[ip, user, ..., status_code, bytes]", ok))
        #expect(matches("[ip, user, ...]", ok))
        #expect(matches("[ip, ..., bytes = 1534]", ok))
        #expect(matches("[..., status_code = 200, bytes]", ok))
        #expect(!matches("[..., status_code = 404, bytes]", ok))
        // Zero fields.
        #expect(matches("[a, ..., b]", "x y"))
        #expect(!matches("[a, ..., b]", "x"))
        #expect(matches("[...]", ""))
    }

    @Test func conditions() {
        #expect(matches("[ip, user, username, timestamp, request, status_code = 404, bytes]", notFound))
        #expect(!matches("[ip, user, username, timestamp, request, status_code = 404, bytes]", ok))
        #expect(matches("[ip, user, username, timestamp, request, status_code = 404 || status_code = 410, bytes]", notFound))
        #expect(matches("[ip, user, username, timestamp, request, status_code != 404, bytes]", ok))
        #expect(matches("[ip, user, username, timestamp, request, status_code, bytes > 1000]", ok))
        #expect(!matches("[ip, user, username, timestamp, request, status_code, bytes >= 2049]", notFound))
        #expect(matches("[ip, user, username = frank, ...]", ok))
        #expect(matches("[ip, user, username = \"frank\", ...]", ok))
    }

    @Test func wildcardsAndRegexValues() {
        #expect(matches("[ip, user, username, timestamp, request = *.html*, status_code = 4*, bytes]", notFound))
        #expect(!matches("[ip, user, username, timestamp, request = *.html*, status_code = 4*, bytes]", ok))
        #expect(matches(#"[ip=%127\.0\.0\.[1-9]%, ...]"#, ok))
        #expect(!matches(#"[ip=%127\.0\.0\.[2-9]%, ...]"#, ok))
        #expect(matches("[method, url=%/service/resource/[0-9]+$%]", "GET /service/resource/42"))
        #expect(!matches("[method, url=%/service/resource/[0-9]+$%]", "GET /service/resource/42/x"))
        #expect(matches("[w1=ERROR || w1=%WARN%, w2]", "XWARNX message"))
    }

    @Test func negatedAlternativesInOneSlot() {
        let p = "[w1!=ERROR && w1!=WARN, w2]"
        #expect(matches(p, "INFO message"))
        #expect(!matches(p, "ERROR message"))
        #expect(!matches(p, "WARN message"))
        #expect(matches("[(w1=ERROR || w1=WARN) && w2=message, w2]", "WARN message"))
    }

    /// A slot's conditions may name another field of the pattern.
    @Test func crossFieldConditions() {
        let p = "[ip, user, username, timestamp, request, status_code = 4* && bytes > 1000, bytes]"
        #expect(matches(p, notFound))
        #expect(!matches(p, ok))
        #expect(!matches(p, notFound.replacingOccurrences(of: "2048", with: "512")))
    }

    @Test func numericConditionsNeedNumericFields() {
        #expect(!matches("[a, b > 1]", "x -"))
        #expect(!matches("[a, b != 1]", "x -"))
        #expect(matches("[a, b = 1]", "x 1.0"))
        #expect(matches("[a, b = 1e3]", "x 1000"))
        #expect(matches("[a, b = -5]", "x -5"))
    }

    @Test func whitespaceRunsSeparateFields() {
        #expect(matches("[a, b, c]", "  x \t y   z \n"))
        #expect(matches("[a, b = \"y z\", c]", "x \"y z\" w"))
        // An unclosed bracket or quote is an ordinary character.
        #expect(matches("[a, b = \"[open\", c]", "x [open w"))
        #expect(matches("[a, b = \"\\\"q\", c]", "x \"q w"))
    }

    @Test func manyFields() {
        let line = (1...200).map { "f\($0)" }.joined(separator: " ")
        #expect(matches("[first = f1, ..., last = f200]", line))
        #expect(!matches("[first = f1, ..., last = f199]", line))
    }

    @Test(arguments: [
        ("[]", "expected a field name or '...'", 2),
        ("[a, b", "missing closing ']'", 1),
        ("[a,, b]", "expected a field name, a condition or '...'", 4),
        ("[a, ..., b, ...]", "only one '...' is allowed in a pattern", 13),
        ("[a, a]", "field 'a' is named twice", 5),
        ("[a = 1 && zz = 2, b]", "no field named 'zz' in this pattern", 11),
        ("[a ~ 1]", "expected an operator (=, !=, <, <=, >, >=)", 4),
        ("[a = ]", "expected a value", 6),
        ("[a] x", "unexpected text after the closing ']'", 5),
        ("[a b]", "expected an operator (=, !=, <, <=, >, >=)", 4),
        ("[a = 1 b]", "expected ',' or ']'", 8),
        ("[(a = 1, b]", "missing ')' for this '('", 2),
    ])
    func rejected(pattern: String, message: String, column: Int) {
        expectRejection(pattern, message, column: column)
    }
}
