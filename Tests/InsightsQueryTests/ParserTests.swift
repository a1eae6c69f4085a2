import Testing
@testable import InsightsQuery

private func parse(_ text: String) throws -> Query {
    try InsightsParser.parse(text)
}

private func field(_ name: String) -> Expr { .field(FieldRef(name)) }
private func number(_ n: Double) -> Expr { .literal(.number(n)) }
private func string(_ s: String) -> Expr { .literal(.string(s)) }

/// The single command of a one-command query.
private func only(_ text: String) throws -> Command {
    let query = try parse(text)
    try #require(query.commands.count == 1, "\(text) has \(query.commands.count) commands")
    return query.commands[0].command
}

private func filterExpr(_ text: String) throws -> Expr {
    guard case .filter(let e) = try only("filter " + text) else {
        Issue.record("not a filter: \(text)")
        return .star
    }
    return e
}

private func stats(_ text: String) throws -> Stats {
    guard case .stats(let s) = try only(text) else {
        Issue.record("not stats: \(text)")
        return Stats(aggregations: [])
    }
    return s
}

@Suite struct SpecQueriesParse {
    /// Spec §11 verbatim: the CloudTrail samples.
    static let cloudTrailSamples = [
        "stats count(*) by eventSource, eventName, awsRegion",
        "filter (eventName=\"StartInstances\" or eventName=\"StopInstances\") and awsRegion=\"us-east-2\"",
        """
        filter eventName="CreateUser"
            | fields awsRegion, requestParameters.userName, responseElements.user.arn
        """,
        """
        filter eventName="UpdateTrail" and ispresent(errorCode)
            | stats count(*) by errorCode, errorMessage
        """,
        """
        filter tlsDetails.tlsVersion in [ "TLSv1", "TLSv1.1" ]
        | stats count(*) as numOutdatedTlsCalls by userIdentity.accountId, recipientAccountId, eventSource, eventName, awsRegion, tlsDetails.tlsVersion, tlsDetails.cipherSuite, userAgent
        | sort eventSource, eventName, awsRegion, tlsDetails.tlsVersion
        """,
        """
        filter tlsDetails.tlsVersion in [ "TLSv1", "TLSv1.1" ]
        | stats count(*) as numOutdatedTlsCalls by eventSource
        | sort numOutdatedTlsCalls desc
        """,
    ]

