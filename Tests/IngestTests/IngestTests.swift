import CloudTrail
import EventStore
import Foundation
import Testing
import TrailGenerator
import TrailJSON
@testable import Ingest

/// A scratch directory per test.
struct Scratch {
    let url: URL
    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("tw-ingest-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    /// Beside the scratch folder, so walking the folder never meets the database.
    var db: String { url.path + ".db" }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String { try write(name, Array(text.utf8)) }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let u = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: u.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: u)
        return u.path
    }

    /// gzip through the system tool, so the test does not trust our own code to make its input.
    func gzip(_ path: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-kf", path]
        try p.run()
        p.waitUntilExit()
        return path + ".gz"
    }
}

func ct(_ id: String, _ time: String = "2026-10-01T03:00:00Z", name: String = "StopInstances", extra: String = "") -> String {
    #"{"eventVersion":"1.08","eventID":"\#(id)","eventTime":"\#(time)","eventName":"\#(name)","eventSource":"ec2.amazonaws.com","awsRegion":"us-east-1","recipientAccountId":"111111111111"\#(extra)}"#
}

func ingest(_ scratch: Scratch, _ paths: [String], readers: Int = 2, format: InputFormat = .auto, source: String = "cloudtrail") throws -> IngestSummary {
    var options = IngestOptions()
    options.readers = readers
    options.format = format
    options.sourceName = source
    options.batchSize = 3  // small batches exercise the multi-chunk path
    options.commitEvery = 5
    let store = try TrailStore(path: scratch.db)
    return try Ingestor(store: store, options: options).run(paths: paths)
}

func count(_ scratch: Scratch, _ sql: String) throws -> Int64? {
    try TrailStore(path: scratch.db).connection.scalarInt(sql)
}

