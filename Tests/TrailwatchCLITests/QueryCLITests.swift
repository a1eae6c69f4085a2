import Foundation
import Testing
import TrailJSON

/// `trailwatch query` end to end: every output format, saved queries, errors, log events.
@Suite(.serialized) struct QueryCLITests {
    static func event(_ id: Int, _ name: String, minute: Int, user: String = "alice", ip: String = "203.0.113.7",
                      error: String? = nil, instance: String? = nil, login: String? = nil) -> String {
        var fields = [
            #""eventVersion":"1.08""#, #""eventID":"e-\#(id)""#,
            #""eventTime":"2026-10-01T03:\#(String(format: "%02d", minute)):00Z""#, #""eventName":"\#(name)""#,
            #""eventSource":"ec2.amazonaws.com""#, #""awsRegion":"us-east-1""#, #""recipientAccountId":"111111111111""#,
            #""sourceIPAddress":"\#(ip)""#,
            #""userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/\#(user)","userName":"\#(user)"}"#,
        ]
        if let error { fields.append(#""errorCode":"\#(error)""#) }
        if let instance { fields.append(#""requestParameters":{"instancesSet":{"items":[{"instanceId":"\#(instance)"}]}}"#) }
        if let login { fields.append(#""responseElements":{"ConsoleLogin":"\#(login)"}"#) }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// 3 stops (2 of i-1 by alice), 1 start, 2 AccessDenied by mallory, 2 console logins (1 failed).
    static func workspace() throws -> Workspace {
        let w = Workspace()
        let records = [
            event(1, "StopInstances", minute: 0, instance: "i-1"),
            event(2, "StopInstances", minute: 3, instance: "i-1"),
            event(3, "StopInstances", minute: 7, user: "bob", instance: "i-2"),
            event(4, "StartInstances", minute: 8, instance: "i-1"),
            event(5, "DescribeInstances", minute: 11, user: "mallory", ip: "198.51.100.9", error: "AccessDenied"),
            event(6, "TerminateInstances", minute: 12, user: "mallory", ip: "198.51.100.9", error: "AccessDenied"),
            event(7, "ConsoleLogin", minute: 20, ip: "198.51.100.9", login: "Failure"),
            event(8, "ConsoleLogin", minute: 21, login: "Success"),
        ]
        try w.write("trail/a.json", #"{"Records":[\#(records.joined(separator: ","))]}"#)
        let r = try CLI.run(["ingest", w.path("trail"), "--db", w.db, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        return w
    }

    func rows(_ r: CLI.Result) throws -> [JSONValue] {
        guard case .array(let a) = try JSONValue.parse(r.stdout) else { Issue.record("not an array: \(r.stdout)"); return [] }
        return a
    }

    @Test func jsonRowsForStatsSortAndLimit() throws {
        let w = try Self.workspace()
        let r = try CLI.run(["query", "filter ispresent(errorCode) or eventName like \"Instances\" | stats count(*) as n by eventName | sort n desc | limit 2",
                             "--db", w.db, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let out = try rows(r)
        #expect(out.count == 2)
        #expect(out.first?["eventName"] == "StopInstances" && out.first?["n"] == 3)
    }

    @Test func deepFieldsTimestampsAndDefaultColumns() throws {
        let w = try Self.workspace()
        let r = try CLI.run(["query", #"filter eventName="ConsoleLogin" and responseElements.ConsoleLogin="Failure" | fields @timestamp, sourceIPAddress"#,
                             "--db", w.db, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try rows(r) == [["@timestamp": "2026-10-01 03:20:00.000", "sourceIPAddress": "198.51.100.9"]])
        let deep = try CLI.run(["query", #"filter requestParameters.instancesSet.items.0.instanceId = "i-1" | stats count(*) as n by userIdentity.arn"#,
                                "--db", w.db, "--format", "json"])
        #expect(try rows(deep) == [["userIdentity.arn": "arn:aws:iam::111111111111:user/alice", "n": 3]])
        // No fields/display: @timestamp and @message, newest first.
        let plain = try rows(try CLI.run(["query", "filter eventName = \"StartInstances\"", "--db", w.db, "--format", "json"]))
        #expect(plain.count == 1)
        if case .string(let message)? = plain.first?["@message"] {
            #expect(try JSONValue.parse(message)["eventID"] == "e-4")
        } else {
            Issue.record("no @message: \(plain)")
        }
    }

    @Test func csvNdjsonAndTableWithATimeChart() throws {
        let w = try Self.workspace()
        let q = "stats count(*) as calls by bin(5m) as t | sort t asc"
        let csv = try CLI.run(["query", q, "--db", w.db, "--format", "csv"])
        #expect(csv.status == 0, "\(csv.stderr)")
        #expect(csv.stdout.split(separator: "\n").map(String.init) == [
            "t,calls", "2026-10-01 03:00:00.000,2", "2026-10-01 03:05:00.000,2", "2026-10-01 03:10:00.000,2", "2026-10-01 03:20:00.000,2",
        ])
        let nd = try CLI.run(["query", q, "--db", w.db, "--format", "ndjson"])
        let lines = nd.stdout.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(try JSONValue.parse(String(lines[0])) == ["t": "2026-10-01 03:00:00.000", "calls": 2])
        let table = try CLI.run(["query", q, "--db", w.db], environment: ["COLUMNS": "80"])
        #expect(table.status == 0)
        let tableLines = table.stdout.split(separator: "\n").map(String.init)
        #expect(tableLines.first == "t                        calls")
        #expect(tableLines.contains { $0.hasPrefix("calls  max 2") }, "a time chart follows stats … by bin(): \(table.stdout)")
        #expect(tableLines.contains { $0.contains("▁") }, "the empty 03:15 bin shows as a low bar")
        #expect(table.stdout.contains("4 row(s); 8 of 8 record(s) matched"))
    }

    @Test func errorsPointAtTheProblem() throws {
        let w = try Self.workspace()
        let r = try CLI.run(["query", "filter eventName = \"X\"\n| stats cuont(*) by eventName", "--db", w.db])
        #expect(r.status != 0)
        #expect(r.stderr.contains("line 2, column 9: unknown function 'cuont' (did you mean 'count'?)"), "\(r.stderr)")
        #expect(r.stderr.contains("| stats cuont(*) by eventName\n        ^"), "\(r.stderr)")
        let format = try CLI.run(["query", "stats count(*)", "--db", w.db, "--format", "xml"])
        #expect(format.status != 0 && format.stderr.contains("--format must be table, json, csv or ndjson"))
        let noDB = try CLI.run(["query", "stats count(*)", "--db", w.path("missing.db")])
        #expect(noDB.status != 0 && noDB.stderr.contains("missing.db"))
    }

    @Test func timeRangeSourcesAndStdin() throws {
        let w = try Self.workspace()
        let ranged = try rows(try CLI.run(["query", "stats count(*) as n", "--db", w.db, "--format", "json",
                                           "--start", "2026-10-01T03:05:00Z", "--end", "2026-10-01T03:12:00Z"]))
        #expect(ranged == [["n": 4]], "inclusive bounds: minutes 7, 8, 11, 12")
        let piped = try CLI.run(["query", "--db", w.db, "--format", "json"], stdin: Data("stats count(*) as n".utf8))
        #expect(try rows(piped) == [["n": 8]])
        let none = try rows(try CLI.run(["query", "stats count(*) as n", "--db", w.db, "--format", "json", "--source", "nope"]))
        #expect(none.isEmpty || none == [["n": 0]])
    }

    @Test func savedQueriesAndQueryFiles() throws {
        let w = try Self.workspace()
        #expect(try CLI.run(["query", "save", "stops", #"filter eventName="StopInstances" | stats count(*) as n by userIdentity.userName as user | sort n desc"#, "--db", w.db]).status == 0)
        let list = try CLI.run(["query", "list", "--db", w.db, "--json"])
        #expect(try JSONValue.parse(list.stdout)[0]?["name"] == "stops")
        let run = try CLI.run(["query", "run", "stops", "--db", w.db, "--format", "json"])
        #expect(try rows(run) == [["user": "alice", "n": 2], ["user": "bob", "n": 1]])
        let bad = try CLI.run(["query", "save", "broken", "stats", "--db", w.db])
        #expect(bad.status != 0, "invalid queries are not saved")
        #expect(try CLI.run(["query", "delete", "stops", "--db", w.db]).status == 0)
        #expect(try CLI.run(["query", "run", "stops", "--db", w.db]).status != 0)

        // Every shipped query parses and runs.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.appendingPathComponent("models/queries")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".insights") }.sorted()
        #expect(files.count >= 10)
        for f in files {
            let r = try CLI.run(["query", "run", dir.appendingPathComponent(f).path, "--db", w.db, "--format", "json"])
            #expect(r.status == 0, "\(f): \(r.stderr)")
        }
        let denied = try CLI.run(["query", "run", dir.appendingPathComponent("access-denied-by-principal.insights").path, "--db", w.db, "--format", "json"])
        #expect(try rows(denied).first?["denied"] == 1)
    }

    @Test func explainSaysWhatRunsWhere() throws {
        let w = try Self.workspace()
        let pushed = try CLI.run(["query", "--explain", #"filter eventName="StopInstances" | stats count(*) by bin(5m)"#, "--db", w.db])
        #expect(pushed.stdout.contains("SQL: 1 count(s) grouped by 1 key(s) where eventName = \"StopInstances\""), "\(pushed.stdout)")
        #expect(pushed.stdout.contains("GROUP BY"))
        let swift = try CLI.run(["query", "--explain", #"filter responseElements.ConsoleLogin = "Failure""#, "--db", w.db])
        #expect(swift.stdout.contains("record mentions \"Failure\"") && swift.stdout.contains("tw_may_contain(j.json, ?)"), "\(swift.stdout)")
        #expect(swift.stdout.contains("Swift: the whole pipeline (SQL only narrows the scan)"), "\(swift.stdout)")
        let scan = try CLI.run(["query", "--explain", #"filter responseElements.ConsoleLogin != "Failure""#, "--db", w.db])
        #expect(scan.stdout.contains("Swift: the whole pipeline over every scanned record"), "\(scan.stdout)")
    }

    @Test func plainLogEventsAreQueriedLikeRecords() throws {
        let w = try Self.workspace()
        try w.write("app.ndjson", """
            {"timestamp": 1759287600000, "message": "{\\"level\\":\\"ERROR\\",\\"msg\\":\\"timeout calling db\\",\\"latency\\":1200}"}
            {"timestamp": 1759287660000, "message": "{\\"level\\":\\"INFO\\",\\"msg\\":\\"ok\\",\\"latency\\":12}"}
            {"timestamp": 1759287720000, "message": "25 May 2019 10:24:39,474 [ERROR] {foo=2, bar=data} The error was: DataIntegrityException"}

            """)
        let ingest = try CLI.run(["ingest", "--format", "cwlogs", "--source", "app", w.path("app.ndjson"), "--db", w.db, "--quiet"])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let json = try rows(try CLI.run(["query", "filter level = \"ERROR\" | fields msg, latency * 2 as doubled", "--db", w.db,
                                         "--source", "app", "--format", "json"]))
        #expect(json == [["msg": "timeout calling db", "doubled": 2400]])
        let parsed = try rows(try CLI.run(["query", #"parse @message "[*] * The error was: *" as level, config, exception | filter ispresent(exception) | fields level, config, exception"#,
                                           "--db", w.db, "--source", "app", "--format", "json"]))
        #expect(parsed == [["level": "ERROR", "config": "{foo=2, bar=data}", "exception": "DataIntegrityException"]])
        // CloudTrail rows and log rows together: promoted columns cannot answer for the log rows.
        let all = try rows(try CLI.run(["query", "stats count(*) as n by @log | sort n desc", "--db", w.db, "--format", "json"]))
        #expect(all.count == 2 && all.first?["n"] == 8 && all.last?["n"] == 3)
    }

    @Test func escapedSpellingsStillMatchDeepEqualities() throws {
        let w = Workspace()
        // "i-\u0031" is "i-1" spelled with an escape: the byte pre-filter must not lose it.
        try w.write("t/a.json", #"{"Records":[\#(Self.event(1, "StopInstances", minute: 0, instance: "i-1")),{"eventVersion":"1.08","eventID":"e-2","eventTime":"2026-10-01T03:01:00Z","eventName":"StopInstances","requestParameters":{"instancesSet":{"items":[{"instanceId":"i-\u0031"}]}}}]}"#)
        #expect(try CLI.run(["ingest", w.path("t"), "--db", w.db, "--quiet"]).status == 0)
        let r = try rows(try CLI.run(["query", #"filter requestParameters.instancesSet.items.0.instanceId = "i-1" | stats count(*) as n"#, "--db", w.db, "--format", "json"]))
        #expect(r == [["n": 2]])
    }
}