    /// Every example query quoted in spec §1–§6 and §9 (doc bugs excluded: see the error tests).
    static let sectionExamples = [
        // §1: comments, case-insensitive keywords.
        """
        fields @timestamp, @message
            # | filter @message like /delay/
        | sort @timestamp desc
        """,
        """
        FIELDS @message
        | STATS SUM(Fault) by Operation
        # You can only reference `SUM(Fault)` or Operation at this point
        | STATS MAX(Operation) AS MaxOp # a comment after a command
        """,
        "stats count(*) by queryType, bin(1h)",
        "STATS SUM(Fault) by Operation",
        "stats MAX(strlen(@message)) AS MaxMessageSize",
        // §2.1 field names.
        "fields `foo-bar`, action, abs(f3-f4)",
        "filter `error-code`=\"102\"",
        "fields `detail-type`",
        "fields @`aws.tag.aws:cloudformation:stack-name`",
        // §2.2 strings.
        "fields concat(Operation, '-', StatusCode) as opStatus",
        "filter logStream = 'vpc-flow-logs'",
        "filter (dstAddr like 'x.x.x.x' and srcAddr like 'y.y.y.y')",
        "parse @message 'Failed to do: *' as cause",
        // §2.3 numbers.
        "filter range>3000",
        "filter @duration > 1000",
        "stats pct(@duration, 95)",
        "fields round(a, 2)",
        "stats max(@memorySize / 1000 / 1000) as provisonedMemoryMB",
        // §2.4 periods.
        "stats count(*) by bin(30s)",
        "stats avg(myfield1) by bin(5m)",
        "stats avg(myfield1), min(myfield2), max(myfield3) by bin(5m)",
        "stats count(*) by bin(10m)",
        "stats count(*) by bin(1d)",
        // §2.5 regexes.
        "filter @message like /Exception/",
        "filter statusCode like /2\\d\\d/",
        "filter f1 like /(?i)Exception/",
        "filter f1 =~ /^(?i)Exception$/",
        "parse @message /(?<NetworkInterface>eni-.*?) /",
        // §4.1 fields.
        "fields abs(myField) as AbsoluteValuemyField, myField2",
        "fields @timestamp, @message, accountId as ID",
        "fields ispresent(resolverArn) as isRes",
        // §4.2 display.
        "DISPLAY loggingMessage, loggingType = \"ERROR\" as isError",
        """
        FIELDS @message
        | PARSE @message "* [*] *" as loggingTime, loggingType, loggingMessage
        | FILTER loggingType IN ["ERROR", "INFO"]
        | DISPLAY loggingMessage, loggingType = "ERROR" as isError
        """,
        // §4.3 filter and where.
        "filter (range>3000)",
        "filter (range>3000 and accountId=123456789012)",
        "filter (f1=10 or f3>25)",
        "filter (duration>2000)",
        "filter statusCode not like /2\\d\\d/",
        "filter statusCode in [300,400,500]",
        "filter Type not in [\"foo\",\"bar\",1]",
        "filter logGroup in [\"example_group\"]",
        "filter f1 like \"Exception\"",
        "filter f1 =~ /Exception/",
        "filter f1 not like \"Exception\"",
        "filter f1 like /ServiceLog./",
        "filter f1 like /ServiceLog.*/",
        "filter f3 like /E*/",
        "where eventName = \"ConsoleLogin\"",
        "filter toMillis(@timestamp) >= (now() * 1000 - 7200000)",
        "filter toMillis(@timestamp) >= (now() * 1000 - 18000000)",
        // §4.4 stats.
        "FIELDS strlen(@message) AS message_length | STATS sum(message_length)/1024/1024 as logs_mb BY bin(5m)",
        "stats sum(requests) / count(*) as avg_session_requests",
        """
        filter @type = "REPORT"
        | stats max(@memorySize / 1000 / 1000) as provisonedMemoryMB,
          min(@maxMemoryUsed / 1000 / 1000) as smallestMemoryRequestMB,
          avg(@maxMemoryUsed / 1000 / 1000) as avgMemoryUsedMB,
          max(@maxMemoryUsed / 1000 / 1000) as maxMemoryUsedMB,
          provisonedMemoryMB - maxMemoryUsedMB as overProvisionedMB
        """,
        "stats count(*) by dateceil(@timestamp, 10m)",
        "stats count(*) by json_message.status_code, userIdentity.accountId",
        "stats count(*) by bin(1h) as t | sort t",
        "stats count(*) by duration as time | sort time desc",
        "stats avg(f1) as myAvgF1 | sort myAvgF1 desc",
        """
        FIELDS strlen(@message) AS message_length
        | STATS sum(message_length)/1024/1024 as logs_mb BY bin(5m)
        | STATS max(logs_mb) AS peak_ingest_mb,
                min(logs_mb) AS min_ingest_mb,
                avg(logs_mb) AS avg_ingest_mb
        """,
        """
        STATS count(*) as requests, max(@timestamp) as @t BY bin(5m)
        | STATS avg(requests) as avg_requests BY dateceil(@t, 1h)
        """,
        """
        STATS count(*) as requests BY BIN(5m) as @t
        | STATS max(requests) as peak BY dateceil(@t, 10m)
        | sort peak desc
        | limit 10
        """,
        // §4.5 sort.
        "sort f1 desc",
        "sort @timestamp desc",
        "sort @sampleCount asc",
        // §4.6 limit.
        "fields @timestamp, @message | sort @timestamp desc | limit 20",
        "limit any 50",
        "filter eventName=\"ConsoleLogin\" | limit 10000",
        // §4.7 parse.
        "parse @message \"[*] * The error was: *\" as level, config, exception",
        "parse @message /\\[(?<level>\\S+)\\]\\s+(?<config>\\{.*\\})\\s+The error was: (?<exception>\\S+)/",
        "parse @message /(\\d+\\.\\d+\\.\\d+\\.\\d+)/ as ip_addr multi",
        "parse /(?<user>\\w+) logged in/",
        "parse 'user=*, method=*' as user, method",
        "parse @message /user=(?<user2>.*?), method:(?<method2>.*?), latency := (?<latency2>.*?)/",
        "parse @message 'Failed to do: *' as cause | parse cause 'code=*' as code",
        // §4.8 dedup.
        "fields @timestamp, server, severity, message | sort @timestamp desc | dedup server",
        "fields @timestamp, server, severity, message | sort @timestamp asc | dedup server",
        "dedup server, severity | limit 5",
        // §4.9 pattern.
        "pattern @message",
        "filter @message like /ERROR/ | pattern @message",
        "filter @message like /ERROR/ | parse @message 'Failed to do: *' as cause | pattern cause | sort @sampleCount asc",
        // §4.10 diff.
        "diff",
        "diff previousDay",
        "diff previousWeek",
        "diff previousMonth",
        // §4.12–4.14.
        "fields @timestamp, unmask(@message)",
        "fields jsonParse(@message) as json_message | unnest json_message.events into event | display event.name",
        "filterIndex requestId = \"1234\"",
        "filterIndex requestId in [\"a\", \"b\"]",
        // §5 functions in their documented forms.
        "fields ltrim(\"xyZxyfooxyZ\",\"xyZ\"), rtrim(\"xyZfooxyxyZ\",\"xyZ\"), trim(\"xyZxyfooxyxyZ\",\"xyZ\")",
        "fields substr(\"xyZfooxyZ\",3, 3), replace(\"foo\",\"o\",\"0\"), hexToAscii(\"48656c6c6f\"), hexToDec(\"0xff\"), decToHex(255)",
        "filter isIpInSubnet(srcAddr, \"192.0.2.0/24\") or isIpv6InSubnet(srcAddr, \"2001:db8::/32\")",
        "fields datefloor(@timestamp, 1h), fromMillis(1642195111000), strftime(@timestamp, \"%Y\")",
        "fields json_message.users[1].action, json_message.`user.id`",
        "stats earliest(a), latest(a), sortsFirst(a), sortsLast(a), stddev(b), count_distinct(c), count(d), count()",
        "fields case(a > 1, \"big\", \"small\"), if(ispresent(x), 1, 0), coalesce(a, b, c)",
        // §6 aliases.
        "fields @timestamp, @message, accountId as ID | sort @timestamp desc | limit 20",
        "fields userIdentity.arn as @user",
        // §9.
        "fields @timestamp, @message | filter requestParameters.instancesSet.items.0.instanceId=\"i-abcde123\" | sort @timestamp desc",
    ]

