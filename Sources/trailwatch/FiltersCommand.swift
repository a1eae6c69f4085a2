import ArgumentParser
import CloudTrail
import EventStore
import FilterPatterns
import Foundation
import TrailJSON

struct FiltersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "filters",
        abstract: "Metric filters in CloudWatch's filter-pattern syntax, counted into metric series.",
        discussion: """
            A filter counts the events of one log (ingest --source, default cloudtrail) that match \
            its pattern into a metric: at ingest for new events, and over stored history with \
            `filters backfill`. Datapoints are per-minute statistic sets at event time.
            """,
        subcommands: [Put.self, List.self, Describe.self, Delete.self, Test.self, Backfill.self])

    /// Options shared by `put` and `test`: what a match is published as.
    struct Transformation: ParsableArguments {
        @Option(help: ArgumentHelp("The metric value: a number, $.field (JSON), $name (space-delimited field) or $size.", valueName: "value"))
        var metricValue = "1"

        @Option(help: ArgumentHelp("Published when the pattern matches but the value field is absent.", valueName: "number"))
        var defaultValue: Double?

        @Option(name: .customLong("dimension"), help: ArgumentHelp("A dimension, KEY=$.field or KEY=$name (up to 3).", valueName: "key=selector"))
        var dimensions: [String] = []

        @Option(help: ArgumentHelp("The metric's unit (Count, Bytes, Seconds, …).", valueName: "unit"))
        var unit: String?

        func dimensionMap() throws -> [String: String] {
            var out: [String: String] = [:]
            for d in dimensions {
                guard let eq = d.firstIndex(of: "="), eq != d.startIndex else {
                    throw ValidationError("--dimension '\(d)' must be KEY=SELECTOR, e.g. InstanceId=$.requestParameters.instanceId")
                }
                let key = String(d[..<eq])
                guard out[key] == nil else { throw ValidationError("dimension '\(key)' given twice") }
                out[key] = String(d[d.index(after: eq)...])
            }
            return out
        }
    }

    static func compileError(_ e: Error) -> CLIError {
        CLIError("invalid metric filter: \(e)")
    }

    static func describe(_ f: StoredMetricFilter, errors: (count: Int, reason: String)?) -> String {
        let d = f.definition
        var lines = [
            "Name          \(d.name)",
            "Pattern       \(d.pattern)",
            "Log           \(d.log)",
            "Metric        \(d.namespace)/\(d.metricName)  value \(d.metricValue)" + (d.defaultValue.map { ", default \(JSONValue.formatNumber($0))" } ?? "")
                + (d.unit.map { ", unit \($0)" } ?? ""),
        ]
        if !d.dimensions.isEmpty {
            lines.append("Dimensions    " + d.dimensions.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
        }
        if let errors { lines.append("Value errors  \(Format.count(errors.count)) (e.g. \(errors.reason))") }
        return lines.joined(separator: "\n")
    }

    static func json(_ f: StoredMetricFilter) -> JSONValue {
        let d = f.definition
        return [
            "name": .string(d.name), "pattern": .string(d.pattern), "log": .string(d.log),
            "namespace": .string(d.namespace), "metricName": .string(d.metricName), "metricValue": .string(d.metricValue),
            "defaultValue": d.defaultValue.map(JSONValue.number) ?? .null,
            "dimensions": .object(JSONObject(d.dimensions.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            "unit": d.unit.map(JSONValue.string) ?? .null,
            "created": .string(ISO8601.format(millis: f.createdMillis)), "updated": .string(ISO8601.format(millis: f.updatedMillis)),
        ]
    }

    struct Put: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create or update a metric filter.")

        @Argument(help: ArgumentHelp("The filter's name.", valueName: "name")) var name: String
        @Option(help: ArgumentHelp("The filter pattern (CloudWatch syntax).", valueName: "pattern")) var pattern: String
        @Option(help: ArgumentHelp("The metric namespace.", valueName: "namespace")) var namespace: String
        @Option(help: ArgumentHelp("The metric name.", valueName: "name")) var metricName: String
        @OptionGroup var transformation: Transformation
        @Option(help: ArgumentHelp("The log whose events it counts.", valueName: "name")) var source = "cloudtrail"
        @Flag(help: "Also count the stored history now (as `filters backfill NAME`).") var backfill = false
        @OptionGroup var database: DatabaseOption

        func run() throws {
            let definition = MetricFilterDefinition(
                name: name, pattern: pattern, namespace: namespace, metricName: metricName, metricValue: transformation.metricValue,
                defaultValue: transformation.defaultValue, dimensions: try transformation.dimensionMap(), unit: transformation.unit, log: source)
            do { _ = try definition.compile() } catch { throw FiltersCommand.compileError(error) }
            let store = try database.openOrCreate()
            let outcome = try store.putFilter(definition, nowMillis: TimeArgument.nowMillis())
            print("\(outcome.rawValue) filter \(name) → \(namespace)/\(metricName)")
            if backfill, let f = try store.filter(named: name) {
                let s = try store.backfill([f], sinceMillis: nil, untilMillis: nil)
                print("backfilled over \(Format.count(s.events)) stored event(s): \(Format.count(s.matches)) match(es) in \(Format.count(s.datapoints)) datapoint(s)")
            } else if outcome != .unchanged {
                print("it counts new events from now on; `trailwatch filters backfill \(name)` counts the stored history")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List metric filters.")
        @OptionGroup var database: DatabaseOption
        @Flag(help: "Print a JSON array.") var json = false

        func run() throws {
            let filters = try database.openExisting().filters()
            if json {
                print(JSONValue.array(filters.map(FiltersCommand.json)).jsonText())
                return
            }
            if filters.isEmpty { print("no metric filters"); return }
            for f in filters {
                let d = f.definition
                print("\(d.name)  \(d.namespace)/\(d.metricName)  [\(d.log)]  \(d.pattern)")
            }
        }
    }

    struct Describe: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one metric filter.")
        @Argument(help: ArgumentHelp("The filter's name.", valueName: "name")) var name: String
        @OptionGroup var database: DatabaseOption
        @Flag(help: "Print as JSON.") var json = false

        func run() throws {
            let store = try database.openExisting()
            guard let f = try store.filter(named: name) else { throw CLIError("no metric filter named '\(name)'") }
            let errors = try store.valueErrors()[f.id]
            if json {
                var v = FiltersCommand.json(f)
                if case .object(var o) = v {
                    o["valueErrors"] = .number(Double(errors?.count ?? 0))
                    v = .object(o)
                }
                print(v.jsonText())
            } else {
                print(FiltersCommand.describe(f, errors: errors))
            }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a metric filter and the datapoints it counted.")
        @Argument(help: ArgumentHelp("The filter's name.", valueName: "name")) var name: String
        @OptionGroup var database: DatabaseOption

        func run() throws {
            guard try database.openExisting().deleteFilter(named: name) else { throw CLIError("no metric filter named '\(name)'") }
            print("deleted filter \(name)")
        }
    }

    struct Backfill: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Count stored history with metric filters (all, or those named).",
            discussion: "Replaces what the filters counted in the range, so running it again gives the same series.")
        @Argument(help: ArgumentHelp("Filters to backfill (default: all).", valueName: "name")) var names: [String] = []
        @Option(parsing: .unconditional, help: ArgumentHelp("From this time (ISO-8601, or relative like -7d).", valueName: "time")) var since: String?
        @Option(parsing: .unconditional, help: ArgumentHelp("Until this time (exclusive).", valueName: "time")) var until: String?
        @Flag(help: "Print the summary as JSON.") var json = false
        @OptionGroup var database: DatabaseOption

        func run() throws {
            let store = try database.openExisting()
            var filters = try store.filters()
            if !names.isEmpty {
                let unknown = names.filter { n in !filters.contains { $0.definition.name == n } }
                guard unknown.isEmpty else { throw CLIError("no metric filter named \(unknown.map { "'\($0)'" }.joined(separator: ", "))") }
                filters = filters.filter { names.contains($0.definition.name) }
            }
            guard !filters.isEmpty else { throw CLIError("no metric filters to backfill; add one with `trailwatch filters put`") }
            let sinceMillis = try since.map { try TimeArgument.parse($0) }
            let untilMillis = try until.map { try TimeArgument.parse($0) }
            let (s, seconds) = try measure { try store.backfill(filters, sinceMillis: sinceMillis, untilMillis: untilMillis) }
            if json {
                print(JSONValue.object(JSONObject([
                    ("filters", .number(Double(filters.count))), ("events", .number(Double(s.events))),
                    ("matches", .number(Double(s.matches))), ("datapoints", .number(Double(s.datapoints))),
                    ("valueErrors", .number(Double(s.valueErrors))), ("seconds", .number((seconds * 1000).rounded() / 1000)),
                ])).jsonText())
            } else {
                print("\(filters.count) filter(s) over \(Format.count(s.events)) event(s): \(Format.count(s.matches)) match(es), \(Format.count(s.datapoints)) datapoint(s)"
                      + (s.valueErrors > 0 ? ", \(Format.count(s.valueErrors)) value error(s)" : "") + " in \(Format.seconds(seconds))")
            }
        }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Test a pattern on log events, as the console's \"Test pattern\" does.",
            discussion: """
                --input reads log events one per line (any text; - for stdin); --db takes the latest \
                stored events. With --json, one object per input event, in input order: \
                {"line": n, "match": true|false, "value": v|null, "dimensions": {…}}.
                """)

        @Option(help: ArgumentHelp("The filter pattern.", valueName: "pattern")) var pattern: String
        @Option(help: ArgumentHelp("Log events, one per line (- for stdin).", valueName: "file")) var input: String?
        @Option(help: ArgumentHelp("Test on the latest stored events instead.", valueName: "file")) var db: String?
        @Option(help: ArgumentHelp("With --db: how many of the latest events.", valueName: "n")) var limit = 1000
        @OptionGroup var transformation: Transformation
        @Flag(help: "One JSON object per event.") var json = false

        func validate() throws {
            guard (input == nil) != (db == nil) else { throw ValidationError("give exactly one of --input FILE or --db FILE") }
            guard limit > 0 else { throw ValidationError("--limit must be positive") }
        }

        func run() throws {
            let compiled: (pattern: FilterPattern, transformation: MetricTransformation)
            do {
                compiled = try MetricFilterDefinition(
                    name: "test", pattern: pattern, namespace: "Test", metricName: "Test", metricValue: transformation.metricValue,
                    defaultValue: transformation.defaultValue, dimensions: try transformation.dimensionMap(), unit: transformation.unit
                ).compile()
            } catch let e as FilterPatternError {
                throw CLIError(e.description)
            }
            let events = try loadEvents()
            let evaluator = FilterEvaluator([compiled])
            var outcomes: [FilterOutcome] = []
            var matches = 0
            for (i, event) in events.enumerated() {
                event.withUnsafeBytes { evaluator.evaluate($0, into: &outcomes) }
                let outcome = outcomes[0]
                var value: JSONValue = .null
                var dims: [FilterPatterns.Dimension] = []
                var error: String?
                switch outcome {
                case .noMatch: break
                case .match(let v, let d): value = .number(v); dims = d; matches += 1
                case .invalidValue(let reason): error = reason; matches += 1
                }
                let matched = outcome != .noMatch
                if json {
                    var o = JSONObject([("line", .number(Double(i + 1))), ("match", .bool(matched)), ("value", value),
                                        ("dimensions", .object(JSONObject(dims.map { ($0.name, .string($0.value)) })))])
                    if let error { o["error"] = .string(error) }
                    print(JSONValue.object(o).jsonText())
                } else if matched {
                    let text = String(decoding: event.prefix(160), as: UTF8.self).replacingOccurrences(of: "\n", with: " ")
                    var what = error.map { "value error: \($0)" } ?? "value \(JSONValue.formatNumber(value.doubleValue ?? 0))"
                    if !dims.isEmpty { what += ", " + dims.map { "\($0.name)=\($0.value)" }.joined(separator: ", ") }
                    print("line \(i + 1): \(what)  \(text)\(event.count > 160 ? "…" : "")")
                }
            }
            if !json { print("Found \(matches) matches out of \(events.count) events") }
        }

        func loadEvents() throws -> [[UInt8]] {
            if let input {
                let data: Data
                if input == "-" {
                    data = FileHandle.standardInput.readDataToEndOfFile()
                } else {
                    guard let d = FileManager.default.contents(atPath: input) else { throw CLIError("\(input): cannot read file") }
                    data = d
                }
                var lines = Array(data).split(separator: 0x0A, omittingEmptySubsequences: false).map { Array($0) }
                if lines.last?.isEmpty == true { lines.removeLast() }
                return lines.map { $0.last == 0x0D ? Array($0.dropLast()) : $0 }
            }
            let store = try DatabaseOption.open(existing: db!)
            return try store.latestRecords(limit: limit)
        }
    }
}
