import Testing
import TrailJSON
@testable import InsightsQuery

/// §4 commands over hand-built ASTs.
@Suite struct EvaluatorCommandTests {
    static let events: [JSONRecord] = (0..<6).map { (i: Int) -> JSONRecord in
        let kind: JSONValue = .string(i % 2 == 0 ? "even" : "odd")
        let server: JSONValue = .string(i < 3 ? "a" : "b")
        let fields: [(String, JSONValue)] = [("n", .number(Double(i))), ("kind", kind), ("server", server), ("msg", .string("item \(i) done"))]
        return record(.object(JSONObject(fields)), at: Int64(i) * 60_000)
    }

    // MARK: fields / display / default columns

    @Test func defaultColumnsAreTimestampAndMessage() throws {
        let r = try run(.filter(Q.eq("kind", "odd")), over: Self.events)
        #expect(r.columns == ["@timestamp", "@message"])
        #expect(r.rows.count == 3)
        #expect(r.rows[0][0] == .timestamp(300_000))  // @timestamp descending by default.
    }

    @Test func fieldsColumnsAccumulateAcrossCommands() throws {
        let r = try run(Q.fields(Q.proj(Q.field("n"))), Q.fields(Q.proj(Q.bin(.multiply, Q.field("n"), Q.num(10)), as: "n10")),
                        Q.sort(("n", false)), .limit(2, any: false), over: Self.events)
        #expect(r.columns == ["n", "n10"])
        #expect(cells(r) == [["0", "0"], ["1", "10"]])
    }

    @Test func lastDisplayWins() throws {
        let r = try run(Q.display(Q.proj(Q.field("n"))), Q.display(Q.proj(Q.field("kind")), Q.proj(Q.bin(.equal, Q.field("kind"), Q.str("odd")), as: "isOdd")),
                        .limit(1, any: false), over: Self.events)
        #expect(r.columns == ["kind", "isOdd"])
        #expect(cells(r) == [["odd", "1"]])
    }

    @Test func fieldsSeeEarlierProjectionsOfTheSameCommand() throws {
        let r = try run(Q.fields(Q.proj(Q.bin(.add, Q.field("n"), Q.num(1)), as: "a"), Q.proj(Q.bin(.multiply, Q.field("a"), Q.num(2)), as: "b")),
                        Q.sort(("n", false)), .limit(1, any: false), over: Self.events)
        #expect(cells(r) == [["1", "2"]])
    }

    @Test func fieldsCanOverwriteAField() throws {
        let r = try run(Q.fields(Q.proj(Q.call("toupper", Q.field("kind")), as: "kind")), Q.sort(("n", false)), .limit(1, any: false),
                        over: Self.events)
        #expect(cells(r) == [["EVEN"]])
    }

    // MARK: filter / filterIndex

    @Test func filterIndexActsAsFilter() throws {
        let r = try run(.filterIndex(Q.eq("server", "a")), Q.display(Q.proj(Q.field("n"))), over: Self.events)
        #expect(cells(r) == [["2"], ["1"], ["0"]])
        #expect(r.recordsScanned == 6)
        #expect(r.recordsMatched == 3)
    }

    // MARK: stats

    @Test func statsCountByGroupSortedByKey() throws {
        let r = try run(Q.stats([Q.proj(Q.call("count", .star), name: "count(*)")], by: [Q.proj(Q.field("kind"))]), over: Self.events)
        #expect(r.columns == ["kind", "count(*)"])
        #expect(cells(r) == [["even", "3"], ["odd", "3"]])
    }

    @Test func statsWithoutGroupsOverNothingIsOneRow() throws {
        let r = try run(.filter(Q.eq("kind", "none")), Q.stats([Q.proj(Q.call("count"), as: "c"), Q.proj(Q.call("sum", Q.field("n")), as: "s")]),
                        over: Self.events)
        #expect(cells(r) == [["0", ""]])
    }

