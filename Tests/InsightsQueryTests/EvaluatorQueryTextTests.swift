import Testing
import TestSupport
import TrailJSON
@testable import InsightsQuery

/// Whole text queries: parser + evaluator.
@Suite struct EvaluatorQueryTextTests {
    func query(_ text: String, _ records: [JSONRecord], context: QueryContext = defaultContext) throws -> QueryResult {
        let q = try InsightsParser.parse(text)
        return try QueryEvaluator(query: q, context: context).run(source: ArrayRecordSource(records))
    }

    static let trail = EvaluatorCloudTrailTests.events

    @Test func cloudTrailSampleQueries() throws {
        let a = try query("stats count(*) by eventSource, eventName, awsRegion", Self.trail)
        #expect(a.columns == ["eventSource", "eventName", "awsRegion", "count(*)"])
        #expect(a.rows.count == 5)

        let b = try query("filter (eventName=\"StartInstances\" or eventName=\"StopInstances\") and awsRegion=\"us-east-2\"", Self.trail)
        #expect(b.rows.count == 3)

        let c = try query("filter eventName=\"CreateUser\"\n    | fields awsRegion, requestParameters.userName, responseElements.user.arn", Self.trail)
        #expect(cells(c) == [["us-east-1", "bob", "arn:aws:iam::111122223333:user/bob"]])

        let d = try query("filter eventName=\"UpdateTrail\" and ispresent(errorCode)\n    | stats count(*) by errorCode, errorMessage", Self.trail)
        #expect(cells(d) == [["AccessDenied", "User is not authorized", "2"], ["TrailNotFoundException", "Unknown trail", "1"]])

        let e = try query("""
            filter tlsDetails.tlsVersion in [ "TLSv1", "TLSv1.1" ]
            | stats count(*) as numOutdatedTlsCalls by userIdentity.accountId, recipientAccountId, eventSource, eventName, awsRegion, tlsDetails.tlsVersion, tlsDetails.cipherSuite, userAgent
            | sort eventSource, eventName, awsRegion, tlsDetails.tlsVersion
            """, Self.trail)
        #expect(e.rows.count == 5)
        #expect(e.rows.first?[2] == .string("cloudtrail.amazonaws.com"))

        let f = try query("""
            filter tlsDetails.tlsVersion in [ "TLSv1", "TLSv1.1" ]
            | stats count(*) as numOutdatedTlsCalls by eventSource
            | sort numOutdatedTlsCalls desc
            """, Self.trail)
        #expect(cells(f) == [["ec2.amazonaws.com", "3"], ["cloudtrail.amazonaws.com", "1"], ["iam.amazonaws.com", "1"]])
    }

    @Test func precedenceOfArithmeticAndLogic() throws {
        let r = JSONRecord(message: "m", timestampMillis: 0)
        let res = try query("fields 1 + 2 * 3 as a, 2 ^ 3 ^ 2 as b, 10 % 3 as c, -2 ^ 2 as d, (1 + 2) * 3 as e | display a, b, c, d, e", [r])
        #expect(cells(res) == [["7", "512", "1", "4", "9"]])
        let logic = try query("fields 1 = 1 or 1 = 2 and 1 = 2 as x | display x", [r])
        #expect(cells(logic) == [["1"]])
    }

    @Test func parseDocumentedGlobExampleFromText() throws {
        let r = JSONRecord(message: "25 May 2019 10:24:39,474 [ERROR] {foo=2, bar=data} The error was: DataIntegrityException", timestampMillis: 0)
        let res = try query("parse @message \"[*] * The error was: *\" as level, config, exception | display level, config, exception", [r])
        #expect(cells(res) == [["ERROR", "{foo=2, bar=data}", "DataIntegrityException"]])
    }

    @Test func parseRegexFromText() throws {
        let r = JSONRecord(message: "user=alice method=GET latency=216", timestampMillis: 0)
        let res = try query("parse @message /user=(?<user>\\S+) method=(?<method>\\S+) latency=(?<latency>\\d+)/ | filter latency > 200 | display user, method, latency", [r])
        #expect(cells(res) == [["alice", "GET", "216"]])
    }

    @Test func unnestDocumentedExampleFromText() throws {
        let r = JSONRecord(message: "{\"events\":[{\"name\":\"exception\"},{\"name\":\"user action\"}]}", timestampMillis: 0)
        let res = try query("fields jsonParse(@message) as json_message | unnest json_message.events into event | display event.name", [r])
        #expect(cells(res) == [["exception"], ["user action"]])
    }

    @Test func jsonListIndexAccessFromText() throws {
        let r = JSONRecord(message: "{\"users\":[{\"action\":\"a0\"},{\"action\":\"a1\"}]}", timestampMillis: 0)
        let res = try query("fields jsonParse(@message) as j | display j.users[1].action", [r])
        #expect(cells(res) == [["a1"]])
    }