@Suite struct IngestTests {
    @Test func everyFormatLandsInTheStore() throws {
        let s = Scratch()
        let records = try s.write("AWSLogs/111111111111/CloudTrail/us-east-1/2026/10/01/a.json",
                                  #"{"Records":[\#(ct("r1")),\#(ct("r2"))]}"#)
        _ = try s.gzip(records)
        try FileManager.default.removeItem(atPath: records)
        try s.write("other/lines.ndjson", ct("n1") + "\n\n" + ct("n2") + "\n")
        let inner = JSONValue.quoted(ct("l1"))
        try s.write("other/lookup.json", #"{"Events":[{"EventId":"l1","EventName":"StopInstances","CloudTrailEvent":\#(inner)}]}"#)
        try s.write("other/bare.json", "[\(ct("b1"))]")
        let msg = JSONValue.quoted(ct("c1"))
        try s.write("other/cw.json", #"{"events":[{"logStreamName":"111111111111_CloudTrail_us-east-1","timestamp":1790823600000,"message":\#(msg),"ingestionTime":1790823601000,"eventId":"1"}]}"#)
        try s.write("AWSLogs/111111111111/CloudTrail-Digest/us-east-1/2026/10/01/111111111111_CloudTrail-Digest_us-east-1_t_us-east-1_20261001T040000Z.json.gz", [0x1f, 0x8b])

        try s.write("labels.json", "{}")  // beside AWSLogs/: a bucket root's loose files are not trail files

        let summary = try ingest(s, [s.url.path])
        #expect(summary.files == 5 && summary.ignoredFiles == 1)
        #expect(summary.digestFiles == 1)
        #expect(summary.events == 7 && summary.records == 7 && summary.rejected == 0 && summary.duplicates == 0)
        let ids = try TrailStore(path: s.db).connection.prepare("SELECT event_id FROM events ORDER BY event_id").rows().map { $0[0] }
        #expect(ids == ["b1", "c1", "l1", "n1", "n2", "r1", "r2"].map { SQLiteValue.text($0) })
        #expect(try TrailStore(path: s.db).rawRecord(eventID: "l1") == ct("l1"))
        #expect(try count(s, "SELECT count(*) FROM events WHERE log_stream = '111111111111_CloudTrail_us-east-1' AND ingestion_ms = 1790823601000") == 1)
        #expect(try count(s, "SELECT count(*) FROM sources WHERE status = 'complete'") == 5)
    }

    @Test func reingestingAddsNothing() throws {
        let s = Scratch()
        let f = try s.write("a.json", #"{"Records":[\#(ct("1")),\#(ct("2")),\#(ct("3"))]}"#)
        let first = try ingest(s, [f])
        #expect(first.events == 3)
        let again = try ingest(s, [f])
        #expect(again.filesSkipped == 1 && again.events == 0 && again.records == 0)
        // Same events, different bytes (another delivery of the same records): duplicates counted.
        let g = try s.write("b.json", #"{"Records":[\#(ct("3")), \#(ct("2")), \#(ct("4"))]}"#)
        let overlap = try ingest(s, [g])
        #expect(overlap.events == 1 && overlap.duplicates == 2)
        #expect(try count(s, "SELECT count(*) FROM events") == 4)
    }

    @Test func badInputIsCountedAndNeverCostsGoodRecords() throws {
        let s = Scratch()
        let big = ct("huge", extra: #","pad":""# + String(repeating: "y", count: 270_000) + #"""#)
        try s.write("mixed.ndjson", [
            ct("g1"),
            #"{"eventID":"bad1","eventTime":"2026-10-01T03:00:00Z","x":tru}"#,
            "[1,2,3]",
            #"{"eventID":"bad3"}"#,
            ct("g2"),
            #"{"eventTime":"2026-10-01T03:00:00Z","eventName":"NoID"}"#,
            #"{"eventID":"bad4","eventTime":"2026-10-01T03:00:00Z","eventName":42.5e1,"userIdentity":{"arn":true}}"#,
            big,
            ct("g3"),
        ].joined(separator: "\n"))
        try s.write("empty.json", "")
        try s.write("garbage.json", [0x00, 0x01, 0xFE, 0xFF, 0x42, 0x13])
        let gz = try s.gzip(try s.write("t.json", #"{"Records":[\#(ct("t1")),\#(ct("t2")),\#(ct("t3"))]}"#))
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: gz)))
        bytes.removeLast(12)  // cut into the deflate stream and trailer
        try s.write("t.json.gz", bytes)
        try FileManager.default.removeItem(atPath: s.url.appendingPathComponent("t.json").path)

        let summary = try ingest(s, [s.url.path])
        #expect(summary.files == 4)
        let store = try TrailStore(path: s.db)
        let ids = Set(try store.connection.prepare("SELECT event_id FROM events").rows().compactMap { row -> String? in
            if case .text(let t) = row[0] { return t } else { return nil }
        })
        #expect(ids.isSuperset(of: ["g1", "g2", "g3", "huge"]))
        #expect(ids.contains { $0.hasPrefix("synth-") })
        #expect(summary.synthesizedIDs == 1 && summary.oversized == 1)
        let rejects = try store.rejects()
        let reasons = rejects.map(\.reason)
        #expect(reasons.contains { $0.hasPrefix("invalid JSON") })
        #expect(reasons.contains("line 3 is not a JSON object"))
        #expect(reasons.contains("missing eventTime"))
        #expect(reasons.contains("userIdentity.arn must be a string, found bool"))
        #expect(reasons.contains("empty file"))
        #expect(reasons.contains { $0.contains("unrecognised input format") })
        #expect(reasons.contains { $0.contains("truncated") })
        #expect(summary.rejected == rejects.count)
        // Each reject names its file and position.
        let bad1 = rejects.first { $0.reason.hasPrefix("invalid JSON") }!
        #expect(bad1.path.hasSuffix("mixed.ndjson") && bad1.line == 2 && bad1.recordIndex == 1)
        // Records before the cut in a truncated gzip survive if complete.
        #expect(summary.records >= 9)
    }

    @Test func oneAndTwoReadersAgree() throws {
        let a = Scratch(), b = Scratch()
        for s in [a, b] {
            for f in 0..<6 {
                let recs = (0..<7).map { ct("f\(f)-\($0)", name: "N\($0 % 3)") }.joined(separator: ",")
                try s.write("d/\(f).json", #"{"Records":[\#(recs)]}"#)
            }
        }
        let one = try ingest(a, [a.url.appendingPathComponent("d").path], readers: 1)
        let two = try ingest(b, [b.url.appendingPathComponent("d").path], readers: 2)
        #expect(one.events == 42 && two.events == 42)
        #expect(try count(a, "SELECT count(*) FROM sources WHERE status='complete' AND records = 7 AND inserted = 7") == 6)
        #expect(try count(b, "SELECT count(*) FROM sources WHERE status='complete' AND records = 7 AND inserted = 7") == 6)
    }

    @Test func finishesAPartiallyIngestedFile() throws {
        let s = Scratch()
        let f = try s.write("a.json", #"{"Records":[\#(ct("1")),\#(ct("2")),\#(ct("3")),\#(ct("4"))]}"#)
        _ = try ingest(s, [f])
        // Make it look as if a run died after storing two of the four events.
        let store = try TrailStore(path: s.db)
        try store.connection.execute("""
            DELETE FROM event_json WHERE id IN (SELECT id FROM events WHERE event_id IN ('3','4'));
            DELETE FROM events WHERE event_id IN ('3','4');
            UPDATE sources SET status = 'partial';
            """)
        let resumed = try ingest(s, [f])
        #expect(resumed.filesSkipped == 0 && resumed.events == 2 && resumed.duplicates == 2)
        #expect(try count(s, "SELECT count(*) FROM events") == 4)
        #expect(try count(s, "SELECT count(*) FROM sources WHERE status = 'complete'") == 1)
    }

    @Test func plainLogEventsUnderTheirSourceName() throws {
        let s = Scratch()
        let f = try s.write("app.log", #"{"timestamp":1790823600000,"message":"GET / 200"}"# + "\n" + #"{"timestamp":1790823600500,"message":"GET /x 404"}"#)
        let summary = try ingest(s, [f], format: .cwlogs, source: "webapp")
        #expect(summary.events == 2 && summary.logEvents == 2)
        #expect(try count(s, "SELECT count(*) FROM events WHERE log = 'webapp' AND flags & 4 != 0") == 2)
        #expect(try ingest(s, [f], format: .cwlogs, source: "webapp").events == 0)
    }

    @Test func missingPathIsAnError() throws {
        let s = Scratch()
        #expect(throws: InputError.self) { try ingest(s, [s.url.appendingPathComponent("nope").path]) }
    }
}

@Suite struct UnreadableInputTests {
    @Test func aFileThatVanishesBeforeReadingIsOneNamedReject() throws {
        // Discovery saw the file; by the time a reader opens it, it is gone (or unreadable).
        let s = Scratch()
        let path = s.url.appendingPathComponent("gone.json.gz").path
        let queue = BoundedQueue<Ingestor.Message>(capacity: 1 << 20, producers: 1)
        #expect(Ingestor.readFile(InputFile(path: path, size: 10), index: 0, options: IngestOptions(), completed: [],
                                  stdinKey: "stdin", filters: try CompiledFilters([]), into: queue))
        queue.producerFinished()
        guard case .chunk(_, _, let batch, _, let rejects, let records, _)? = queue.pop() else {
            Issue.record("expected a chunk with the reject")
            return
        }
        #expect(batch.isEmpty && records == 0)
        #expect(rejects.map(\.reason) == ["unreadable file: no such file or directory"])
        #expect(rejects.first?.path == path)
        guard case .finished(_, _, let format, _, _)? = queue.pop() else {
            Issue.record("expected the file to be finished")
            return
        }
        #expect(format == "unreadable")
    }
}

@Suite struct MetricFilterIngestTests {
    /// Sum per 5 minutes of every metric, as a comparable value.
    func allSeries(_ store: TrailStore) throws -> [String: [Int64: Double]] {
        var out: [String: [Int64: Double]] = [:]
        for m in try store.metrics() {
            let points = try store.series(m.key, periodMillis: 300_000, startMillis: nil, endMillis: nil)
            out[m.key.namespace + "/" + m.key.name + m.key.dimensionsJSON] = Dictionary(uniqueKeysWithValues: points.map { ($0.0, $0.1.sum) })
        }
        return out
    }

    func definitions() -> [MetricFilterDefinition] {
        [
            MetricFilterDefinition(name: "stops", pattern: #"{ $.eventName = "StopInstances" }"#, namespace: "EC2", metricName: "Stops",
                                   dimensions: ["InstanceId": "$.requestParameters.instancesSet.items[0].instanceId"]),
            MetricFilterDefinition(name: "denied", pattern: #"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }"#,
                                   namespace: "Security", metricName: "Unauthorized"),
            MetricFilterDefinition(name: "logins", pattern: #"{ $.eventName = "ConsoleLogin" }"#, namespace: "Auth", metricName: "Logins"),
        ]
    }

    @Test func incrementalCountingAgreesWithBackfillAndNeverCountsTwice() throws {
        let s = Scratch()
        var config = GeneratorConfig(days: 2, eventsPerDay: 400, seed: 11)
        config.anomalies = .default
        _ = try TrailGenerator(config: config).generate(toDirectory: s.url.appendingPathComponent("trail").path, overwrite: true, command: "test")
        let trail = s.url.appendingPathComponent("trail").path

        // Filters first, then ingest: counted incrementally as events are stored.
        let store = try TrailStore(path: s.db)
        for d in definitions() { try store.putFilter(d, nowMillis: 1) }
        let summary = try Ingestor(store: store).run(paths: [trail])
        #expect(summary.events > 500)
        let incremental = try allSeries(store)
        #expect(incremental.keys.contains { $0.hasPrefix("EC2/Stops") })
        #expect(incremental.keys.contains { $0.hasPrefix("Security/Unauthorized") })

        // Re-ingesting (whole files skipped) and ingesting overlapping copies counts nothing twice.
        _ = try Ingestor(store: store).run(paths: [trail])
        let copy = s.url.appendingPathComponent("copy.json").path
        let recs = try store.latestRecords(limit: 50).map { String(decoding: $0, as: UTF8.self) }.joined(separator: ",")
        try Data(#"{"Records":[\#(recs)]}"#.utf8).write(to: URL(fileURLWithPath: copy))
        let overlap = try Ingestor(store: store).run(paths: [copy])
        #expect(overlap.events == 0 && overlap.duplicates == 50)
        #expect(try allSeries(store) == incremental)

        // Backfill over the same stored events gives exactly the same series.
        _ = try store.backfill(try store.filters(), sinceMillis: nil, untilMillis: nil)
        #expect(try allSeries(store) == incremental)

        // And so does a store that ingested first and backfilled afterwards.
        let other = Scratch()
        let late = try TrailStore(path: other.db)
        _ = try Ingestor(store: late).run(paths: [trail])
        for d in definitions() { try late.putFilter(d, nowMillis: 1) }
        #expect(try allSeries(late).isEmpty)
        _ = try late.backfill(try late.filters(), sinceMillis: nil, untilMillis: nil)
        #expect(try allSeries(late) == incremental)
    }
}

@Suite struct DeferredIndexTests {
    func indexes(_ store: TrailStore) throws -> Set<String> {
        let s = try store.connection.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND sql IS NOT NULL")
        var names = Set<String>()
        while try s.step() { names.insert(s.text(0) ?? "") }
        return names
    }

    @Test func aLoadIntoAnEmptyStoreBuildsItsIndexesAtTheEnd() throws {
        let scratch = Scratch()
        let path = try scratch.write("a.json", #"{"Records":[\#(ct("1")),\#(ct("2", name: "StartInstances"))]}"#)
        _ = try ingest(scratch, [path])
        let store = try TrailStore(path: scratch.db)
        let expected: Set<String> = ["events_event_key", "events_time", "events_name_time", "events_errors", "events_ip_arn", "events_log_events"]
        #expect(try indexes(store) == expected)
        // A load killed after dropping them leaves them missing until the next load builds them.
        try store.connection.execute("DROP INDEX events_ip_arn; DROP INDEX events_time")
        #expect(try indexes(try TrailStore(existingPath: scratch.db)) == expected.subtracting(["events_ip_arn", "events_time"]))
        let more = try scratch.write("b.json", #"{"Records":[\#(ct("3"))]}"#)
        _ = try ingest(scratch, [more])
        #expect(try indexes(try TrailStore(existingPath: scratch.db)) == expected)
    }
}