    @Test(arguments: cloudTrailSamples)
    func cloudTrailSample(_ text: String) throws {
        let query = try parse(text)
        #expect(!query.commands.isEmpty)
        #expect(query.text == text)
    }

    @Test(arguments: sectionExamples)
    func sectionExample(_ text: String) throws {
        #expect(try !parse(text).commands.isEmpty)
    }

    @Test func cloudTrailTLSQueryShape() throws {
        let query = try parse(Self.cloudTrailSamples[4])
        #expect(query.commands.count == 3)
        guard case .filter(.binary(.in, .field(let f), .array(let items))) = query.commands[0].command else {
            Issue.record("filter shape: \(query.commands[0])")
            return
        }
        #expect(f.name == "tlsDetails.tlsVersion")
        #expect(items == [string("TLSv1"), string("TLSv1.1")])
        guard case .stats(let s) = query.commands[1].command, case .sort(let keys) = query.commands[2].command else {
            Issue.record("stats/sort")
            return
        }
        #expect(s.aggregations == [Projection(expr: .call("count", [.star]), alias: "numOutdatedTlsCalls", name: "numOutdatedTlsCalls")])
        #expect(s.groups.map(\.name) == ["userIdentity.accountId", "recipientAccountId", "eventSource", "eventName", "awsRegion",
                                         "tlsDetails.tlsVersion", "tlsDetails.cipherSuite", "userAgent"])
        #expect(keys.map(\.name) == ["eventSource", "eventName", "awsRegion", "tlsDetails.tlsVersion"])
        #expect(keys.allSatisfy { !$0.descending })
        #expect(query.commands[1].location == SourceLocation(line: 2, column: 3))
        #expect(query.commands[2].location == SourceLocation(line: 3, column: 3))
    }

    @Test func firstSampleShape() throws {
        let s = try stats(Self.cloudTrailSamples[0])
        #expect(s.aggregations.count == 1)
        #expect(s.aggregations[0].name == "count(*)")
        #expect(s.aggregations[0].alias == nil)
        #expect(s.groups.map(\.expr) == [field("eventSource"), field("eventName"), field("awsRegion")])
    }
}