    @Test func dedupFromText() throws {
        let recs = [record(["server": "a", "v": 1], at: 1), record(["server": "a", "v": 2], at: 2), record(["v": 3], at: 3), record(["server": "b", "v": 4], at: 4)]
        let res = try query("sort @timestamp desc | display v | dedup server", recs)
        #expect(cells(res) == [["4"], ["3"], ["2"]])
    }

    @Test func statsArithmeticLambdaStyle() throws {
        let recs = [record(["@maxMemoryUsed": 64_000_000, "mem": 128_000_000]), record(["mem": 128_000_000, "used": 96_000_000])]
        let res = try query("stats max(mem / 1000 / 1000) as provisonedMemoryMB, max(used / 1000 / 1000) as maxMemoryUsedMB, provisonedMemoryMB - maxMemoryUsedMB as overProvisionedMB", recs)
        #expect(cells(res) == [["128", "96", "32"]])
    }

    @Test func twoStatsFromText() throws {
        let recs = [0, 10_000, 70_000, 130_000, 135_000, 140_000].map { JSONRecord(message: "m", timestampMillis: Int64($0)) }
        let res = try query("STATS count(*) as c BY BIN(1m) as @t | STATS avg(c) as a, max(c) as peak BY dateceil(@t, 2m) as t2 | sort t2 asc", recs)
        #expect(cells(res) == [["1970-01-01 00:00:00.000", "2", "2"], ["1970-01-01 00:02:00.000", "2", "3"]])
    }

    @Test func statsColumnNamesAsWritten() throws {
        let res = try query("stats count(*), avg(n) by bin(1h)", [record(["n": 4])])
        #expect(res.columns == ["bin(1h)", "count(*)", "avg(n)"])
    }

    @Test func limitAndDefaultOrder() throws {
        let recs = (0..<20).map { JSONRecord(message: "m\($0)", timestampMillis: Int64(($0 * 7) % 20)) }
        let res = try query("fields @message | limit 3", recs)
        #expect(res.rows.count == 3)
        #expect(cells(res).map { $0[0] } == ["m17", "m14", "m11"])
        let ts = try query("fields @timestamp | limit 3", recs)
        #expect(cells(ts).map { $0[0] } == ["1970-01-01 00:00:00.019", "1970-01-01 00:00:00.018", "1970-01-01 00:00:00.017"])
    }

    @Test func patternFromText() throws {
        let recs = ["Failed to do: disk 1", "Failed to do: disk 2", "ok"].map { JSONRecord(message: $0, timestampMillis: 0) }
        let res = try query("filter @message like /Failed/ | parse @message 'Failed to do: *' as cause | pattern cause | sort @sampleCount asc", recs)
        #expect(cells(res) == [["disk <Number-1>", "1", "2", "Other"]])
    }

    @Test func notLikeAndInFromText() throws {
        let recs = [record(["statusCode": "300"], at: 3), record(["statusCode": 404], at: 2), record(["other": 1], at: 1)]
        #expect(try query("filter statusCode in [300,400,500]", recs).rows.count == 1)
        #expect(try query("filter statusCode not like /3\\d\\d/", recs).rows.count == 1)
        #expect(try query("filter not (statusCode = 300)", recs).rows.count == 1)
    }

    @Test func diffWithoutRangeIsAnExecutionError() throws {
        let q = try InsightsParser.parse("fields @message\n| stats count(*) as c by x\n| diff")
        let e = #expect(throws: InsightsError.self) {
            _ = try QueryEvaluator(query: q, context: defaultContext).run(source: ArrayRecordSource([JSONRecord]()))
        }
        #expect(e?.message.contains("diff") == true)
        #expect(e?.kind == .execution)
    }
}

/// Parser-produced shapes the evaluator must accept, and order independence.
@Suite struct EvaluatorQueryShapeTests {
    func query(_ text: String, _ records: [JSONRecord], context: QueryContext = defaultContext) throws -> QueryResult {
        try QueryEvaluator(query: InsightsParser.parse(text), context: context).run(source: ArrayRecordSource(records))
    }

    static let logs: [JSONRecord] = [
        "2023-05-01 [ERROR] Failed to do: connect db-1", "2023-05-01 [INFO] Request time: 327 ms",
        "2023-05-01 [INFO] Request time: 12 ms", "2023-05-01 [ERROR] Failed to do: write file",
    ].enumerated().map { JSONRecord(message: $0.element, timestampMillis: Int64($0.offset) * 1000) }

    @Test func parseWithoutSourceReadsMessage() throws {
        let r = try query("parse 'Failed to do: *' as cause | filter ispresent(cause) | display cause", Self.logs)
        #expect(cells(r) == [["write file"], ["connect db-1"]])
    }

    @Test func parseRegexWithAliasesAndMulti() throws {
        let r = try query("parse @message /(\\d+)/ as n multi | stats count(*) as c by n | sort c desc, n asc | limit 2", Self.logs)
        #expect(cells(r) == [["01", "4"], ["05", "4"]])
    }

