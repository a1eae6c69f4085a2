import CloudTrail
import EventStore
import Ingest
import Foundation
import InsightsQuery
import Testing
import TestSupport
import TrailGenerator
import TrailJSON

/// The store's execution (SQL pushdown + stored-record lookups) against the pure in-memory
/// evaluator over the same records as parsed JSON: many generated queries, identical answers.
@Suite(.serialized) struct InsightsDifferentialTests {
    /// A small generated trail (with incidents, so errors, console failures and bursts exist),
    /// ingested, and the same records as `JSONRecord`s.
    final class Fixture: @unchecked Sendable {
        let store: TrailStore
        let records: [JSONRecord]
        let values: [String: [String]]

        init(withLogEvents: Bool) throws {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tw-diff-\(UUID().uuidString)")
            let generator = try TrailGenerator(config: GeneratorConfig(days: 3, eventsPerDay: 500, seed: 5))
            _ = try generator.generate(toDirectory: dir.path)
            var paths = [dir.appendingPathComponent("AWSLogs").path]
            if withLogEvents {
                let lines = (0..<40).map { i in
                    let message = #"{"eventName":"\#(i % 3 == 0 ? "StopInstances" : "AppTick")","level":"\#(i % 4 == 0 ? "ERROR" : "INFO")","latency":\#(i * 7)}"#
                    return JSONValue.object(JSONObject([("timestamp", .number(Double(1_759_300_000_000 + Int64(i) * 60_000))), ("message", .string(message))])).jsonText()
                }
                let app = dir.appendingPathComponent("app.ndjson")
                try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: app)
                paths.append(app.path)
            }
            store = try TrailStore(path: dir.path + ".db")
            var options = IngestOptions()
            _ = try Ingestor(store: store, options: options).run(paths: [paths[0]])
            if withLogEvents {
                options.format = .cwlogs
                options.sourceName = "app"
                _ = try Ingestor(store: store, options: options).run(paths: [paths[1]])
            }