@Suite struct ExpressionStructure {
    @Test func andBindsTighterThanOrAndNotTightestOfAll() throws {
        // Spec §3: unary not > … > comparison > and > or.
        #expect(try filterExpr("a or b and not c = 1") ==
            .binary(.or, field("a"), .binary(.and, field("b"), .binary(.equal, .unary(.not, field("c")), number(1)))))
        #expect(try filterExpr("not (c = 1)") == .unary(.not, .binary(.equal, field("c"), number(1))))
    }

    @Test func arithmeticPrecedence() throws {
        #expect(try filterExpr("a + b * c ^ 2 > 10") ==
            .binary(.greater, .binary(.add, field("a"), .binary(.multiply, field("b"), .binary(.power, field("c"), number(2)))), number(10)))
        #expect(try filterExpr("a - b - c = 0") ==
            .binary(.equal, .binary(.subtract, .binary(.subtract, field("a"), field("b")), field("c")), number(0)))
        #expect(try filterExpr("a % 3 * 2 = 1") ==
            .binary(.equal, .binary(.multiply, .binary(.modulo, field("a"), number(3)), number(2)), number(1)))
    }

    @Test func powerIsRightAssociativeAndUnaryMinusBindsTighter() throws {
        #expect(try filterExpr("2 ^ 3 ^ 2 = x") ==
            .binary(.equal, .binary(.power, number(2), .binary(.power, number(3), number(2))), field("x")))
        #expect(try filterExpr("-x ^ 2 = 4") ==
            .binary(.equal, .binary(.power, .unary(.negate, field("x")), number(2)), number(4)))
        #expect(try filterExpr("-2 ^ 2 = 4") == .binary(.equal, .binary(.power, number(-2), number(2)), number(4)))
    }

    @Test func unquotedDashIsSubtraction() throws {
        // S-TOOLKIT: `event-name` is `event` minus `name`.
        #expect(try filterExpr("event-name = 1") == .binary(.equal, .binary(.subtract, field("event"), field("name")), number(1)))
        #expect(try filterExpr("`event-name` = 1") == .binary(.equal, field("event-name"), number(1)))
        #expect(try filterExpr("x = -5") == .binary(.equal, field("x"), number(-5)))
        #expect(try filterExpr("x in [-1, 2]") == .binary(.in, field("x"), .array([number(-1), number(2)])))
    }

    @Test func regexVersusDivision() throws {
        #expect(try filterExpr("a / b / c > 1") ==
            .binary(.greater, .binary(.divide, .binary(.divide, field("a"), field("b")), field("c")), number(1)))
        #expect(try filterExpr("a like /b/") == .binary(.like, field("a"), .regex(RegexLiteral("b"))))
        #expect(try filterExpr("a =~ /x\\/y/") == .binary(.matches, field("a"), .regex(RegexLiteral("x\\/y"))))
        #expect(try filterExpr("(/a b/ = x)") == .binary(.equal, .regex(RegexLiteral("a b")), field("x")))
        // Quotes and `#` inside a regex are pattern text, not strings or comments.
        #expect(try filterExpr("m like /it's #1 \"x\"/") == .binary(.like, field("m"), .regex(RegexLiteral("it's #1 \"x\""))))
        #expect(try filterExpr("a like /x/ and b / 2 > 1") ==
            .binary(.and, .binary(.like, field("a"), .regex(RegexLiteral("x"))),
                    .binary(.greater, .binary(.divide, field("b"), number(2)), number(1))))
        guard case .parse(let p) = try only("parse f /(?<n>\\d+)/") else { Issue.record("parse"); return }
        #expect(p.source == field("f"))
        #expect(p.pattern == .regex(RegexLiteral("(?<n>\\d+)")))
    }

    @Test func comparisonAndMatchOperators() throws {
        let cases: [(String, BinaryOperator)] = [
            ("=", .equal), ("!=", .notEqual), ("<", .less), ("<=", .lessOrEqual), (">", .greater), (">=", .greaterOrEqual),
            ("like", .like), ("LIKE", .like), ("not like", .notLike), ("NOT LIKE", .notLike), ("=~", .matches),
        ]
        for (spelled, op) in cases {
            #expect(try filterExpr("a \(spelled) \"x\"") == .binary(op, field("a"), string("x")), "\(spelled)")
        }
        #expect(try filterExpr("a not in [1]") == .binary(.notIn, field("a"), .array([number(1)])))
        #expect(try filterExpr("a IN []") == .binary(.in, field("a"), .array([])))
    }

    @Test func countStarAndEmptyCount() throws {
        let s = try stats("stats count(*), COUNT(), count(x) as n")
        #expect(s.aggregations.map(\.expr) == [.call("count", [.star]), .call("count", []), .call("count", [field("x")])])
        #expect(s.aggregations.map(\.name) == ["count(*)", "COUNT()", "n"])
    }

    @Test func functionNamesAreCanonicalised() throws {
        guard case .fields(let p) = try only("fields ISVALIDIPV4(ip), tomillis(@timestamp), Count_Distinct") else { return }
        #expect(p[0].expr == .call("isValidIpV4", [field("ip")]))
        #expect(p[1].expr == .call("toMillis", [field("@timestamp")]))
        // Not followed by `(`: a field, whatever it is called.
        #expect(p[2].expr == field("Count_Distinct"))
        #expect(try stats("stats COUNT_DISTINCT(x)").aggregations[0].expr == .call("count_distinct", [field("x")]))
    }

    @Test func trueAndFalseAreFieldNames() throws {
        #expect(try filterExpr("x = true") == .binary(.equal, field("x"), field("true")))
    }

    @Test func stringEscapes() throws {
        #expect(try filterExpr(#"a = "say \"hi\"""#) == .binary(.equal, field("a"), string(#"say "hi""#)))
        #expect(try filterExpr(#"a = 'it\'s'"#) == .binary(.equal, field("a"), string("it's")))
        #expect(try filterExpr(#"a = "back\\slash""#) == .binary(.equal, field("a"), string(#"back\slash"#)))
        #expect(try filterExpr(#"a = "\d\n""#) == .binary(.equal, field("a"), string(#"\d\n"#)))
        #expect(try filterExpr(##"a = "# not a comment""##) == .binary(.equal, field("a"), string("# not a comment")))
    }

    @Test func numbers() throws {
        #expect(try filterExpr("a = 1.5e3") == .binary(.equal, field("a"), number(1500)))
        #expect(try filterExpr("a = 2E-2") == .binary(.equal, field("a"), number(0.02)))
        #expect(try filterExpr("a = 123456789012") == .binary(.equal, field("a"), number(123456789012)))
    }
}