    @Test func whereAndFilterIndexAndSortDefaultAscending() throws {
        let a = try query("where @message like 'ERROR' | fields @timestamp | sort @timestamp", Self.logs)
        #expect(cells(a).map { $0[0] } == ["1970-01-01 00:00:00.000", "1970-01-01 00:00:03.000"])
        let b = try query("filterIndex @logStream = 'x'", Self.logs)
        #expect(b.rows.isEmpty)
    }

    @Test func limitAnyFromText() throws {
        let r = try query("limit any 1", Self.logs)
        #expect(r.rows.count == 1)
        #expect(r.recordsScanned == 1)
    }

    @Test func limitBeforeStatsDoesNotCapTheResult() throws {
        let recs = (0..<30).map { JSONRecord(message: "m\($0)", timestampMillis: Int64($0)) }
        let ctx = QueryContext(nowMillis: 0, defaultLimit: 5)
        let r = try query("limit 20 | stats count(*) as c by @message", recs, context: ctx)
        #expect(r.rows.count == 5)
        #expect(cells(r).first == ["m10", "1"])
    }

    @Test func diffPreviousDayFromText() throws {
        let day: Int64 = 86_400_000
        let recs = [JSONRecord(json: ["eventName": "A"], timestampMillis: 5), JSONRecord(json: ["eventName": "A"], timestampMillis: day + 5),
                    JSONRecord(json: ["eventName": "A"], timestampMillis: day + 6)]
        let ctx = QueryContext(window: TimeWindow(startMillis: day, endMillis: 2 * day - 1), nowMillis: 0)
        let r = try query("stats count(*) as n by eventName | diff previousDay | sort n_change desc", recs, context: ctx)
        #expect(cells(r) == [["A", "2", "1", "1"]])
    }

    @Test func backtickedFieldNames() throws {
        let r = try query("fields `detail-type` as t, `foo.bar` as fb | display t, fb", [JSONRecord(json: ["detail-type": "x", "foo.bar": 1])])
        #expect(cells(r) == [["x", "1"]])
    }

    @Test func resultsDoNotDependOnSourceOrder() throws {
        var rng = SplitMix(seed: 42)
        let names = ["A", "B", "C", "D"]
        var recs: [JSONRecord] = []
        for i in 0..<400 {
            let n = names[Int(rng.next() % 4)]
            let code: JSONValue = rng.next() % 3 == 0 ? "Denied" : .null
            let fields: [(String, JSONValue)] = [("eventName", .string(n)), ("v", .number(Double(rng.next() % 100))), ("errorCode", code),
                                                 ("ip", .string("10.0.\(rng.next() % 4).\(rng.next() % 255)"))]
            recs.append(JSONRecord(json: .object(JSONObject(fields)), timestampMillis: Int64(i) * 997))
        }
        let queries = [
            "filter eventName = 'A' | limit 7",
            "fields v * 2 as w, eventName | filter w > 100 | sort w desc, eventName asc | limit 15",
            "stats count(*) as n, avg(v) as a, pct(v, 90) as p, stddev(v) as sd, earliest(v) as e, latest(v) as l by eventName, bin(1m)",
            "filter ispresent(errorCode) | stats count_distinct(ip) as ips, min(ip) as lo, max(ip) as hi by eventName",
            "dedup eventName",
            "parse ip '10.0.*.*' as net, host | stats count(*) as c by net | sort c desc",
            "filter isIpInSubnet(ip, '10.0.2.0/24') | display ip, v",
            "pattern ip",
        ]
        var shuffled = recs
        shuffled.shuffle(using: &rng)
        for text in queries {
            let a = try query(text, recs), b = try query(text, shuffled)
            #expect(a.columns == b.columns, "\(text)")
            // Floating sums (avg, stddev) may differ in the last bits with the order of addition.
            #expect(a.rows.count == b.rows.count, "\(text)")
            for (x, y) in zip(a.rows, b.rows) {
                #expect(x.count == y.count)
                for (u, v) in zip(x, y) {
                    if case .number(let p) = u, case .number(let q) = v {
                        #expect(abs(p - q) <= 1e-9 * max(1, abs(p)), "\(text)")
                    } else {
                        #expect(u == v, "\(text)")
                    }
                }
            }
            #expect(!a.rows.isEmpty, "\(text)")
        }
    }

    @Test func countOfFilterEqualsFilteredRows() throws {
        var rng = SplitMix(seed: 7)
        var recs: [JSONRecord] = []
        for i in 0..<300 {
            let fields: [(String, JSONValue)] = [("s", .string(["x", "y", "z"][Int(rng.next() % 3)])), ("n", .number(Double(rng.next() % 50)))]
            recs.append(JSONRecord(json: .object(JSONObject(fields)), timestampMillis: Int64(i)))
        }
        for cond in ["s = 'x'", "n > 20 and s != 'y'", "not (n < 10) or s like 'z'", "n in [1, 2, 3, 40]", "s =~ /^[xy]$/"] {
            let rows = try query("filter \(cond) | limit 10000", recs).rows.count
            let count = try query("filter \(cond) | stats count(*) as c", recs).rows[0][0]
            #expect(count == .number(Double(rows)), "\(cond)")
        }
    }
}