            let s = try store.connection.prepare("""
                SELECT e.time_ms, e.flags, e.log, e.log_stream, e.ingestion_ms, e.event_id, e.recipient_account, e.aws_region, j.json
                FROM events e JOIN event_json j ON j.id = e.id
                """)
            var records: [JSONRecord] = []
            while try s.step() {
                let message = s.text(8) ?? ""
                let isLog = s.int64(1) & 4 != 0
                let stream = s.text(3) ?? (isLog ? nil : "\(s.text(6) ?? "")_CloudTrail_\(s.text(7) ?? "")")
                if isLog {
                    records.append(JSONRecord(message: message, timestampMillis: s.int64(0), logStream: stream, log: s.text(2),
                                              ingestionTimeMillis: s.int64(4), ptr: s.text(5)))
                } else {
                    records.append(JSONRecord(json: try JSONValue.parse(message), message: message, timestampMillis: s.int64(0),
                                              logStream: stream, log: s.text(2), ingestionTimeMillis: s.int64(4), ptr: s.text(5)))
                }
            }
            self.records = records
            var values: [String: [String]] = [:]
            for f in InsightsDifferentialTests.fields {
                let ref = FieldRef(f)
                var seen = Set<String>()
                for r in records { if case .string(let v) = r.value(of: ref) { seen.insert(v) } }
                values[f] = seen.sorted()
            }
            self.values = values
        }
    }

    static let fields = [
        "eventName", "eventSource", "awsRegion", "sourceIPAddress", "userIdentity.arn", "userIdentity.type", "errorCode",
        "recipientAccountId", "userAgent", "requestParameters.instancesSet.items.0.instanceId", "responseElements.ConsoleLogin",
        "readOnly", "userIdentity.userName", "eventType", "level",
    ]

    /// Random queries over the fields and values that occur.
    struct QueryMaker {
        var rng: SplitMix
        let values: [String: [String]]

        mutating func pick<T>(_ xs: [T]) -> T { xs[Int(rng.next() % UInt64(xs.count))] }
        /// Promoted fields that are often absent get extra weight: null handling is where SQL and
        /// the evaluator could most easily disagree.
        mutating func field() -> String { pick(InsightsDifferentialTests.fields + ["errorCode", "errorCode", "userIdentity.userName", "userIdentity.arn"]) }
        mutating func value(_ f: String) -> String {
            let vs = values[f] ?? []
            return vs.isEmpty || rng.uniform() < 0.1 ? "no-such-value" : pick(vs)
        }
        func quoted(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }

        mutating func condition(depth: Int = 0) -> String {
            let f = field()
            let roll = rng.uniform()
            if depth < 2 && roll < 0.2 {
                return "(\(condition(depth: depth + 1)) \(pick(["and", "or"])) \(condition(depth: depth + 1)))"
            }
            switch pick(Array(0..<9)) {
            case 0, 1: return "\(f) = \(quoted(value(f)))"
            case 2: return "\(f) != \(quoted(value(f)))"
            case 3: return "\(f) in [\(quoted(value(f))), \(quoted(value(f)))]"
            case 4: return "\(f) not in [\(quoted(value(f)))]"
            case 5: return pick(["ispresent(\(f))", "not ispresent(\(f))"])
            case 6:
                let v = value(f)
                return "\(f) \(pick(["like", "not like"])) \(quoted(String(v.prefix(max(1, v.count / 2)))))"
            case 7: return "\(f) like /\(pick(["Instances$", "^Describe", "(?i)denied", "\\d+"]))/"
            default: return "\(pick(["eventName", "awsRegion"])) = \(quoted(value(pick(["eventName", "awsRegion"]))))"
            }
        }

        mutating func query() -> String {
            var parts: [String] = []
            for _ in 0..<pick([0, 1, 1, 2]) { parts.append("\(pick(["filter", "filter", "where"])) \(condition())") }
            switch pick(Array(0..<8)) {
            case 0, 1, 6, 7:
                let groups = (0..<pick([0, 1, 1, 2])).map { _ in pick(["bin(5m)", "bin(1h)", "bin(1d)"] + InsightsDifferentialTests.fields.prefix(8)) }
                let agg = pick(["count(*) as n", "count() as n", "count(errorCode) as n", "count_distinct(sourceIPAddress) as n", "count(*) as n, count(userIdentity.arn) as m"])
                parts.append("stats \(agg)" + (groups.isEmpty ? "" : " by " + Set(groups).sorted().joined(separator: ", ")))
            case 2:
                parts.append("fields @timestamp, @ptr, \(field()), \(field()) as other, @logStream, @log")
            case 3:
                parts.append("stats count(*) as n by \(pick(["eventName", "sourceIPAddress", "userIdentity.arn"])) as key")
                parts.append("sort n desc, key asc")
                parts.append("limit \(pick([1, 3, 10]))")
            case 4:
                parts.append("fields @ptr, @message")
            default:
                parts.append("stats count(*) as n by \(field()), bin(1h)")
                parts.append("filter n > 1")
            }
            return parts.joined(separator: " | ")
        }
    }

    /// Rows as text, order-insensitive unless the query sorts and limits.
    static func canonical(_ r: QueryResult, ordered: Bool) -> [String] {
        let rows = r.rows.map { row in zip(r.columns, row).map { "\($0)=\($1.text ?? "∅")" }.joined(separator: "|") }
        return ordered ? rows : rows.sorted()
    }

    func check(_ fixture: Fixture, seed: UInt64, queries: Int, expectPushdown: Bool) throws {
        var maker = QueryMaker(rng: SplitMix(seed: seed), values: fixture.values)
        let context = QueryContext(nowMillis: 1_800_000_000_000)
        var pushedSomething = 0
        var pushedStats = 0
        for _ in 0..<queries {
            let text = maker.query()
            let query = try InsightsParser.parse(text)
            let ordered = text.contains("| limit")
            let reference = try QueryEvaluator(query: query, context: context).run(source: ArrayRecordSource(fixture.records))
            let stored = try fixture.store.runInsights(query, context: context)
            let unpushed = try fixture.store.runInsights(query, context: context, pushdown: false)
            if stored.plan.predicate != nil || stored.plan.stats != nil { pushedSomething += 1 }
            if stored.plan.stats != nil { pushedStats += 1 }
            #expect(stored.result.columns == reference.columns, "\(text)")
            #expect(Self.canonical(stored.result, ordered: ordered) == Self.canonical(reference, ordered: ordered), "\(text)\n\(stored.explanation)")
            #expect(Self.canonical(unpushed.result, ordered: ordered) == Self.canonical(reference, ordered: ordered), "\(text)")
        }
        if expectPushdown {
            #expect(pushedSomething > queries / 4, "the generator must exercise the SQL paths")
            #expect(pushedStats > queries / 8, "and the stats pushdown: \(pushedStats)")
        } else {
            #expect(pushedSomething == 0, "promoted columns say nothing about plain log events")
        }
    }

    @Test func cloudTrailOnlyStoreAnswersLikeTheInMemoryEvaluator() throws {
        let fixture = try Fixture(withLogEvents: false)
        #expect(fixture.records.count > 1000)
        try check(fixture, seed: 11, queries: 160, expectPushdown: true)
    }

    @Test func storeWithPlainLogEventsAnswersLikeTheInMemoryEvaluator() throws {
        let fixture = try Fixture(withLogEvents: true)
        try check(fixture, seed: 12, queries: 60, expectPushdown: false)
    }
}