@Suite struct FieldNames {
    private func fieldRef(_ text: String) throws -> FieldRef? {
        guard case .fields(let p) = try only("fields " + text), case .field(let f) = p[0].expr else { return nil }
        return f
    }

    @Test func dottedAndSystemNames() throws {
        #expect(try fieldRef("userIdentity.sessionContext.sessionIssuer.userName")?.segments ==
            ["userIdentity", "sessionContext", "sessionIssuer", "userName"])
        #expect(try fieldRef("requestParameters.instancesSet.items.0.instanceId")?.name == "requestParameters.instancesSet.items.0.instanceId")
        #expect(try fieldRef("@timestamp")?.segments == ["@timestamp"])
        #expect(try fieldRef("@@example.com")?.name == "@@example.com")
    }

    @Test func backticksAndIndexes() throws {
        #expect(try fieldRef("`foo-bar`")?.segments == ["foo-bar"])
        #expect(try fieldRef("@`aws.tag.x:y`")?.segments == ["@aws.tag.x:y"])
        #expect(try fieldRef("@`aws.tag.x:y`")?.name == "@aws.tag.x:y")
        #expect(try fieldRef("map.`special.char`")?.segments == ["map", "special.char"])
        #expect(try fieldRef("json.users[1].action")?.segments == ["json", "users", "1", "action"])
        #expect(try fieldRef("json.users[1].action")?.name == "json.users.1.action")
        #expect(try fieldRef("list[0]")?.segments == ["list", "0"])
        #expect(try fieldRef("`and`")?.name == "and")
    }

    @Test func backtickedNameIsNeverAFunction() throws {
        guard case .fields(let p) = try only("fields `count`") else { return }
        #expect(p[0].expr == field("count"))
    }
}