    @Test func nullGroupKeyFormsItsOwnGroup() throws {
        var recs = Self.events
        recs.append(record(["n": 9], at: 1))
        let r = try run(Q.stats([Q.proj(Q.call("count", .star), as: "c")], by: [Q.proj(Q.field("kind"))]), over: recs)
        #expect(cells(r) == [["even", "3"], ["odd", "3"], ["", "1"]])
    }

    @Test func statsByBin() throws {
        let r = try run(Q.stats([Q.proj(Q.call("count", .star), as: "c")], by: [Q.proj(Q.call("bin", Q.period(2, .minute)), as: "t")]),
                        over: Self.events)
        #expect(cells(r) == [["1970-01-01 00:00:00.000", "2"], ["1970-01-01 00:02:00.000", "2"], ["1970-01-01 00:04:00.000", "2"]])
    }

    @Test func allAggregations() throws {
        let aggs = [
            Q.proj(Q.call("avg", Q.field("n")), as: "avg"), Q.proj(Q.call("count", Q.field("kind")), as: "cnt"),
            Q.proj(Q.call("count_distinct", Q.field("server")), as: "cd"), Q.proj(Q.call("max", Q.field("n")), as: "max"),
            Q.proj(Q.call("min", Q.field("msg")), as: "min"), Q.proj(Q.call("pct", Q.field("n"), Q.num(50)), as: "p50"),
            Q.proj(Q.call("stddev", Q.field("n")), as: "sd"), Q.proj(Q.call("sum", Q.field("n")), as: "sum"),
            Q.proj(Q.call("earliest", Q.field("msg")), as: "e"), Q.proj(Q.call("latest", Q.field("msg")), as: "l"),
            Q.proj(Q.call("sortsFirst", Q.field("kind")), as: "sf"), Q.proj(Q.call("sortsLast", Q.field("kind")), as: "sl"),
        ]
        let r = try run(Q.stats(aggs), over: Self.events)
        let row = r.rows[0]
        #expect(row[0] == .number(2.5))
        #expect(row[1] == .number(6))
        #expect(row[2] == .number(2))
        #expect(row[3] == .number(5))
        #expect(row[4] == .string("item 0 done"))
        #expect(row[5] == .number(2))  // nearest rank: ceil(0.5 * 6) = 3rd of 0…5
        #expect(abs(row[6].numeric! - 1.8708286933869707) < 1e-12)  // sample stddev
        #expect(row[7] == .number(15))
        #expect(row[8] == .string("item 0 done"))
        #expect(row[9] == .string("item 5 done"))
        #expect(row[10] == .string("even"))
        #expect(row[11] == .string("odd"))
    }

    @Test func pctNearestRank() throws {
        let recs = (1...10).map { record(["d": .number(Double($0 * 10))], at: Int64($0)) }
        let r = try run(Q.stats([Q.proj(Q.call("pct", Q.field("d"), Q.num(95)), as: "p95"), Q.proj(Q.call("pct", Q.field("d"), Q.num(0)), as: "p0"),
                                 Q.proj(Q.call("pct", Q.field("d"), Q.num(100)), as: "p100"), Q.proj(Q.call("pct", Q.field("d"), Q.num(91)), as: "p91")]),
                        over: recs)
        #expect(cells(r) == [["100", "10", "100", "100"]])
    }

    @Test func sumOfNoNumbersIsNullAndCountFieldCountsPresence() throws {
        let recs = [record(["a": "x"]), record(["a": ""]), record(["b": 1])]
        let r = try run(Q.stats([Q.proj(Q.call("sum", Q.field("a")), as: "s"), Q.proj(Q.call("count", Q.field("a")), as: "c"),
                                 Q.proj(Q.call("stddev", Q.field("b")), as: "sd")]), over: recs)
        #expect(cells(r) == [["", "2", ""]])
    }

    @Test func minMaxUseSortOrderOnMixedValues() throws {
        let recs = [record(["v": "abc"]), record(["v": 5]), record(["v": "10"]), record(["v": "Zed"])]
        let r = try run(Q.stats([Q.proj(Q.call("min", Q.field("v")), as: "mn"), Q.proj(Q.call("max", Q.field("v")), as: "mx")]), over: recs)
        #expect(cells(r) == [["Zed", "10"]])
    }

