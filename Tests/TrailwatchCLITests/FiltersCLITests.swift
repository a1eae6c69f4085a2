import Foundation
import Testing
import TrailJSON

@Suite(.serialized) struct FiltersCLITests {
    @Test func testPatternOnInputLinesAsJSON() throws {
        let w = Workspace()
        try w.write("events.log", [
            #"{"eventName":"StopInstances","requestParameters":{"instancesSet":{"items":[{"instanceId":"i-1"}]}}}"#,
            "plain text line with ERROR in it",
            #"{"eventName":"StartInstances"}"#,
        ].joined(separator: "\n") + "\n")
        let r = try CLI.run(["filters", "test", "--pattern", #"{ $.eventName = "StopInstances" }"#, "--input", w.path("events.log"), "--json",
                             "--dimension", "InstanceId=$.requestParameters.instancesSet.items[0].instanceId"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = try r.stdout.split(separator: "\n").map { try JSONValue.parse(String($0)) }
        #expect(lines.count == 3)
        #expect(lines[0] == ["line": 1, "match": true, "value": 1, "dimensions": ["InstanceId": "i-1"]])
        #expect(lines[1] == ["line": 2, "match": false, "value": nil, "dimensions": [:]])
        #expect(lines[2]["match"] == false)

        let text = try CLI.run(["filters", "test", "--pattern", "ERROR", "--input", w.path("events.log")])
        #expect(text.stdout.contains("line 2: value 1"))
        #expect(text.stdout.hasSuffix("Found 1 matches out of 3 events\n"))
    }

    @Test func testPatternOnTheLatestStoredEvents() throws {
        let w = Workspace()
        let recs = (0..<5).map { #"{"eventID":"\#($0)","eventTime":"2026-10-01T03:0\#($0):00Z","eventName":"\#($0 % 2 == 0 ? "StopInstances" : "StartInstances")"}"# }
        try w.write("t.json", #"{"Records":[\#(recs.joined(separator: ","))]}"#)
        #expect(try CLI.run(["ingest", w.path("t.json"), "--db", w.db, "--quiet"]).status == 0)
        let r = try CLI.run(["filters", "test", "--pattern", #"{ $.eventName = "StopInstances" }"#, "--db", w.db, "--limit", "3"])
        #expect(r.status == 0, "\(r.stderr)")
        // The latest three, oldest first: events 2, 3, 4, of which 2 and 4 match.
        #expect(r.stdout.hasSuffix("Found 2 matches out of 3 events\n"))
        #expect(r.stdout.hasPrefix("line 1: value 1"))
    }

    @Test func invalidPatternExitsNonZeroWithTheError() throws {
        let w = Workspace()
        try w.write("e.log", "x\n")
        let r = try CLI.run(["filters", "test", "--pattern", #"{ $.eventName = "StopInstances }"#, "--input", w.path("e.log")])
        #expect(r.status != 0)
        #expect(r.stderr.contains("column"))
    }

    @Test func putListDescribeBackfillMetricsDelete() throws {
        let w = Workspace()
        let recs = [
            #"{"eventID":"1","eventTime":"2026-10-01T03:01:00Z","eventName":"StopInstances","errorCode":"AccessDenied"}"#,
            #"{"eventID":"2","eventTime":"2026-10-01T03:02:00Z","eventName":"StopInstances"}"#,
            #"{"eventID":"3","eventTime":"2026-10-01T03:12:00Z","eventName":"StopInstances"}"#,
            #"{"eventID":"4","eventTime":"2026-10-01T03:13:00Z","eventName":"DescribeInstances"}"#,
        ]
        try w.write("t.json", #"{"Records":[\#(recs.joined(separator: ","))]}"#)
        #expect(try CLI.run(["ingest", w.path("t.json"), "--db", w.db, "--quiet"]).status == 0)

        let put = try CLI.run(["filters", "put", "stops", "--pattern", #"{ $.eventName = "StopInstances" }"#,
                               "--namespace", "EC2", "--metric-name", "Stops", "--db", w.db])
        #expect(put.status == 0 && put.stdout.contains("created filter stops"))
        #expect(try CLI.run(["filters", "put", "stops", "--pattern", #"{ $.eventName = "StopInstances" }"#,
                             "--namespace", "EC2", "--metric-name", "Stops", "--db", w.db]).stdout.contains("unchanged"))
        let list = try JSONValue.parse(try CLI.run(["filters", "list", "--db", w.db, "--json"]).stdout)
        #expect(list[0]?["name"] == "stops" && list[0]?["namespace"] == "EC2")
        #expect(try CLI.run(["filters", "describe", "stops", "--db", w.db]).stdout.contains("EC2/Stops"))

        let backfill = try JSONValue.parse(try CLI.run(["filters", "backfill", "--db", w.db, "--json"]).stdout)
        #expect(backfill["events"] == 4 && backfill["matches"] == 3)

        let get = try CLI.run(["metrics", "get", "EC2/Stops", "--period", "5m", "--stat", "Sum", "--format", "json", "--db", w.db])
        #expect(get.status == 0, "\(get.stderr)")
        let series = try JSONValue.parse(get.stdout)
        #expect(series["datapoints"] == [["timestamp": "2026-10-01T03:00:00Z", "value": 2], ["timestamp": "2026-10-01T03:10:00Z", "value": 1]])
        let filled = try CLI.run(["metrics", "get", "EC2/Stops", "--period", "5m", "--format", "csv", "--fill", "0", "--db", w.db])
        #expect(filled.stdout == "timestamp,Sum\n2026-10-01T03:00:00Z,2\n2026-10-01T03:05:00Z,0\n2026-10-01T03:10:00Z,1\n")
        let table = try CLI.run(["metrics", "get", "EC2/Stops", "--period", "1h", "--db", w.db])
        #expect(table.stdout.contains("EC2/Stops  Sum per 1h, 1 datapoint(s)"))
        #expect(try CLI.run(["metrics", "list", "--db", w.db]).stdout.contains("EC2/Stops  3 sample(s)"))
        #expect(try CLI.run(["metrics", "get", "EC2/Nope", "--db", w.db]).status != 0)
        // Time ranges: ISO dates and times, relative times, bad input named.
        let window = try CLI.run(["metrics", "get", "EC2/Stops", "--period", "5m", "--format", "csv", "--db", w.db,
                                  "--start", "2026-10-01T03:05:00Z", "--end", "now"])
        #expect(window.stdout == "timestamp,Sum\n2026-10-01T03:10:00Z,1\n")
        let relative = try CLI.run(["metrics", "get", "EC2/Stops", "--period", "5m", "--format", "csv", "--db", w.db,
                                    "--start", "2026-10-01", "--end", "-1d"])
        #expect(relative.stdout.components(separatedBy: "\n").count == 4, "\(relative.stdout)")
        let empty = try CLI.run(["metrics", "get", "EC2/Stops", "--period", "5m", "--format", "csv", "--db", w.db, "--start", "-1h"])
        #expect(empty.stdout == "timestamp,Sum\n")
        let badTime = try CLI.run(["metrics", "get", "EC2/Stops", "--start", "yesterday", "--db", w.db])
        #expect(badTime.status != 0 && badTime.stderr.contains("invalid time 'yesterday'"))
        let badPeriod = try CLI.run(["metrics", "get", "EC2/Stops", "--period", "90s", "--db", w.db])
        #expect(badPeriod.status != 0 && badPeriod.stderr.contains("whole minutes"))

        // New events are counted at ingest by the stored filter.
        try w.write("u.json", #"{"Records":[{"eventID":"5","eventTime":"2026-10-01T03:14:00Z","eventName":"StopInstances"}]}"#)
        #expect(try CLI.run(["ingest", w.path("u.json"), "--db", w.db, "--quiet"]).status == 0)
        let after = try JSONValue.parse(try CLI.run(["metrics", "get", "EC2/Stops", "--period", "5m", "--format", "json", "--db", w.db]).stdout)
        #expect(after["datapoints"]?[1]?["value"] == 2)

        #expect(try CLI.run(["filters", "delete", "stops", "--db", w.db]).status == 0)
        #expect(try CLI.run(["filters", "describe", "stops", "--db", w.db]).status != 0)
        #expect(try CLI.run(["metrics", "list", "--db", w.db]).stdout.contains("no metrics"))
    }

    @Test func applyIsIdempotentAndBackfills() throws {
        let w = Workspace()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let pack = root.appendingPathComponent("models/ec2-lifecycle.yaml").path
        try w.write("t.json", #"{"Records":[{"eventID":"1","eventTime":"2026-10-01T03:01:00Z","eventName":"StopInstances","requestParameters":{"instancesSet":{"items":[{"instanceId":"i-0abc"}]}}}]}"#)
        #expect(try CLI.run(["ingest", w.path("t.json"), "--db", w.db, "--quiet"]).status == 0)
        let first = try CLI.run(["apply", pack, "--db", w.db, "--backfill"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("ec2-lifecycle: 8 created, 0 updated, 0 unchanged"))
        #expect(first.stdout.contains("2 match(es)"))
        let again = try CLI.run(["apply", pack, "--db", w.db])
        #expect(again.stdout.contains("ec2-lifecycle: 0 created, 0 updated, 8 unchanged"))
        let m = try CLI.run(["metrics", "get", "EC2Lifecycle/StopInstancesByInstance", "--dimension", "InstanceId=i-0abc", "--format", "csv", "--db", w.db])
        #expect(m.stdout == "timestamp,Sum\n2026-10-01T03:00:00Z,1\n")
        let bad = try CLI.run(["apply", w.path("t.json"), "--db", w.db])
        #expect(bad.status != 0 && bad.stderr.contains("t.json"))
    }
}