@Suite struct Periods {
    static let spellings: [(String, TimePeriod.Unit)] = [
        ("ms", .millisecond), ("msec", .millisecond), ("msecs", .millisecond), ("millisecond", .millisecond), ("milliseconds", .millisecond),
        ("s", .second), ("sec", .second), ("secs", .second), ("second", .second), ("seconds", .second),
        ("m", .minute), ("min", .minute), ("mins", .minute), ("minute", .minute), ("minutes", .minute),
        ("h", .hour), ("hr", .hour), ("hrs", .hour), ("hour", .hour), ("hours", .hour),
        ("d", .day), ("day", .day), ("days", .day), ("w", .week), ("week", .week), ("weeks", .week),
        ("mo", .month), ("mon", .month), ("mons", .month), ("month", .month), ("months", .month),
        ("q", .quarter), ("qtr", .quarter), ("qtrs", .quarter), ("quarter", .quarter), ("quarters", .quarter),
        ("y", .year), ("yr", .year), ("yrs", .year), ("year", .year), ("years", .year), ("M", .minute), ("H", .hour),
    ]

    @Test func everyUnitSpelling() throws {
        for (spelling, unit) in Self.spellings {
            let s = try stats("stats count(*) by bin(2\(spelling))")
            #expect(s.groups[0].expr == .call("bin", [.period(TimePeriod(2, unit))]), "\(spelling)")
            #expect(s.groups[0].name == "bin(2\(spelling))")
        }
    }

    @Test func fractionalPeriodAndDatefloor() throws {
        guard case .fields(let p) = try only("fields datefloor(@timestamp, 1.5h) as t") else { return }
        #expect(p[0].expr == .call("datefloor", [field("@timestamp"), .period(TimePeriod(1.5, .hour))]))
    }
}

@Suite struct CommandStructure {
    @Test func projectionNamesKeepTextAndNormaliseWhitespace() throws {
        guard case .fields(let p) = try only("fields abs(f3   -\n  f4), COUNT_x ,  concat(a,'-',b)   as  c, abs(x) # comment\n  + 1") else { return }
        #expect(p.map(\.name) == ["abs(f3 - f4)", "COUNT_x", "c", "abs(x) + 1"])
        #expect(p[2].alias == "c")
        #expect(p[0].alias == nil)
        let s = try stats("stats  count( * )  by  BIN(5m)  as @t, bin(1h)")
        #expect(s.aggregations[0].name == "count( * )")
        #expect(s.groups.map(\.name) == ["@t", "bin(1h)"])
        #expect(s.groups[0].expr == .call("bin", [.period(TimePeriod(5, .minute))]))
    }

    @Test func sortDirectionsPerKey() throws {
        guard case .sort(let keys) = try only("sort a desc, b, c ASC, d DESC") else { return }
        #expect(keys.map(\.name) == ["a", "b", "c", "d"])
        #expect(keys.map(\.descending) == [true, false, false, true])
    }

    @Test func limitForms() throws {
        #expect(try only("limit 25") == .limit(25, any: false))
        #expect(try only("LIMIT ANY 7") == .limit(7, any: true))
    }