    @Test func arithmeticOverAggregatesAndEarlierAliases() throws {
        let r = try run(Q.stats([
            Q.proj(Q.bin(.divide, Q.call("sum", Q.field("n")), Q.call("count", .star)), as: "mean"),
            Q.proj(Q.call("max", Q.bin(.divide, Q.field("n"), Q.num(1))), as: "mx"),
            Q.proj(Q.bin(.subtract, Q.field("mx"), Q.field("mean")), as: "spread"),
        ], by: [Q.proj(Q.field("server"))]), over: Self.events)
        #expect(r.columns == ["server", "mean", "mx", "spread"])
        #expect(cells(r) == [["a", "1", "2", "1"], ["b", "4", "5", "1"]])
    }

    @Test func strayFieldInStatsIsAnError() throws {
        #expect(throws: InsightsError.self) {
            _ = try QueryEvaluator(query: Q.query(Q.stats([Q.proj(Q.bin(.add, Q.call("count"), Q.field("n")), as: "x")])), context: defaultContext)
        }
    }

    @Test func aggregationOutsideStatsIsAnError() throws {
        let e = #expect(throws: InsightsError.self) {
            _ = try QueryEvaluator(query: Q.query(Q.fields(Q.proj(Q.call("count"), as: "x"))), context: defaultContext)
        }
        #expect(e?.kind == .semantic)
        #expect(e?.line == 1)
    }

    @Test func twoStatsDocumentedShape() throws {
        // STATS count(*) as c BY bin(1m) as @t | STATS avg(c) as avgPerMinute, max(c) as peak BY dateceil(@t, 2m) as t2
        let recs = [0, 10_000, 70_000, 130_000, 135_000, 140_000].map { JSONRecord(message: "m", timestampMillis: Int64($0)) }
        let r = try run(
            Q.stats([Q.proj(Q.call("count", .star), as: "c")], by: [Q.proj(Q.call("bin", Q.period(1, .minute)), as: "@t")]),
            Q.stats([Q.proj(Q.call("avg", Q.field("c")), as: "avgPerMinute"), Q.proj(Q.call("max", Q.field("c")), as: "peak")],
                    by: [Q.proj(Q.call("dateceil", Q.field("@t"), Q.period(2, .minute)), as: "t2")]),
            Q.sort(("t2", false)), over: recs)
        #expect(r.columns == ["t2", "avgPerMinute", "peak"])
        #expect(cells(r) == [["1970-01-01 00:00:00.000", "2", "2"], ["1970-01-01 00:02:00.000", "2", "3"]])
    }

    @Test func secondStatsCannotSeeMessage() throws {
        let r = try run(Q.stats([Q.proj(Q.call("count", .star), as: "c")]), Q.stats([Q.proj(Q.call("count", Q.field("@message")), as: "m")]),
                        over: Self.events)
        #expect(cells(r) == [["0"]])
    }

    // MARK: sort / limit

    @Test func sortAscDescAndMultipleKeys() throws {
        let r = try run(.sort([SortKey(expr: Q.field("server"), name: "server", descending: true),
                               SortKey(expr: Q.field("n"), name: "n", descending: false)]),
                        Q.display(Q.proj(Q.field("n"))), over: Self.events)
        #expect(cells(r).map { $0[0] } == ["3", "4", "5", "0", "1", "2"])
    }

    @Test func sortThenLimitKeepsTopN() throws {
        let recs = (0..<5000).map { record(["v": .number(Double(($0 * 7919) % 5000))], at: Int64($0)) }
        let r = try run(Q.sort(("v", true)), .limit(3, any: false), Q.display(Q.proj(Q.field("v"))), over: recs)
        #expect(cells(r) == [["4999"], ["4998"], ["4997"]])
    }

    @Test func limitWithoutSortTakesMostRecent() throws {
        let shuffled = [3, 0, 5, 1, 4, 2].map { Self.events[$0] }
        let r = try run(.limit(2, any: false), Q.display(Q.proj(Q.field("n"))), over: shuffled)
        #expect(cells(r) == [["5"], ["4"]])
    }

    @Test func limitAnyStopsTheSourceEarly() throws {
        let r = try run(.limit(2, any: true), over: Self.events)
        #expect(r.rows.count == 2)
        #expect(r.recordsScanned == 2)
    }

    @Test func defaultLimitCapsResults() throws {
        let ctx = QueryContext(nowMillis: 0, defaultLimit: 4)
        let r = try run(Q.display(Q.proj(Q.field("n"))), over: Self.events, context: ctx)
        #expect(cells(r) == [["5"], ["4"], ["3"], ["2"]])
        let explicit = try run(.limit(5, any: false), over: Self.events, context: ctx)
        #expect(explicit.rows.count == 5)
    }

    @Test func sortNullsLastAscendingFirstDescending() throws {
        let recs = [record(["v": 2], at: 1), record(["w": 1], at: 2), record(["v": 1], at: 3)]
        let asc = try run(Q.sort(("v", false)), Q.display(Q.proj(Q.field("v"))), over: recs)
        #expect(cells(asc) == [["1"], ["2"], [""]])
        let desc = try run(Q.sort(("v", true)), Q.display(Q.proj(Q.field("v"))), over: recs)
        #expect(cells(desc) == [[""], ["2"], ["1"]])
    }

    // MARK: parse

    @Test func parseGlobDocumentedExample() throws {
        let r = JSONRecord(message: "25 May 2019 10:24:39,474 [ERROR] {foo=2, bar=data} The error was: DataIntegrityException", timestampMillis: 0)
        let res = try run(.parse(Parse(source: Q.field("@message"), pattern: .glob("[*] * The error was: *"), aliases: ["level", "config", "exception"])),
                          Q.display(Q.proj(Q.field("level")), Q.proj(Q.field("config")), Q.proj(Q.field("exception"))), over: [r])
        #expect(cells(res) == [["ERROR", "{foo=2, bar=data}", "DataIntegrityException"]])
    }

    @Test func parseRegexDocumentedEquivalent() throws {
        let r = JSONRecord(message: "25 May 2019 10:24:39,474 [ERROR] {foo=2, bar=data} The error was: DataIntegrityException", timestampMillis: 0)
        let re = "\\[(?<level>\\S+)\\]\\s+(?<config>\\{.*\\})\\s+The error was: (?<exception>\\S+)"
        let res = try run(.parse(Parse(source: Q.field("@message"), pattern: .regex(RegexLiteral(re)), aliases: [])), over: [r])
        #expect(res.columns == ["@timestamp", "@message", "level", "config", "exception"])
        #expect(cells(res)[0].suffix(3) == ["ERROR", "{foo=2, bar=data}", "DataIntegrityException"])
    }

    @Test func parseNonMatchPassesWithNullFields() throws {
        let recs = [JSONRecord(message: "Failed to do: disk", timestampMillis: 2), JSONRecord(message: "all good", timestampMillis: 1)]
        let res = try run(.parse(Parse(source: Q.field("@message"), pattern: .glob("Failed to do: *"), aliases: ["cause"])),
                          Q.display(Q.proj(Q.field("cause"))), over: recs)
        #expect(cells(res) == [["disk"], [""]])
    }

    @Test func parseGlobIsLazyExceptTrailingStar() throws {
        let r = JSONRecord(message: "k=a;b;c", timestampMillis: 0)
        let res = try run(.parse(Parse(source: Q.field("@message"), pattern: .glob("k=*;*"), aliases: ["x", "y"])),
                          Q.display(Q.proj(Q.field("x")), Q.proj(Q.field("y"))), over: [r])
        #expect(cells(res) == [["a", "b;c"]])
    }

    @Test func parseGlobAliasCountMustMatch() throws {
        #expect(throws: InsightsError.self) {
            _ = try QueryEvaluator(query: Q.query(.parse(Parse(source: Q.field("@message"), pattern: .glob("* *"), aliases: ["a"]))),
                                   context: defaultContext)
        }
    }

    @Test func parseRegexMultiProducesRowPerMatch() throws {
        let r = JSONRecord(message: "from 10.0.0.1 to 10.0.0.2 via 10.0.0.3", timestampMillis: 0)
        let res = try run(.parse(Parse(source: Q.field("@message"), pattern: .regex(RegexLiteral("(\\d+\\.\\d+\\.\\d+\\.\\d+)")),
                                       aliases: ["ip_addr"], multi: true)),
                          Q.display(Q.proj(Q.field("ip_addr"))), over: [r])
        #expect(cells(res) == [["10.0.0.1"], ["10.0.0.2"], ["10.0.0.3"]])
    }

    @Test func parseAFieldOtherThanMessageAndChain() throws {
        let r = record(["path": "/api/v1/users/42"])
        let res = try run(.parse(Parse(source: Q.field("path"), pattern: .glob("/api/*/*"), aliases: ["ver", "rest"])),
                          .parse(Parse(source: Q.field("rest"), pattern: .glob("*/*"), aliases: ["coll", "id"])),
                          Q.display(Q.proj(Q.field("ver")), Q.proj(Q.field("coll")), Q.proj(Q.field("id"))), over: [r])
        #expect(cells(res) == [["v1", "users", "42"]])
    }

    // MARK: dedup

    @Test func dedupKeepsFirstInSortOrderAndRetainsNulls() throws {
        var recs = Self.events
        recs.append(record(["n": 10], at: 10))
        recs.append(record(["n": 11], at: 11))
        let res = try run(.dedup([FieldRef("server")]), Q.display(Q.proj(Q.field("n"))), over: recs)
        // Default order @timestamp desc: the latest of a and b are kept; both server-less rows stay.
        #expect(cells(res).map { $0[0] }.sorted() == ["10", "11", "2", "5"])
        #expect(cells(res) == [["5"], ["2"], ["11"], ["10"]])
    }

    @Test func dedupAfterSortKeepsFirstOfThatOrder() throws {
        let res = try run(Q.sort(("n", false)), .dedup([FieldRef("server"), FieldRef("kind")]), Q.display(Q.proj(Q.field("n"))),
                          over: Self.events)
        #expect(cells(res) == [["0"], ["1"], ["3"], ["4"]])
    }

    // MARK: unnest

    @Test func unnestDocumentedExample() throws {
        let r = JSONRecord(message: "{\"events\":[{\"name\":\"exception\"},{\"name\":\"user action\"}]}", timestampMillis: 0)
        let res = try run(Q.fields(Q.proj(Q.call("jsonParse", Q.field("@message")), as: "json_message")),
                          .unnest(FieldRef("json_message.events"), into: "event"),
                          Q.display(Q.proj(Q.field("event.name"))), over: [r])
        #expect(cells(res) == [["exception"], ["user action"]])
    }

    @Test func unnestNonListIsOneItemAndNullIsNone() throws {
        let recs = [record(["a": "x"], at: 2), record(["b": "y"], at: 1)]
        let res = try run(.unnest(FieldRef("a"), into: "item"), Q.display(Q.proj(Q.field("item"))), over: recs)
        #expect(cells(res) == [["x"]])
    }

    @Test func unnestSplitList() throws {
        let r = record(["tags": "a,b,c"])
        let res = try run(Q.fields(Q.proj(Q.call("split", Q.field("tags"), Q.str(",")), as: "t")), .unnest(FieldRef("t"), into: "tag"),
                          Q.stats([Q.proj(Q.call("count", .star), as: "c")], by: [Q.proj(Q.field("tag"))]), over: [r])
        #expect(cells(res) == [["a", "1"], ["b", "1"], ["c", "1"]])
    }

    // MARK: pattern

    @Test func patternClustersAndCounts() throws {
        let msgs = ["[INFO] Request time: 327 ms", "[INFO] Request time: 12 ms", "[ERROR] Failed to connect to 10.0.0.1:5432",
                    "[ERROR] Failed to connect to 10.0.0.7:5432", "[INFO] Request time: 8 ms", "[WARN] disk nearly full"]
        let recs = msgs.enumerated().map { JSONRecord(message: $0.element, timestampMillis: Int64($0.offset)) }
        let res = try run(.pattern(Q.proj(Q.field("@message"))), over: recs)
        #expect(res.columns == ["@pattern", "@ratio", "@sampleCount", "@severityLabel"])
        #expect(cells(res) == [
            ["[INFO] Request time: <Number-1> ms", "0.5", "3", "Info"],
            ["[ERROR] Failed to connect to <IP-1>", String(2.0 / 6), "2", "Error"],
            ["[WARN] disk nearly full", String(1.0 / 6), "1", "Warning"],
        ])
    }

    @Test func patternMergesVaryingWordsIntoTokens() throws {
        let msgs = ["user alice logged in", "user bob logged in", "user carol logged in"]
        let recs = msgs.map { JSONRecord(message: $0, timestampMillis: 0) }
        let res = try run(.pattern(Q.proj(Q.field("@message"))), over: recs)
        #expect(cells(res) == [["user <Token-1> logged in", "1", "3", "Other"]])
    }

    @Test func patternIsIndependentOfInputOrder() throws {
        let msgs = (0..<40).map { i in i % 3 == 0 ? "GET /item/\(i) 200 in \(i)ms" : "job \(["a", "b", "c", "d"][i % 4]) finished id=\(i * 31)" }
        let a = try run(.pattern(Q.proj(Q.field("@message"))), over: msgs.map { JSONRecord(message: $0, timestampMillis: 0) })
        let b = try run(.pattern(Q.proj(Q.field("@message"))), over: msgs.reversed().map { JSONRecord(message: $0, timestampMillis: 0) })
        #expect(a == b)
    }

    @Test func patternThenSort() throws {
        let recs = ["a 1", "a 2", "b"].map { JSONRecord(message: $0, timestampMillis: 0) }
        let res = try run(.pattern(Q.proj(Q.field("@message"))), Q.sort(("@sampleCount", false)), Q.display(Q.proj(Q.field("@pattern"))), over: recs)
        #expect(cells(res) == [["b"], ["a <Number-1>"]])
    }

    // MARK: diff

    @Test func diffOfAggregation() throws {
        // Window [600_000, 1_199_999]; previous range [0, 599_999].
        let recs = [(100_000, "A"), (200_000, "A"), (300_000, "B"), (700_000, "A"), (800_000, "C"), (900_000, "C")].map {
            record(["eventName": .string($0.1)], at: Int64($0.0))
        }
        let ctx = QueryContext(window: TimeWindow(startMillis: 600_000, endMillis: 1_199_999), nowMillis: 0)
        let res = try run(Q.stats([Q.proj(Q.call("count", .star), as: "n")], by: [Q.proj(Q.field("eventName"))]), .diff(.previousRange),
                          over: recs, context: ctx)
        #expect(res.columns == ["eventName", "n", "n_previous", "n_change"])
        #expect(cells(res) == [["A", "1", "2", "-1"], ["C", "2", "", ""], ["B", "", "1", ""]])
        #expect(res.recordsScanned == 6)
    }

    @Test func diffOfEventsByPattern() throws {
        let day: Int64 = 86_400_000
        let recs = [JSONRecord(message: "login ok 1", timestampMillis: 10), JSONRecord(message: "login failed for bob", timestampMillis: day + 10),
                    JSONRecord(message: "login ok 2", timestampMillis: day + 20), JSONRecord(message: "login ok 3", timestampMillis: day + 30)]
        let ctx = QueryContext(window: TimeWindow(startMillis: day, endMillis: 2 * day - 1), nowMillis: 0)
        let res = try run(.diff(.previousDay), over: recs, context: ctx)
        #expect(res.columns == ["@pattern", "@sampleCount", "@previousSampleCount", "@change", "@changePercent"])
        #expect(cells(res) == [["login failed for bob", "1", "0", "1", ""], ["login ok <Number-1>", "2", "1", "1", "100"]])
    }

    @Test func diffNeedsABoundedWindow() throws {
        #expect(throws: InsightsError.self) { _ = try run(.diff(.previousWeek), over: Self.events) }
    }

    @Test func diffWindows() throws {
        let w = TimeWindow(startMillis: utc("2024-03-31T00:00:00Z"), endMillis: utc("2024-03-31T23:59:59Z"))
        let m = try QueryEvaluator.baseline(w, .previousMonth)
        #expect(m.startMillis == utc("2024-02-29T00:00:00Z"))
        let wk = try QueryEvaluator.baseline(w, .previousWeek)
        #expect(wk.startMillis == utc("2024-03-24T00:00:00Z"))
    }

    // MARK: run(from:rows:)

    @Test func remainingCommandsOverPrecomputedRows() throws {
        let q = Q.query(Q.stats([Q.proj(Q.call("count", .star), name: "count(*)")], by: [Q.proj(Q.field("eventName"))]),
                        Q.sort(("count(*)", true)), .limit(2, any: false))
        let rows = [("A", 3.0), ("B", 10.0), ("C", 5.0)].map { ResultRow(names: ["eventName", "count(*)"], values: [.string($0.0), .number($0.1)]) }
        let res = try QueryEvaluator(query: q, context: defaultContext).run(from: 1, rows: rows)
        #expect(res.columns == ["eventName", "count(*)"])
        #expect(cells(res) == [["B", "10"], ["C", "5"]])
    }

    @Test func precomputedEventRowsGetDefaultOrderAndColumns() throws {
        let q = Q.query(.filter(Q.eq("eventName", "A")))
        let rows = [(1, "x"), (3, "y"), (2, "z")].map {
            ResultRow(names: ["@timestamp", "@message"], values: [.timestamp(Int64($0.0)), .string($0.1)])
        }
        let res = try QueryEvaluator(query: q, context: defaultContext).run(from: 1, rows: rows)
        #expect(res.columns == ["@timestamp", "@message"])
        #expect(cells(res).map { $0[1] } == ["y", "z", "x"])
    }
}

