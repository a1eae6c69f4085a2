import Testing
@testable import InsightsQuery

private func failure(_ text: String) -> InsightsError? {
    do {
        _ = try InsightsParser.parse(text)
        return nil
    } catch {
        return error
    }
}

/// Asserts `text` fails with exactly this message, place and kind.
private func expectFailure(_ text: String, _ message: String, line: Int?, column: Int?, kind: InsightsError.Kind = .semantic,
                           sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    guard let error = failure(text) else {
        Issue.record("\(text) parsed", sourceLocation: sourceLocation)
        return
    }
    #expect(error.message == message, sourceLocation: sourceLocation)
    #expect(error.line == line, "line", sourceLocation: sourceLocation)
    #expect(error.column == column, "column", sourceLocation: sourceLocation)
    #expect(error.kind == kind, sourceLocation: sourceLocation)
    if let line {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(error.sourceLine == String(lines[line - 1]), sourceLocation: sourceLocation)
    }
}

@Suite struct RenderedErrors {
    @Test func unknownFunctionWithSuggestionAndCaretOnTheRightLine() {
        let text = """
        filter eventName="StopInstances"
             | stats cuont(*) by bin(5m)
        """
        #expect(failure(text)?.description == """
        line 2, column 14: unknown function 'cuont' (did you mean 'count'?)
             | stats cuont(*) by bin(5m)
                     ^
        """)
    }

    @Test func secondStatsCannotSeeMessage() {
        // Spec §4.4, verbatim from S-STATS.
        let text = """
        FIELDS @message
        | STATS SUM(Fault) by Operation
        # You can only reference `SUM(Fault)` or Operation at this point
        | STATS MAX(strlen(@message)) AS MaxMessageSize # Invalid reference to @message
        """
        #expect(failure(text)?.description == """
        line 4, column 20: the second 'stats' can only use fields produced by the first; '@message' is not one of them
        | STATS MAX(strlen(@message)) AS MaxMessageSize # Invalid reference to @message
                           ^
        """)
    }

    @Test func unterminatedStringPointsAtItsStart() {
        let text = "fields a\n| filter b = \"open\n| limit 5"
        #expect(failure(text)?.description == """
        line 2, column 14: unterminated string starting here
        | filter b = "open
                     ^
        """)
        #expect(failure(text)?.kind == .syntax)
    }

    @Test func columnsCountCharactersNotBytes() {
        expectFailure("filter a = \"日本語🙂\" and cuont(x) > 1", "unknown function 'cuont' (did you mean 'count'?)", line: 1, column: 23)
    }

    @Test func errorsWithoutAPlaceRenderJustTheMessage() {
        #expect(failure("")?.description == "empty query")
    }
}

@Suite struct QueryLevelErrors {
    @Test func emptyQueries() {
        expectFailure("", "empty query", line: nil, column: nil)
        expectFailure("  \n\t", "empty query", line: nil, column: nil)
        expectFailure("# just a comment\n   # another", "empty query", line: nil, column: nil)
    }

    @Test func tooLong() {
        let text = "filter a = \"" + String(repeating: "x", count: 10_000) + "\""
        expectFailure(text, "the query is 10013 characters long; the maximum is 10000", line: nil, column: nil)
        #expect(failure("filter a = \"" + String(repeating: "x", count: 9_987) + "\"") == nil)
    }

    @Test func deepNestingIsBoundedNotACrash() {
        let deep = "filter " + String(repeating: "(", count: 3_000) + "a" + String(repeating: ")", count: 3_000)
        expectFailure(deep, "the expression nests more than 200 levels deep", line: 1, column: 208)
        expectFailure("filter " + String(repeating: "not ", count: 1_000) + "a", "the expression nests more than 200 levels deep",
                      line: 1, column: 808)
        expectFailure("fields " + Array(repeating: "2", count: 1_000).joined(separator: "^"), "the expression nests more than 200 levels deep",
                      line: 1, column: 408)
        let fine = "filter " + String(repeating: "(", count: 150) + "a" + String(repeating: ")", count: 150)
        #expect(failure(fine) == nil)
    }

    @Test func trailingTokensAfterACommand() {
        expectFailure("filter a = 1 b", "unexpected 'b' after the 'filter' command; expected '|' or the end of the query",
                      line: 1, column: 14, kind: .syntax)
        expectFailure("| filter a = 1", "expected a command such as fields, filter or stats, found '|'", line: 1, column: 1, kind: .syntax)
        expectFailure("filter a = 1 |", "expected a command such as fields, filter or stats, found the end of the query",
                      line: 1, column: 15, kind: .syntax)
    }
}

@Suite struct CommandErrors {
    @Test func unknownCommandSuggests() {
        expectFailure("fields a\n| fitler a = 1", "unknown command 'fitler' (did you mean 'filter'?)", line: 2, column: 3)
        expectFailure("STAST count(*)", "unknown command 'STAST' (did you mean 'stats'?)", line: 1, column: 1)
        expectFailure("frobnicate x", "unknown command 'frobnicate'", line: 1, column: 1)
    }

    @Test func headAndTailAreDeprecated() {
        expectFailure("fields a | head 10", "'head' is deprecated: use 'limit'", line: 1, column: 12)
        expectFailure("tail 10", "'tail' is deprecated: use 'limit'", line: 1, column: 1)
    }

    @Test(arguments: ["anomaly", "SOURCE", "join", "lookup", "fillmissing", "unmask", "addtotals", "countFrequent"])
    func documentedButUnsupportedCommands(_ name: String) {
        expectFailure("pattern @message | \(name) x", "the '\(name)' command is not supported by trailwatch", line: 1, column: 20)
    }

    @Test func sourceCommandFromTheDocs() {
        expectFailure("SOURCE logGroups(namePrefix: ['p1','p2']) | fields @message",
                      "the 'SOURCE' command is not supported by trailwatch", line: 1, column: 1)
    }

    @Test func limitMustBeAWholeNumberInRange() {
        let message = "limit must be a whole number from 1 to 10000"
        expectFailure("limit 0", message, line: 1, column: 7)
        expectFailure("limit 10001", message, line: 1, column: 7)
        expectFailure("limit 2.5", message, line: 1, column: 7)
        expectFailure("limit -3", message, line: 1, column: 7)
        expectFailure("limit any 0", message, line: 1, column: 11)
        expectFailure("limit ten", "expected a number after 'limit', found 'ten'", line: 1, column: 7, kind: .syntax)
    }

    @Test func onlyLimitFollowsDedup() {
        expectFailure("sort @timestamp desc | dedup server | sort server", "only 'limit' can follow 'dedup'", line: 1, column: 39)
        expectFailure("dedup a | limit 3 | filter x = 1", "only 'limit' can follow 'dedup'", line: 1, column: 21)
        #expect(failure("dedup a | limit 3") == nil)
    }

    @Test func diffBaselines() {
        expectFailure("diff yesterday", "expected previousDay, previousWeek or previousMonth after 'diff', found 'yesterday'",
                      line: 1, column: 6, kind: .syntax)
    }

    @Test func filterIndexShape() {
        expectFailure("filterIndex a like \"x\"", "filterIndex takes 'field = \"value\"' or 'field in [\"v1\", \"v2\"]'", line: 1, column: 13)
    }

    @Test func unnestNeedsInto() {
        expectFailure("unnest a as b", "expected 'into' after the field of 'unnest', found 'as'", line: 1, column: 10, kind: .syntax)
    }
}

@Suite struct FunctionErrors {
    @Test func unknownFunctions() {
        expectFailure("fields frobnicate(x)", "unknown function 'frobnicate'", line: 1, column: 8)
        expectFailure("fields tolowr(x)", "unknown function 'tolowr' (did you mean 'tolower'?)", line: 1, column: 8)
        expectFailure("fields ISPRESNT(x)", "unknown function 'ISPRESNT' (did you mean 'ispresent'?)", line: 1, column: 8)
        expectFailure("stats rate(x, 5m) by bin(5m)", "the function 'rate' is not supported by trailwatch", line: 1, column: 7)
    }

    @Test func arity() {
        expectFailure("fields round(a, 1, 2)", "round takes 1 or 2 arguments, got 3", line: 1, column: 8)
        expectFailure("fields x,\n  abs()", "abs takes 1 argument, got 0", line: 2, column: 3)
        expectFailure("fields concat()", "concat takes at least 1 argument, got 0", line: 1, column: 8)
        expectFailure("fields case(a)", "case takes 2 to 21 arguments, got 1", line: 1, column: 8)
        expectFailure("fields haversine(1, 2, 3)", "haversine takes 4 arguments, got 3", line: 1, column: 8)
        expectFailure("fields now(1)", "now takes 0 arguments, got 1", line: 1, column: 8)
        expectFailure("stats pct(x)", "pct takes 2 arguments, got 1", line: 1, column: 7)
    }

    @Test func aggregationsOnlyInStats() {
        expectFailure("filter count(*) > 1", "the aggregation 'count' can only be used in 'stats', not in 'filter'", line: 1, column: 8)
        expectFailure("fields a, MAX(b)", "the aggregation 'MAX' can only be used in 'stats', not in 'fields'", line: 1, column: 11)
        expectFailure("stats count(*) | sort sum(x)", "the aggregation 'sum' can only be used in 'stats', not in 'sort'", line: 1, column: 23)
        expectFailure("stats count(*) by max(x)", "the aggregation 'max' cannot be used in 'by'", line: 1, column: 19)
        expectFailure("stats sum(count(*))", "the aggregation 'count' cannot be nested inside another aggregation", line: 1, column: 11)
    }

    @Test func binTakesAPeriod() {
        expectFailure("stats count(*) by bin(5)", "bin() takes a time period such as 5m or 1h", line: 1, column: 23)
        expectFailure("stats count(*) by bin(@timestamp)", "bin() takes a time period such as 5m or 1h", line: 1, column: 23)
        expectFailure("fields datefloor(@timestamp, \"1h\")", "the second argument of datefloor() must be a time period such as 5m or 1h",
                      line: 1, column: 30)
        expectFailure("fields DATECEIL(@timestamp, 60)", "the second argument of dateceil() must be a time period such as 5m or 1h",
                      line: 1, column: 29)
    }

    @Test func starOnlyInCount() {
        expectFailure("stats sum(*)", "'*' is only allowed as count(*)", line: 1, column: 11, kind: .syntax)
        expectFailure("fields *", "'*' is only allowed as count(*)", line: 1, column: 8, kind: .syntax)
    }

    @Test func missingCloseParenthesis() {
        expectFailure("fields concat(a, b", "expected ')' after arguments of 'concat', found the end of the query",
                      line: 1, column: 19, kind: .syntax)
        expectFailure("fields concat(a b)", "expected ')' after arguments of 'concat', found 'b'", line: 1, column: 17, kind: .syntax)
        expectFailure("filter (a = 1", "expected ')' to close the '(' at line 1, column 8, found the end of the query",
                      line: 1, column: 14, kind: .syntax)
    }

    @Test func memberAccessOnACallResult() {
        // Spec §5.6 (S-DISCOVER) shows `jsonParse(x).startTime`; the AST has no member access.
        expectFailure("fields jsonParse(api.request.data).startTime as startTime",
                      "'.field' after a function call is not supported by trailwatch; alias the result first (fields jsonParse(…) as j | fields j.name)",
                      line: 1, column: 35)
    }
}

@Suite struct StatsErrors {
    @Test func statsNeedsAnAggregation() {
        expectFailure("stats by x", "'stats' needs an aggregation such as count(*)", line: 1, column: 7)
        expectFailure("filter a = 1 | stats", "'stats' needs an aggregation such as count(*)", line: 1, column: 21)
        expectFailure("stats 1 by x", "'1' is not an aggregation; use a function such as count(), sum() or max()", line: 1, column: 7)
    }

    @Test func bareFieldsMustBeEarlierAliases() {
        expectFailure("stats x by y", "'x' must be inside an aggregation such as max(x), or be an alias defined earlier in this stats",
                      line: 1, column: 7)
        expectFailure("stats a - b as c, max(x) as a, min(x) as b",
                      "'a' must be inside an aggregation such as max(a), or be an alias defined earlier in this stats", line: 1, column: 7)
        expectFailure("stats count(*) + eventName", "'eventName' must be inside an aggregation such as max(eventName), or be an alias defined earlier in this stats",
                      line: 1, column: 18)
    }

    @Test func atMostTwoStats() {
        expectFailure("stats count(*) as n by a | stats sum(n) as m | stats max(m)",
                      "a query can have at most 2 'stats' commands", line: 1, column: 48)
    }

    @Test func sortAndLimitMustFollowTheSecondStats() {
        expectFailure("stats count(*) as n by a\n| sort n desc\n| stats sum(n)", "'sort' must come after the second 'stats'", line: 2, column: 3)
        expectFailure("limit 5 | stats count(*) as n by a | stats sum(n)", "'limit' must come after the second 'stats'", line: 1, column: 1)
        #expect(failure("stats count(*) as n by a | sort n desc | limit 3") == nil)
        #expect(failure("stats count(*) as n by a | stats sum(n) as t | sort t desc | limit 3") == nil)
    }

    @Test func secondStatsSeesOnlyFirstStatsColumns() {
        expectFailure("stats count(*) as n by a | stats sum(n) by b", "the second 'stats' can only use fields produced by the first; 'b' is not one of them",
                      line: 1, column: 44)
        // Columns added between the two stats are visible.
        #expect(failure("stats count(*) as n by a | fields n * 2 as m | stats sum(m) by a") == nil)
        // An unaliased aggregation is a column, but it cannot be named as a field; an alias can.
        #expect(failure("stats sum(x) as s by bin(5m) as @t | stats avg(s) by dateceil(@t, 1h)") == nil)
    }

    @Test func binInSecondStatsNeedsTimestamp() {
        expectFailure("stats count(*) as n by bin(5m) | stats max(n) by bin(1h)",
                      "bin() reads @timestamp, which the first 'stats' did not produce; alias a time column (e.g. max(@timestamp) as @t or bin(5m) as @t) and use dateceil(@t, …)",
                      line: 1, column: 50)
        #expect(failure("stats count(*) as n by bin(5m) as @timestamp | stats max(n) by bin(1h)") == nil)
    }

    @Test func offsetIsNotSupported() {
        expectFailure("stats count(*) by bin(5m) offset 1h", "'offset' after 'by bin(…)' is not supported by trailwatch", line: 1, column: 27)
    }
}

@Suite struct ParseCommandErrors {
    @Test func globWildcardsMustMatchAliases() {
        expectFailure("parse @message \"[*] * The error was: *\" as level, config", "the glob has 3 '*' wildcards but 2 aliases", line: 1, column: 16)
        expectFailure("parse 'a=*'", "the glob has 1 '*' wildcard but no 'as' aliases", line: 1, column: 7)
        expectFailure("parse 'a=*' as a, b", "the glob has 1 '*' wildcard but 2 aliases", line: 1, column: 7)
    }

    @Test func regexNeedsNamedGroupsOrAliases() {
        expectFailure("filter a = 1\n| parse @message /(\\d+) ms/",
                      "the regex has no named groups such as (?<name>…) and no 'as' aliases, so it extracts nothing", line: 2, column: 18)
    }

    @Test func unsupportedParseFormats() {
        expectFailure("parse @message logfmt as lf", "'parse … logfmt' is not supported by trailwatch; use a glob or a regex", line: 1, column: 16)
        expectFailure("parse csv as a, b", "'parse … csv' is not supported by trailwatch; use a glob or a regex", line: 1, column: 7)
    }

    @Test func parseNeedsAPattern() {
        expectFailure("parse @message", "expected a quoted glob or a /regex/ after 'parse', found the end of the query", line: 1, column: 15, kind: .syntax)
    }
}

@Suite struct ExpressionErrors {
    @Test func inNeedsAList() {
        expectFailure("filter a in b", "'in' needs a list in brackets, such as [\"a\", \"b\"], found 'b'", line: 1, column: 13)
        expectFailure("filter a not in \"x\"", "'not in' needs a list in brackets, such as [\"a\", \"b\"], found '\"x\"'", line: 1, column: 17)
        expectFailure("filter a in (SOURCE x | fields a)", "subqueries ('in (…)') are not supported by trailwatch", line: 1, column: 13)
        expectFailure("filter a in [1, 2", "expected ',' or ']' in the list after 'in', found the end of the query", line: 1, column: 18, kind: .syntax)
        expectFailure("fields [1, 2]", "a list [...] can only follow 'in' or 'not in'", line: 1, column: 8)
    }

    @Test func invalidRegexIsReportedAtTheLiteral() throws {
        let error = try #require(failure("filter a = 1 and b like /(unclosed/"))
        #expect(error.message.hasPrefix("invalid regex: "))
        #expect(error.kind == .semantic)
        #expect(error.line == 1 && error.column == 25)
        let inParse = try #require(failure("parse @message /(?<a>[z-a])/"))
        #expect(inParse.message.hasPrefix("invalid regex: "))
        #expect(inParse.column == 16)
    }

    @Test func trailingRegexFlagsSuggestInlineFlags() {
        expectFailure("filter m like /error/i", "regex flags after the closing '/' are not supported; put an inline flag such as (?i) at the start of the pattern",
                      line: 1, column: 22, kind: .syntax)
    }

    @Test func lexicalErrors() {
        expectFailure("filter a like /abc", "unterminated regex starting here", line: 1, column: 15, kind: .syntax)
        expectFailure("filter a like /abc\n| limit 1/", "unterminated regex starting here", line: 1, column: 15, kind: .syntax)
        expectFailure("fields `foo-bar", "unterminated backtick field name starting here", line: 1, column: 8, kind: .syntax)
        expectFailure("filter 'it''s", "unterminated string starting here", line: 1, column: 12, kind: .syntax)
        expectFailure("filter a == 1", "'==' is not an operator; use '='", line: 1, column: 10, kind: .syntax)
        expectFailure("filter a <> 1", "'<>' is not an operator; use '!='", line: 1, column: 10, kind: .syntax)
        expectFailure("filter !a", "unexpected '!'; use 'not' or '!='", line: 1, column: 8, kind: .syntax)
        expectFailure("filter a = 1 ; b", "unexpected character ';'", line: 1, column: 14, kind: .syntax)
        expectFailure("stats count(*) by bin(5x)", "unknown time unit 'x' (use ms, s, m, h, d, w, mo, q or y)", line: 1, column: 23, kind: .syntax)
        expectFailure("filter a = 12ab", "unknown time unit 'ab' (use ms, s, m, h, d, w, mo, q or y)", line: 1, column: 12, kind: .syntax)
        expectFailure("filter a = 5m_x", "invalid time period '5m_'", line: 1, column: 12, kind: .syntax)
    }

    @Test func missingOperand() {
        expectFailure("filter", "expected an expression, found the end of the query", line: 1, column: 7, kind: .syntax)
        expectFailure("filter a = ", "expected an expression, found the end of the query", line: 1, column: 12, kind: .syntax)
        expectFailure("fields a, , b", "expected an expression, found ','", line: 1, column: 11, kind: .syntax)
        expectFailure("fields a as", "expected a name after 'as', found the end of the query", line: 1, column: 12, kind: .syntax)
    }
}

/// Spec §12 documentation defects: each either gives a clear error or parses to a documented
/// reading.
@Suite struct DocumentationDefects {
    @Test func unquotedURLValueIsRejected() {
        // §2.2: `referrer= http://34.250.27.141/` in the Apache sample.
        expectFailure("filter status=\"200\" and referrer= http://34.250.27.141/ and method= \"GET\"",
                      "unexpected character ':'", line: 1, column: 39, kind: .syntax)
    }

    @Test func ispresentWithoutArgumentIsAFieldName() throws {
        // §4.1: `fields ispresent as isRes` lacks the argument; a bare name is a field (JSON
        // keys such as `count` or `max` are common), so it reads the field `ispresent`.
        let query = try InsightsParser.parse("fields ispresent as isRes")
        #expect(query.commands[0].command == .fields([Projection(expr: .field(FieldRef("ispresent")), alias: "isRes", name: "isRes")]))
    }
}
