import ArgumentParser
import Baselines
import EventStore
import Foundation

/// `trailwatch report`: the store as one self-contained HTML dashboard.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one self-contained HTML dashboard: overview, metric charts with bands, anomalies, alarms and queries.",
        discussion: """
            The file has inline CSS and SVG only (no scripts, no network) and opens from disk in any \
            browser. Sections: an overview (time span, events, accounts and regions, ingest rejects, \
            alarms by state, the top anomalies with their principals, IPs and API calls); one chart \
            per metric (the series, its baseline's expected band, anomalous intervals, static alarm \
            thresholds and each alarm's state over time); the alarm history; and the saved Insights \
            queries with their first rows.

            Metrics: by default every metric without dimensions, plus those behind one of the top 10 anomalies or \
            with an alarm that went to ALARM in the range; --metric NS/NAME (repeatable) charts exactly those, every dimension set. A \
            metric with a trained baseline is drawn at its model's statistic and period; others as \
            Sum per 5 minutes (1 hour or 1 day for long ranges). Long series are reduced to a minimum \
            and a maximum per drawing column, never truncated.

            Queries: the store's saved queries (`trailwatch query save`), and every *.insights file \
            in --queries DIR (default: models/queries, when it exists under the current directory), \
            run over the report's range.
            """)

    @Option(help: ArgumentHelp("The HTML file to write.", valueName: "file")) var out: String
    @Option(parsing: .unconditional, help: ArgumentHelp("Start of the range (ISO-8601 or relative). Default: the first stored event.", valueName: "time"))
    var start: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("End of the range (exclusive). Default: after the last stored event.", valueName: "time"))
    var end: String?
    @Option(name: .customLong("metric"), help: ArgumentHelp("Chart this metric (repeatable).", valueName: "namespace/name"))
    var metrics: [String] = []
    @Option(name: .customLong("queries"), help: ArgumentHelp("A folder of .insights query files to run (repeatable).", valueName: "dir"))
    var queryDirectories: [String] = []
    @Option(help: ArgumentHelp("Rows shown per query.", valueName: "n")) var queryRows = 10
    @OptionGroup var database: DatabaseOption

    static let defaultQueryDirectory = "models/queries"

    func validate() throws {
        guard queryRows >= 1 else { throw ValidationError("--query-rows must be at least 1") }
        for m in metrics {
            guard let slash = m.lastIndex(of: "/"), slash != m.startIndex, m.index(after: slash) != m.endIndex else {
                throw ValidationError("--metric '\(m)' must be NAMESPACE/NAME")
            }
        }
    }

    func run() throws {
        let store = try database.openExisting()
        let now = TimeArgument.nowMillis()
        var options = try Self.options(start: start, end: end, metrics: metrics, queryDirectories: queryDirectories, store: store, now: now)
        options.queryRows = queryRows
        let ((bytes, data), seconds) = try measure { try Self.write(store: store, options: options, to: out) }
        print("wrote \(out): \(Format.bytes(bytes)), \(data.metrics.count) chart(s), \(data.detections.count) anomal\(data.detections.count == 1 ? "y" : "ies"), "
              + "\(data.alarms.count) alarm(s), \(data.queries.count) quer\(data.queries.count == 1 ? "y" : "ies") in \(Format.seconds(seconds))")
    }

    /// Options from command-line values (shared with `demo`).
    static func options(start: String?, end: String?, metrics: [String], queryDirectories: [String], store: TrailStore, now: Int64) throws -> ReportOptions {
        var options = ReportOptions(nowMillis: now)
        let s = try start.map { try TimeArgument.parse($0, now: now) }
        let e = try end.map { try TimeArgument.parse($0, now: now) }
        if s != nil || e != nil {
            let info = try ModelsCommand.wrap { try store.info(topNames: 0) }
            guard let first = info.firstEventMillis, let last = info.lastEventMillis else {
                throw CLIError("the store holds no events: ingest a trail first (`trailwatch ingest PATH`)")
            }
            let range = TimeRange(startMillis: s ?? first, endMillis: e ?? last + 1)
            guard range.endMillis > range.startMillis else { throw CLIError("--start must be before --end") }
            options.range = range
        }
        options.metrics = metrics.map { m in
            let slash = m.lastIndex(of: "/")!
            return (String(m[..<slash]), String(m[m.index(after: slash)...]))
        }
        var directories = queryDirectories
        if directories.isEmpty, FileManager.default.fileExists(atPath: defaultQueryDirectory) { directories = [defaultQueryDirectory] }
        for dir in directories { options.extraQueries += try queryFiles(in: dir) }
        return options
    }

    /// The `*.insights` files of a folder, by name; each query is named after its file.
    static func queryFiles(in dir: String) throws -> [ReportQuerySource] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: dir) } catch {
            throw CLIError("--queries \(dir): cannot read the folder")
        }
        return try names.filter { $0.hasSuffix(".insights") }.sorted().map { name in
            let path = (dir as NSString).appendingPathComponent(name)
            return ReportQuerySource(name: String(name.dropLast(".insights".count)), text: try QueryCommand.readFile(path), origin: path)
        }
    }

    /// Gathers, renders and writes the report; returns its size and the data it showed.
    static func write(store: TrailStore, options: ReportOptions, to path: String) throws -> (Int, ReportData) {
        let data = try ModelsCommand.wrap { try store.reportData(options) }
        let html = ReportPage.render(data)
        let bytes = Data(html.utf8)
        do { try bytes.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw CLIError("cannot write \(path): \(error.localizedDescription)")
        }
        return (bytes.count, data)
    }
}