@Suite struct EvaluatorSortCapTests {
    @Test func finalSortKeepsOnlyTheDefaultLimit() throws {
        let recs = (0..<50).map { record(["v": .number(Double(($0 * 17) % 50))], at: Int64($0)) }
        let ctx = QueryContext(nowMillis: 0, defaultLimit: 3)
        let r = try run(Q.sort(("v", false)), Q.fields(Q.proj(Q.bin(.multiply, Q.field("v"), Q.num(2)), as: "w")), over: recs, context: ctx)
        #expect(cells(r) == [["0"], ["2"], ["4"]])
        // A filter after the sort changes the row count, so the sort must keep everything.
        let f = try run(Q.sort(("v", false)), .filter(Q.bin(.greater, Q.field("v"), Q.num(45))), Q.display(Q.proj(Q.field("v"))), over: recs, context: ctx)
        #expect(cells(f) == [["46"], ["47"], ["48"]])
    }
}

@Suite struct EvaluatorPushdownTests {
    @Test func pushedDownStatsRowsMatchInMemoryOrder() throws {
        let q = try InsightsParser.parse("stats count(*) by eventName, awsRegion")
        let recs = [("B", "x"), ("A", "y"), ("A", "x"), ("B", "x")].enumerated().map {
            JSONRecord(json: .object(JSONObject([("eventName", .string($0.element.0)), ("awsRegion", .string($0.element.1))])), timestampMillis: Int64($0.offset))
        }
        let ev = try QueryEvaluator(query: q, context: defaultContext)
        let memory = try ev.run(source: ArrayRecordSource(recs))
        // As a SQL engine might return them: unordered, counts as numbers.
        let sqlRows = [("B", "x", 2.0), ("A", "y", 1.0), ("A", "x", 1.0)].map {
            ResultRow(names: ["eventName", "awsRegion", "count(*)"], values: [.string($0.0), .string($0.1), .number($0.2)])
        }
        let pushed = try ev.run(from: 1, rows: sqlRows)
        #expect(pushed.columns == memory.columns)
        #expect(pushed.rows == memory.rows)
        #expect(cells(memory) == [["A", "x", "1"], ["A", "y", "1"], ["B", "x", "2"]])
    }
}
