import ArgumentParser
import CloudTrail
import EventStore
import Foundation
import InsightsQuery
import TrailJSON

/// `trailwatch query 'QUERY'`, and saved queries.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Run a CloudWatch Logs Insights query over stored events.",
        discussion: """
            trailwatch query 'filter eventName="StopInstances" | stats count(*) by bin(1h)' --start -7d
            The query may also come from --file or stdin ('-' or no argument). Saved queries: \
            `query save NAME 'QUERY'`, `query list`, `query run NAME` (a saved name, or a .insights file such as \
            models/queries/root-activity.insights).
            """,
        subcommands: [Execute.self, Save.self, List.self, RunSaved.self, Delete.self],
        defaultSubcommand: Execute.self)

    /// Options shared by every command that runs a query.
    struct RunOptions: ParsableArguments {
        @Option(parsing: .unconditional, help: ArgumentHelp("Start of the range (ISO-8601, or relative: -24h, -7d, now). Default: all stored data.", valueName: "time"))
        var start: String?
        @Option(parsing: .unconditional, help: ArgumentHelp("End of the range, inclusive.", valueName: "time"))
        var end: String?
        @Option(name: .customLong("source"), help: ArgumentHelp("Only events of this source (repeatable; see `events info`).", valueName: "name"))
        var sources: [String] = []
        @Option(help: ArgumentHelp("table, json, csv or ndjson.", valueName: "format")) var format = "table"
        @Option(help: ArgumentHelp("Rows returned when the query has no limit (default 10000), and the most printed.", valueName: "n"))
        var limit: Int?
        @Flag(help: "Print the plan (what runs in SQL, what in Swift) instead of running the query.") var explain = false
        @OptionGroup var database: DatabaseOption

        func validate() throws {
            guard ["table", "json", "csv", "ndjson"].contains(format) else { throw ValidationError("--format must be table, json, csv or ndjson") }
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        }

        func run(_ text: String) throws {
            let query: Query
            do {
                query = try InsightsParser.parse(text)
            } catch {
                throw CLIError("query error: \(error.description)")
            }
            let now = TimeArgument.nowMillis()
            let window = TimeWindow(startMillis: try start.map { try TimeArgument.parse($0, now: now) },
                                    endMillis: try end.map { try TimeArgument.parse($0, now: now) })
            if let s = window.startMillis, let e = window.endMillis, s > e { throw CLIError("--start is after --end") }
            let context = QueryContext(window: window, nowMillis: now, defaultLimit: limit ?? 10_000)
            let store = try database.openExisting()
            if explain {
                let plan = try store.planInsights(query, context: context, sources: sources)
                for line in plan.explanation { print(line) }
                for sql in plan.statements { print("  " + sql) }
                return
            }
            let (execution, seconds) = try measure { try store.runInsights(query, context: context, sources: sources) }
            var result = execution.result
            if let limit, result.rows.count > limit { result.rows.removeLast(result.rows.count - limit) }
            switch format {
            case "json": print(QueryOutput.json(result))
            case "ndjson": QueryOutput.ndjson(result).forEach { print($0) }
            case "csv": print(QueryOutput.csv(result), terminator: "")
            default:
                print(QueryOutput.table(result, width: QueryOutput.terminalWidth()), terminator: "")
                if let chart = QueryOutput.timeChart(query: query, result: result, width: QueryOutput.terminalWidth()) { print(chart, terminator: "") }
                print("\(Format.count(result.rows.count)) row(s); \(Format.count(result.recordsMatched)) of \(Format.count(result.recordsScanned)) record(s) matched; \(Format.seconds(seconds))")
            }
        }
    }

    struct Execute: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "exec", abstract: "Run a query (the default: `trailwatch query 'QUERY'`).")
        @Argument(help: ArgumentHelp("The query; '-' or none reads it from stdin.", valueName: "query")) var query: String?
        @Option(help: ArgumentHelp("Read the query from this file.", valueName: "path")) var file: String?
        @OptionGroup var options: RunOptions

        func validate() throws {
            if query != nil && file != nil { throw ValidationError("give the query as an argument or with --file, not both") }
        }

        func run() throws {
            let text: String
            if let file {
                text = try QueryCommand.readFile(file)
            } else if let query, query != "-" {
                text = query
            } else {
                text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            }
            try options.run(text)
        }
    }

    struct Save: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Save a query under a name (replacing one of that name).")
        @Argument(help: ArgumentHelp("The name.", valueName: "name")) var name: String
        @Argument(help: ArgumentHelp("The query ('-' reads stdin).", valueName: "query")) var query: String
        @OptionGroup var database: DatabaseOption

        func run() throws {
            let text = query == "-" ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) : query
            do {
                _ = try InsightsParser.parse(text)
            } catch {
                throw CLIError("query error: \(error.description)")
            }
            try database.openOrCreate().saveQuery(name: name, query: text, nowMillis: TimeArgument.nowMillis())
            print("saved query \(name)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List saved queries.")
        @Flag(help: "Print a JSON array.") var json = false
        @OptionGroup var database: DatabaseOption

        func run() throws {
            let saved = try database.openExisting().savedQueries()
            if json {
                print(JSONValue.array(saved.map { ["name": .string($0.name), "query": .string($0.query),
                                                    "updated": .string(ISO8601.format(millis: $0.updatedMillis))] }).jsonText())
                return
            }
            if saved.isEmpty { print("no saved queries (save one with `trailwatch query save NAME 'QUERY'`)") }
            for q in saved {
                print("\(q.name)\n    " + q.query.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n    "))
            }
        }
    }

    struct RunSaved: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "run", abstract: "Run a saved query, or a query file (.insights).")
        @Argument(help: ArgumentHelp("A saved query's name, or the path of a query file.", valueName: "name")) var name: String
        @OptionGroup var options: RunOptions

        func run() throws {
            if let saved = try options.database.openExisting().savedQuery(named: name) {
                try options.run(saved.query)
            } else if FileManager.default.fileExists(atPath: name) {
                try options.run(try QueryCommand.readFile(name))
            } else {
                throw CLIError("no saved query or query file named '\(name)' (see `trailwatch query list`)")
            }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a saved query.")
        @Argument(help: ArgumentHelp("The name.", valueName: "name")) var name: String
        @OptionGroup var database: DatabaseOption

        func run() throws {
            guard try database.openExisting().deleteSavedQuery(named: name) else { throw CLIError("no saved query named '\(name)'") }
            print("deleted query \(name)")
        }
    }

    static func readFile(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read query file \(path)") }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Result rendering for `query`: the formats tools drive (json, ndjson, csv) and the terminal
/// table and time chart.
enum QueryOutput {
    static func terminalWidth() -> Int {
        if let c = ProcessInfo.processInfo.environment["COLUMNS"], let n = Int(c), n >= 40 { return n }
        return 120
    }

    /// One JSON object per row keyed by column, every column present (null when missing).
    /// Numbers stay numbers, timestamps are `yyyy-MM-dd HH:mm:ss.SSS` UTC strings.
    static func object(_ columns: [String], _ row: [InsightsValue]) -> JSONValue {
        .object(JSONObject(zip(columns, row).map { ($0, $1.jsonValue) }))
    }

    static func json(_ r: QueryResult) -> String {
        JSONValue.array(r.rows.map { object(r.columns, $0) }).jsonText()
    }

    static func ndjson(_ r: QueryResult) -> [String] {
        r.rows.map { object(r.columns, $0).jsonText() }
    }

    static func csv(_ r: QueryResult) -> String {
        func field(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var out = r.columns.map(field).joined(separator: ",") + "\n"
        for row in r.rows { out += row.map { field($0.text ?? "") }.joined(separator: ",") + "\n" }
        return out
    }

    /// Columns sized to their content, shrunk proportionally to fit `width`; long cells end in
    /// "…" and newlines show as "⏎" so one row stays one line.
    static func table(_ r: QueryResult, width: Int) -> String {
        guard !r.columns.isEmpty else { return "" }
        let cells = r.rows.map { row in row.map { ($0.text ?? "").replacingOccurrences(of: "\n", with: "⏎") } }
        var widths = r.columns.indices.map { c in max(r.columns[c].count, cells.map { $0[c].count }.max() ?? 0) }
        let separators = 2 * (widths.count - 1)
        while widths.reduce(0, +) + separators > width, let widest = widths.indices.max(by: { widths[$0] < widths[$1] }), widths[widest] > 8 {
            widths[widest] -= 1
        }
        func line(_ values: [String]) -> String {
            zip(values, widths).map { v, w in
                let text = v.count > w ? String(v.prefix(max(0, w - 1))) + "…" : v
                return text + String(repeating: " ", count: w - text.count)
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        var out = line(r.columns) + "\n" + line(widths.map { String(repeating: "─", count: $0) }) + "\n"
        for row in cells { out += line(row) + "\n" }
        return out
    }

    /// For `stats … by bin(…)`: a chart of each numeric column over time (summed across any
    /// other group keys), one sparkline per column.
    static func timeChart(query: Query, result: QueryResult, width: Int) -> String? {
        guard let stats = query.commands.reversed().lazy.compactMap({ node -> Stats? in
            if case .stats(let s) = node.command { return s } else { return nil }
        }).first, let bin = stats.groups.first(where: { if case .call("bin", _) = $0.expr { true } else { false } }),
              let timeColumn = result.columns.firstIndex(of: bin.name) else { return nil }
        let valueColumns = stats.aggregations.compactMap { result.columns.firstIndex(of: $0.name) }
        var out = ""
        for column in valueColumns {
            var byTime: [Int64: Double] = [:]
            for row in result.rows {
                guard case .timestamp(let t) = row[timeColumn], case .number(let v) = row[column] else { continue }
                byTime[t, default: 0] += v
            }
            guard byTime.count >= 2 else { continue }
            let times = byTime.keys.sorted()
            // Empty bins are real zeros for counts; show them so gaps read as gaps.
            var series: [Double] = []
            if let step = zip(times.dropFirst(), times).map({ $0 - $1 }).min(), step > 0, (times.last! - times.first!) / step < 100_000 {
                var t = times.first!
                while t <= times.last! { series.append(byTime[t] ?? 0); t += step }
            } else {
                series = times.map { byTime[$0]! }
            }
            let label = result.columns[column]
            out += "\(label)  max \(JSONValue.formatNumber(series.max()!))  " +
                "\(InsightsValue.formatTimestamp(times.first!)) … \(InsightsValue.formatTimestamp(times.last!))\n"
            out += Sparkline.render(series, width: max(20, width - 2)) + "\n"
        }
        return out.isEmpty ? nil : out
    }
}

