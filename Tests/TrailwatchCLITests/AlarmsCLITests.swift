import Foundation
import Testing
import TrailJSON

/// `alarms` and `watch` through the built binary, on a small generated trail with a console
/// brute force on day 2 (40 failed ConsoleLogins from one IP, 10:00–10:12 UTC).
@Suite(.serialized) struct AlarmsCLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let authPack = root.appendingPathComponent("models/auth-failures.yaml").path

    func generate(_ w: Workspace) throws {
        try w.write("incidents.json", #"{"incidents":[{"kind":"console-brute-force","at":"2026-10-02T10:00:00Z"}]}"#)
        let gen = try CLI.run(["generate", "--out", w.path("trail"), "--days", "3", "--events-per-day", "300", "--seed", "7",
                               "--anomalies", w.path("incidents.json")])
        #expect(gen.status == 0, "\(gen.stderr)")
    }

    func ok(_ args: [String]) throws -> CLI.Result {
        let r = try CLI.run(args)
        #expect(r.status == 0, "\(args.joined(separator: " ")): \(r.stderr)")
        return r
    }

    func fails(_ args: [String], _ message: String) throws {
        let r = try CLI.run(args)
        #expect(r.status != 0, "\(args.joined(separator: " ")) succeeded")
        #expect(r.stderr.contains(message), "\(args.joined(separator: " ")): \(r.stderr)")
    }

    /// `{"AlarmName":…}` lines of a file sink, as (name, old, new, time).
    func notifications(_ path: String) throws -> [JSONValue] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map { try JSONValue.parse(String($0)) }
    }

    func summary(_ n: JSONValue) -> String {
        "\(n["AlarmName"]?.stringValue ?? "?") \(n["OldStateValue"]?.stringValue ?? "?")->\(n["NewStateValue"]?.stringValue ?? "?") \(n["StateChangeTime"]?.stringValue ?? "?")"
    }

    @Test func putListDescribeHistoryDeleteAndValidation() throws {
        let w = Workspace()
        let db = ["--db", w.db]
        let secret = "webhook:https://hooks.example.com/services/T0001/B0002/AbCdEf123456GhIjKl?token=s3cr3t"
        let put = try ok(["alarms", "put", "root-use", "--metric", "CISBenchmark/RootAccountUsage", "--stat", "Sum", "--period", "5m",
                          "--threshold", "1", "--comparison", ">=", "--evaluation-periods", "1", "--treat-missing-data", "notBreaching",
                          "--action", secret, "--action", "stdout", "--description", "root is used"] + db)
        #expect(put.stdout == "created alarm root-use: Sum >= 1 per 5m, 1 of 1\n")
        _ = try ok(["alarms", "put", "root-use", "--metric", "CISBenchmark/RootAccountUsage", "--stat", "Sum", "--period", "5m",
                    "--threshold", "2", "--comparison", "GreaterThanOrEqualToThreshold", "--evaluation-periods", "3", "--datapoints-to-alarm", "2",
                    "--action", secret, "--cooldown", "1h", "--minimum-volume", "2"] + db)

        let list = try JSONValue.parse(try ok(["alarms", "list", "--json"] + db).stdout)
        #expect(list.arrayValue?.count == 1)
        #expect(list[0]?["name"] == "root-use" && list[0]?["state"] == "INSUFFICIENT_DATA")
        #expect(list[0]?["condition"] == "Sum >= 2 per 5m, 2 of 3, volume >= 2" && list[0]?["lastChange"]?.isNull == true)
        #expect(try ok(["alarms", "list"] + db).stdout.contains("root-use  INSUFFICIENT_DATA  CISBenchmark/RootAccountUsage  Sum >= 2 per 5m, 2 of 3"))

        let describe = try JSONValue.parse(try ok(["alarms", "describe", "root-use", "--json"] + db).stdout)
        #expect(describe["definition"]?["evaluationPeriods"] == 3 && describe["definition"]?["datapointsToAlarm"] == 2)
        #expect(describe["definition"]?["notificationPolicy"]?["cooldownMillis"] == 3_600_000)
        #expect(describe["status"]?["stateReason"] == "Unchecked: Initial alarm creation")
        let text = try ok(["alarms", "describe", "root-use"] + db).stdout
        #expect(text.contains("reason:        Unchecked: Initial alarm creation") && text.contains("cool-down:     1h"))

        let history = try ok(["alarms", "history", "root-use", "--json"] + db).stdout
        #expect(try JSONValue.parse(history).arrayValue?.compactMap { $0["summary"]?.stringValue }
            == [#"Alarm "root-use" created"#, #"Alarm "root-use" updated"#])
        // Secrets never leave the store's redaction: not in describe, list or history.
        for out in [text, try ok(["alarms", "describe", "root-use", "--json"] + db).stdout, history] {
            #expect(!out.contains("s3cr3t") && !out.contains("AbCdEf123456GhIjKl"), "\(out)")
        }
        #expect(text.contains("webhook:https://hooks.example.com/services/T0001/B0002/***?token=***"))

        // Validation: the engine's errors, naming what is wrong.
        let base = ["alarms", "put", "x", "--metric", "N/M", "--stat", "Sum", "--period", "5m", "--evaluation-periods", "1"] + db
        try fails(base + ["--comparison", ">="], "GreaterThanOrEqualToThreshold compares with a static threshold; give a threshold")
        try fails(base + ["--comparison", ">=", "--threshold", "1", "--datapoints-to-alarm", "2"], "datapointsToAlarm 2 exceeds evaluationPeriods 1")
        try fails(base + ["--comparison", "GreaterThanUpperThreshold", "--model", "nope"], "model 'nope' does not exist")
        try fails(base + ["--comparison", "!=", "--threshold", "1"], "unknown comparison operator '!='")
        try fails(base + ["--comparison", ">=", "--threshold", "1", "--action", "sms:123"], "unknown action 'sms:123'")
        try fails(base + ["--comparison", ">=", "--threshold", "1", "--treat-missing-data", "zero"], "unknown treatMissingData 'zero'")
        try fails(["alarms", "put", "x", "--metric", "N/M", "--stat", "p99", "--period", "5m", "--evaluation-periods", "1",
                   "--comparison", ">=", "--threshold", "1"] + db, "percentiles need raw values")
        try fails(["alarms", "describe", "root_use"] + db, "no alarm named 'root_use'")

        #expect(try ok(["alarms", "delete", "root-use"] + db).stdout == "deleted alarm root-use\n")
        #expect(try ok(["alarms", "list", "--json"] + db).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
        try fails(["alarms", "delete", "root-use"] + db, "no alarm named 'root-use'")
    }

    @Test func evaluateReplaysTheIncidentAndFireWritesThePayloads() throws {
        let w = Workspace()
        try generate(w)
        let db = ["--db", w.db]
        _ = try ok(["ingest", w.path("trail"), "--quiet"] + db)
        _ = try ok(["apply", Self.authPack, "--backfill"] + db)

        // Dry run: the exact timeline, nothing persisted.
        let dry = try JSONValue.parse(try ok(["alarms", "evaluate", "auth-console-login-failures", "--json"] + db).stdout)
        let timeline = try #require(dry[0])
        #expect(timeline["evaluations"] == 857 && timeline["from"] == "2026-10-01T00:25:00Z" && timeline["to"] == "2026-10-03T23:50:00Z")
        let changes = (timeline["changes"]?.arrayValue ?? []).map { "\($0["time"]?.stringValue ?? "") \($0["oldState"]?.stringValue ?? "")->\($0["newState"]?.stringValue ?? "")" }
        #expect(changes == ["2026-10-01T00:30:00Z INSUFFICIENT_DATA->OK", "2026-10-02T10:05:00Z OK->ALARM", "2026-10-02T10:20:00Z ALARM->OK"])
        #expect(timeline["changes"]?[1]?["reason"]?.stringValue?.hasPrefix(
            "Threshold Crossed: 1 out of the last 1 datapoints [17.0 (02/10/26 10:00:00)] was greater than or equal to the threshold (3.0)") == true)
        #expect(try ok(["alarms", "describe", "auth-console-login-failures", "--json"] + db).stdout.contains(#""state":"INSUFFICIENT_DATA""#))
        // A band alarm without its model stays INSUFFICIENT_DATA, even under notBreaching.
        let band = try JSONValue.parse(try ok(["alarms", "evaluate", "auth-access-denied-above-band", "--json"] + db).stdout)
        #expect(band[0]?["finalState"] == "INSUFFICIENT_DATA" && band[0]?["modelProblem"]?.stringValue?.contains("does not exist") == true)

        // --fire: the ALARM and its recovery (the first settling into OK is not news), with the
        // contract keys and the brute force's contributors.
        let sink = w.path("out/notifications.ndjson")
        _ = try ok(["alarms", "evaluate", "auth-console-login-failures", "--fire", "--action", "file:" + sink] + db)
        let sent = try notifications(sink)
        #expect(sent.map(summary) == [
            "auth-console-login-failures OK->ALARM 2026-10-02T10:05:00.000+0000",
            "auth-console-login-failures ALARM->OK 2026-10-02T10:20:00.000+0000",
        ])
        let alarm = try #require(sent.first)
        #expect(alarm.objectValue?.keys == ["AlarmName", "AlarmDescription", "AWSAccountId", "NewStateValue", "NewStateReason", "StateChangeTime",
                                            "Region", "OldStateValue", "Trigger", "Contributors"])
        #expect(alarm["Trigger"]?["MetricName"] == "ConsoleLoginFailures" && alarm["Trigger"]?["Namespace"] == "AuthFailures")
        #expect(alarm["Trigger"]?["Statistic"] == "SUM" && alarm["Trigger"]?["Period"] == 300 && alarm["Trigger"]?["Threshold"] == 3)
        #expect(alarm["Trigger"]?["ComparisonOperator"] == "GreaterThanOrEqualToThreshold" && alarm["Trigger"]?["TreatMissingData"] == "notBreaching")
        #expect(alarm["Contributors"]?[1]?["Name"] == "sourceIPAddress")
        #expect(alarm["Contributors"]?[1]?["Top"]?[0]?["Value"] == "185.220.101.47" && alarm["Contributors"]?[1]?["Top"]?[0]?["Count"] == 17)
        #expect(sent[1]["Contributors"] == nil)

        // History (state changes at their data time, the creation at wall-clock time: the replayed
        // data predate the alarm) and the kept state.
        let history = try JSONValue.parse(try ok(["alarms", "history", "auth-console-login-failures", "--json"] + db).stdout).arrayValue ?? []
        #expect(history.map { $0["kind"]?.stringValue ?? "" } == ["StateUpdate", "StateUpdate", "Action", "StateUpdate", "Action", "ConfigurationUpdate"])
        #expect(history[2]["actionResults"]?[0]?["outcome"] == "ok" && history[2]["actionResults"]?[0]?["sink"] == .string("file:" + sink))
        let status = try JSONValue.parse(try ok(["alarms", "describe", "auth-console-login-failures", "--json"] + db).stdout)
        #expect(status["state"] == "OK" && status["lastEvaluation"] == "2026-10-03T23:50:00Z")
    }

    /// Copies the generated files whose path passes `include` into `to`, keeping the layout.
    func copy(from: String, to: String, include: (String) -> Bool) throws {
        let fm = FileManager.default
        let files = (fm.enumerator(atPath: from)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".json.gz") && include($0) }
        for f in files {
            let target = to + "/" + f
            guard !fm.fileExists(atPath: target) else { continue }
            try fm.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try fm.copyItem(atPath: from + "/" + f, toPath: target)
        }
    }

    @Test func watchOnceAcrossDeliveriesAndRestartsSendsEachNotificationOnce() throws {
        let w = Workspace()
        try generate(w)
        let db = ["--db", w.db]
        _ = try ok(["apply", Self.authPack] + db)
        let sink = w.path("notifications.ndjson")
        let watch = ["watch", w.path("watched"), "--once", "--action", "file:" + sink] + db

        // Day 1 only: quiet, nothing to announce.
        try copy(from: w.path("trail"), to: w.path("watched")) { $0.contains("/2026/10/01/") }
        let first = try ok(watch)
        #expect(first.stderr.contains("watch: ingested 32 file(s)") && first.stderr.contains("newest event 2026-10-01T"))
        #expect(try notifications(sink).isEmpty)

        // Days 2 and 3 arrive: the brute force alarms and recovers, once.
        try copy(from: w.path("trail"), to: w.path("watched")) { _ in true }
        let second = try ok(watch)
        #expect(second.stderr.contains("auth-console-login-failures: OK -> ALARM at 2026-10-02T10:05:00Z"))
        let expected = ["auth-console-login-failures OK->ALARM 2026-10-02T10:05:00.000+0000", "auth-console-login-failures ALARM->OK 2026-10-02T10:20:00.000+0000"]
        #expect(try notifications(sink).map(summary) == expected)
        #expect(try notifications(sink).first?["Contributors"]?[1]?["Top"]?[0]?["Value"] == "185.220.101.47")

        // Restart with nothing new: no file is hashed again, nothing is re-sent.
        let third = try ok(watch)
        #expect(third.stderr.contains("no new files") && third.stderr.contains("0 evaluation(s)"))
        #expect(try notifications(sink).map(summary) == expected)
        // The watch is where a full replay would end: same timeline as `alarms evaluate`.
        let replay = try JSONValue.parse(try ok(["alarms", "evaluate", "auth-console-login-failures", "--json"] + db).stdout)
        let status = try JSONValue.parse(try ok(["alarms", "describe", "auth-console-login-failures", "--json"] + db).stdout)
        #expect(status["lastEvaluation"] == replay[0]?["to"] && status["state"] == replay[0]?["finalState"])
    }

    @Test func sigtermStopsWatchCleanlyWithItsStateSaved() throws {
        let w = Workspace()
        try generate(w)
        let db = ["--db", w.db]
        _ = try ok(["apply", Self.authPack] + db)
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = ["watch", w.path("trail"), "--interval", "60s"] + db
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        // Wait for the first cycle to finish, then ask it to stop.
        var log = ""
        let deadline = Date().addingTimeInterval(60)
        while !log.contains("cycle done"), Date() < deadline {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            log += String(decoding: chunk, as: UTF8.self)
        }
        #expect(log.contains("cycle done"), "\(log)")
        kill(p.processIdentifier, SIGTERM)
        log += String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationReason == .exit && p.terminationStatus == 0, "\(log)")
        #expect(log.contains("SIGTERM received") && log.contains("stopped on SIGTERM; state saved"), "\(log)")
        let status = try JSONValue.parse(try ok(["alarms", "describe", "auth-console-login-failures", "--json"] + db).stdout)
        #expect(status["state"] == "OK" && status["lastEvaluation"] == "2026-10-03T23:50:00Z")
    }
}
