import ArgumentParser
import InsightsQuery
import CloudTrail
import DetectionPacks
import EventStore
import FilterPatterns
import Foundation
import TrailJSON

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure building blocks on your own data (see bench/ for the full ingest benchmark).",
        subcommands: [JSON.self, Fields.self, Filters.self, Insights.self])

    static func time(_ body: () throws -> Void) rethrows -> Double { try measure(body).1 }

    struct JSON: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "JSON parsing speed on real records: tree parse, ingest scan, path lookup, and Foundation as the peer.")

        @Argument(help: ArgumentHelp("Trail files or directories to take records from.", valueName: "path"))
        var paths: [String]

        @Option(help: ArgumentHelp("Records to load into memory.", valueName: "n")) var maxRecords = 100_000
        @Option(help: ArgumentHelp("Runs per parser; the best is reported.", valueName: "n")) var runs = 3
        @Flag(help: "Print the results as JSON.") var json = false

        func run() throws {
            let records = try BenchCommand.loadRecords(paths, max: maxRecords)
            let bytes = records.reduce(0) { $0 + $1.count }
            let scanner = JSONFieldScanner(paths: EventBatch.Column.allCases.compactMap(\.recordPath) + [["eventTime"], ["readOnly"]])
            let path = try JSONPath(parsing: "userIdentity.sessionContext.sessionIssuer.userName")
            var sink = 0
            func best(_ body: () throws -> Void) rethrows -> Double {
                var b = Double.infinity
                for _ in 0..<max(1, runs) { b = min(b, try BenchCommand.time(body)) }
                return b
            }
            let tree = try best { for r in records { if case .object(let o) = try JSONValue.parse(r) { sink &+= o.count } } }
            var fields: [JSONFieldScanner.Field?] = []
            let scan = try best {
                for r in records { try r.withUnsafeBytes { (b: UnsafeRawBufferPointer) throws in try scanner.scan(b, into: &fields) }; sink &+= fields.count }
            }
            let lookup = best { for r in records { sink &+= r.withUnsafeBytes { path.range(in: $0)?.count ?? 0 } } }
            let foundation = try best {
                for r in records { if let o = try JSONSerialization.jsonObject(with: Data(r)) as? [String: Any] { sink &+= o.count } }
            }
            let results: [(String, Double)] = [
                ("TrailJSON tree parse (JSONValue)", tree), ("TrailJSON ingest scan (validate + 15 fields)", scan),
                ("TrailJSON path lookup (no validation)", lookup), ("Foundation JSONSerialization (peer)", foundation),
            ]
            let mb = Double(bytes) / 1_000_000
            if json {
                let v: JSONValue = [
                    "records": .number(Double(records.count)), "bytes": .number(Double(bytes)),
                    "results": .array(results.map { ["name": .string($0.0), "seconds": .number($0.1), "MBps": .number((mb / $0.1).rounded())] }),
                ]
                print(v.jsonText())
            } else {
                print("\(Format.count(records.count)) records, \(Format.bytes(bytes)) (mean \(bytes / records.count) B), best of \(runs)")
                for (name, t) in results {
                    print(name.padding(toLength: 46, withPad: " ", startingAt: 0)
                          + String(format: "%8.1f MB/s %10@ records/s   %.2fx Foundation", mb / t, Format.count(Int(Double(records.count) / t)), foundation / t))
                }
            }
            if sink == 42 { print("") }  // keeps the work observable to the optimiser
        }
    }

    struct Fields: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reading a nested field from every stored record: SQLite json_extract vs tw_json (TrailJSON skip-scan).")

        @OptionGroup var database: DatabaseOption
        @Option(help: ArgumentHelp("The field to read.", valueName: "path")) var path = "$.userIdentity.sessionContext.sessionIssuer.userName"

        func run() throws {
            let store = try database.openExisting()
            try store.connection.registerJSONFunctions()
            let n = try store.connection.scalarInt("SELECT count(*) FROM event_json") ?? 0
            func run(_ fn: String) throws -> (Double, Int64) {
                var result: Int64 = 0
                let t = try BenchCommand.time {
                    result = try store.connection.scalarInt("SELECT count(DISTINCT \(fn)(json, '\(path)')) FROM event_json") ?? 0
                }
                return (t, result)
            }
            _ = try run("tw_json")  // warm the page cache for both
            let (tExtract, dExtract) = try run("json_extract")
            let (tOurs, dOurs) = try run("tw_json")
            guard dExtract == dOurs else { throw CLIError("results differ: json_extract \(dExtract) distinct values, tw_json \(dOurs)") }
            print("\(Format.count(Int(n))) records, \(dOurs) distinct values of \(path)")
            print(String(format: "json_extract  %.3f s  (%.2f µs/record)", tExtract, tExtract / Double(max(n, 1)) * 1e6))
            print(String(format: "tw_json       %.3f s  (%.2f µs/record)  %.2fx faster", tOurs, tOurs / Double(max(n, 1)) * 1e6, tExtract / tOurs))
        }
    }

    /// Records from trail files, for in-memory benchmarks.
    static func loadRecords(_ paths: [String], max: Int) throws -> [[UInt8]] {
        var records: [[UInt8]] = []
        let discovery = try InputDiscovery.discover(paths)
        for file in discovery.files {
            let reader = try RecordReader(path: file.path)
            while let item = reader.next() {
                if case .record(let r) = item {
                    records.append(r.bytes)
                    if records.count >= max { return records }
                }
            }
        }
        guard !records.isEmpty else { throw CLIError("no records found in \(paths.joined(separator: " "))") }
        return records
    }

    struct Insights: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time Insights queries in-process (parse, plan, run), median of several runs, as a peer's in-process timings are.",
            discussion: "Prints one JSON object: per query the median seconds and the row count.")

        @OptionGroup var database: DatabaseOption
        @Option(name: .customLong("query"), help: ArgumentHelp("NAME=QUERY (repeatable).", valueName: "name=query")) var queries: [String] = []
        @Option(help: ArgumentHelp("Runs per query.", valueName: "n")) var runs = 5

        func run() throws {
            let store = try database.openExisting()
            var out: [(String, JSONValue)] = []
            for item in queries {
                guard let eq = item.firstIndex(of: "=") else { throw CLIError("--query '\(item)' must be NAME=QUERY") }
                let text = String(item[item.index(after: eq)...])
                var times: [Double] = []
                var rows = 0
                for _ in 0..<max(1, runs) {
                    let t = try BenchCommand.time {
                        let query = try InsightsParser.parse(text)
                        rows = try store.runInsights(query, context: QueryContext(nowMillis: TimeArgument.nowMillis())).result.rows.count
                    }
                    times.append(t)
                }
                times.sort()
                out.append((String(item[..<eq]), ["seconds": .number(times[times.count / 2]), "rows": .number(Double(rows))]))
            }
            print(JSONValue.object(JSONObject(out)).jsonText())
        }
    }

    struct Filters: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Metric-filter matching speed: a pack's filters evaluated together in one pass, and one JSON pattern alone.")

        @Argument(help: ArgumentHelp("Trail files or directories to take records from.", valueName: "path"))
        var paths: [String]
        @Option(help: ArgumentHelp("The detection pack whose filters are evaluated together.", valueName: "file"))
        var pack = "models/cis-aws-foundations.yaml"
        @Option(help: ArgumentHelp("The single pattern to time on its own.", valueName: "pattern"))
        var pattern = #"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }"#
        @Option(help: ArgumentHelp("Records to load into memory.", valueName: "n")) var maxRecords = 200_000
        @Option(help: ArgumentHelp("Runs; the best is reported.", valueName: "n")) var runs = 3

        func run() throws {
            let records = try BenchCommand.loadRecords(paths, max: maxRecords)
            guard let data = FileManager.default.contents(atPath: pack) else { throw CLIError("\(pack): cannot read file") }
            let definitions = try DetectionPack(yaml: String(decoding: data, as: UTF8.self), file: pack).filters
            let evaluator = FilterEvaluator(try definitions.map { try $0.compile() })
            let single = try FilterPattern(pattern)
            var outcomes: [FilterOutcome] = []
            var matched = 0, singleMatched = 0
            var all = Double.infinity, one = Double.infinity
            for _ in 0..<max(1, runs) {
                matched = 0
                all = min(all, BenchCommand.time {
                    for r in records {
                        r.withUnsafeBytes { evaluator.evaluate($0, into: &outcomes) }
                        for o in outcomes where o != .noMatch { matched += 1 }
                    }
                })
                singleMatched = 0
                one = min(one, BenchCommand.time {
                    for r in records where r.withUnsafeBytes({ single.matches($0) }) { singleMatched += 1 }
                })
            }
            let n = Double(records.count)
            print("\(Format.count(records.count)) records, best of \(runs)")
            print(String(format: "%d filters of %@ together: %.3f s, %@ events/s, %@ matches", definitions.count, pack, all,
                         Format.count(Int(n / all)), Format.count(matched)))
            print(String(format: "one JSON pattern: %.3f s, %@ events/s, %@ matches", one, Format.count(Int(n / one)), Format.count(singleMatched)))
        }
    }
}