    @Test func parseForms() throws {
        #expect(try only("parse @message \"[*] * x: *\" as level, config, exception") ==
            .parse(Parse(source: field("@message"), pattern: .glob("[*] * x: *"), aliases: ["level", "config", "exception"])))
        #expect(try only("parse 'a=*' as a") == .parse(Parse(source: field("@message"), pattern: .glob("a=*"), aliases: ["a"])))
        #expect(try only("parse @message /(\\d+)/ as n multi") ==
            .parse(Parse(source: field("@message"), pattern: .regex(RegexLiteral("(\\d+)")), aliases: ["n"], multi: true)))
        #expect(try only("parse requestParameters.bucketName /(?<prefix>[a-z]+)-/") ==
            .parse(Parse(source: field("requestParameters.bucketName"), pattern: .regex(RegexLiteral("(?<prefix>[a-z]+)-")), aliases: [])))
    }

    @Test func dedupUnnestDiffPattern() throws {
        #expect(try only("dedup server, `a-b`") == .dedup([FieldRef("server"), FieldRef(segments: ["a-b"])]))
        #expect(try only("unnest json.events into event") == .unnest(FieldRef("json.events"), into: "event"))
        #expect(try only("diff") == .diff(.previousRange))
        #expect(try only("DIFF PreviousWeek") == .diff(.previousWeek))
        #expect(try only("pattern @message") == .pattern(Projection(expr: field("@message"), name: "@message")))
        #expect(try only("pattern tolower(m)") == .pattern(Projection(expr: .call("tolower", [field("m")]), name: "tolower(m)")))
    }

    @Test func whereAndFilterIndexAreFilters() throws {
        #expect(try only("WHERE a = 1") == .filter(.binary(.equal, field("a"), number(1))))
        #expect(try only("filterIndex a = \"v\"") == .filterIndex(.binary(.equal, field("a"), string("v"))))
    }

    @Test func statsWithArithmeticOverAggregatesAndAliases() throws {
        let s = try stats("stats sum(a)/1024 as kb, count(*) as n, kb / n as perEvent by bin(5m) as t, eventName")
        #expect(s.aggregations[0].expr == .binary(.divide, .call("sum", [field("a")]), number(1024)))
        #expect(s.aggregations[2].expr == .binary(.divide, field("kb"), field("n")))
        #expect(s.aggregations.map(\.name) == ["kb", "n", "perEvent"])
        #expect(s.groups.map(\.name) == ["t", "eventName"])
    }

    @Test func commandLocationsAreOneBasedAndCountCharacters() throws {
        let query = try parse("fields \"é\" as x | filter a = 1\n\t| limit 3")
        #expect(query.commands.map(\.location) == [
            SourceLocation(line: 1, column: 1), SourceLocation(line: 1, column: 19), SourceLocation(line: 2, column: 4),
        ])
    }

    @Test func commentsAnywhereOutsideLiterals() throws {
        let query = try parse("""
        # leading comment
        filter a = "#x" # trailing
        # | filter b = 2
        | stats count(*) # done
        """)
        #expect(query.commands.count == 2)
        #expect(query.commands[0].command == .filter(.binary(.equal, field("a"), string("#x"))))
        #expect(query.commands[1].location == SourceLocation(line: 4, column: 3))
    }

    @Test func secondStatsCanNameAnUnaliasedColumnWithBackticks() throws {
        let query = try parse("STATS SUM(Fault) by Operation | STATS MAX(`SUM(Fault)`) as worst")
        guard case .stats(let second) = query.commands[1].command else { return }
        #expect(second.aggregations[0].expr == .call("max", [.field(FieldRef(segments: ["SUM(Fault)"]))]))
    }

    @Test func crlfLineEndingsAndHashInBackticks() throws {
        let query = try parse("fields `a#b`\r\n| limit 2")
        #expect(query.commands[0].command == .fields([Projection(expr: .field(FieldRef(segments: ["a#b"])), name: "`a#b`")]))
        #expect(query.commands[1].location == SourceLocation(line: 2, column: 3))
    }

    @Test func longQueryParsesInLinearTime() throws {
        let text = "filter " + Array(repeating: "a = 1", count: 1_000).joined(separator: " or ")
        #expect(text.count < InsightsParser.maximumQueryLength)
        let query = try parse(text)
        #expect(query.commands.count == 1)
    }
}
