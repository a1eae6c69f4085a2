import ArgumentParser
import Baselines
import CSQLite
import DetectionPacks
import EventStore
import FilterPatterns
import Foundation
import Ingest
import TrailGenerator
import TrailJSON

/// `trailwatch eval --trail DIR --labels labels.json`: incident-level precision, recall, F1 and
/// detection delay of the baseline model against a static threshold and a plain Gaussian band.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate detection against labelled incidents: this model vs a static threshold vs a Gaussian band.",
        discussion: """
            Ingests the trail into a temporary store (or --db), applies the packs' metric filters \
            with backfill, and builds every metric series at --period (Sum; a period with no \
            matching event is 0). The first --train-days are training only; the rest is scored by:
              model     this baseline, online: every point by a model trained on earlier data \
            only, retrained each UTC day, flagged above its --band (default 3.5) band
              static    a fixed threshold: above the largest value of the training weeks
              gaussian  mean + 2σ of the training weeks (no robustness, no seasonality)
            Each method flags points above its upper limit; flags less than 30 minutes apart form \
            one detection. A detection is true when it overlaps (up to 15 minutes after its end) a \
            labelled incident whose events that series counts (taken from labels.json's eventIDs), \
            else it is a false incident. An incident is detected when any of its series has a true \
            detection; the delay is from its start to the end of the first flagged period.

            --generate makes the trails instead (as `trailwatch generate`, one per --seeds entry) \
            and reports each seed and the mean.
            """)

    @Option(help: ArgumentHelp("A trail directory (as written by `trailwatch generate`).", valueName: "dir"))
    var trail: String?

    @Option(help: ArgumentHelp("Ground truth (default: DIR/labels.json).", valueName: "file"))
    var labels: String?

    @Option(help: ArgumentHelp("Store to ingest into and read from (default: a temporary one).", valueName: "file"))
    var db: String?

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Detection packs whose metric filters make the series (default: models/*.yaml).", valueName: "file"))
    var packs: [String] = []

    @Option(help: ArgumentHelp("Days at the start used only for training.", valueName: "n"))
    var trainDays: Int = 14

    @Option(help: ArgumentHelp("Series period.", valueName: "duration"))
    var period: String = "5m"

    /// 3.5, not the display default of 2: a 2σ band leaves 2.3 % of points above it by construction,
    /// about 46 five-minute periods a week per metric, which is the "fires constantly" failure the
    /// issue names. At 3.5 the nominal rate is about 0.5 flagged period per metric per week, the
    /// same order as "above the training maximum" (1 in 4,032) that the static threshold uses.
    @Option(help: ArgumentHelp("The model's alarm band width k (the Gaussian baseline stays at 2σ).", valueName: "k"))
    var band: Double = 3.5

    @Flag(help: "Generate the trails (see --seeds, --days, --events-per-day, --anomalies).")
    var generate = false

    @Option(help: ArgumentHelp("With --generate: comma-separated seeds.", valueName: "s1,s2"))
    var seeds: String = "1"

    @Option(help: ArgumentHelp("With --generate: days per trail.", valueName: "n"))
    var days: Int = 28

    @Option(help: ArgumentHelp("With --generate: mean events per day.", valueName: "n"))
    var eventsPerDay: Int = 1000

    @Option(help: ArgumentHelp("With --generate: default, none or a JSON file (as `trailwatch generate`).", valueName: "default|none|file"))
    var anomalies: String = "default"

    @Flag(help: "List every detection, not only the summary.")
    var verbose = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        if generate {
            guard trail == nil, labels == nil, db == nil else { throw ValidationError("--generate makes its own trails: drop --trail, --labels and --db") }
            guard !parsedSeeds.isEmpty else { throw ValidationError("--seeds: expected comma-separated integers") }
        } else if trail == nil {
            throw ValidationError("--trail is required (or --generate)")
        }
        guard trainDays >= 2 else { throw ValidationError("--train-days must be at least 2") }
        guard let p = SeriesCSV.parsePeriod(period), p <= millisPerDay / 24 else { throw ValidationError("--period: expected a duration up to 1h, like 5m") }
        guard band > 0, band.isFinite else { throw ValidationError("--band must be a positive number") }
    }

    var parsedSeeds: [UInt64] {
        let parts = seeds.split(separator: ",").map { UInt64($0.trimmingCharacters(in: .whitespaces)) }
        return parts.contains(nil) ? [] : parts.map { $0! }
    }

    func run() throws {
        let packFiles = try resolvePacks()
        var options = EvalRunner.Options(periodMillis: SeriesCSV.parsePeriod(period)!, trainDays: trainDays, band: band)
        options.packs = packFiles
        if !generate {
            let report = try EvalRunner(options: options).run(trail: trail!, labels: labels ?? trail! + "/labels.json", db: db)
            if json { try printJSON(report) } else { print(render(report, title: trail!)) }
            return
        }
        var reports: [(UInt64, Evaluation.Report)] = []
        for seed in parsedSeeds {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tw-eval-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let plan: AnomalyPlan
            switch anomalies {
            case "default": plan = .default
            case "none": plan = .none
            default:
                guard let data = FileManager.default.contents(atPath: anomalies) else { throw CLIError("--anomalies: cannot read '\(anomalies)'") }
                do { plan = .custom(try AnomalyPlan.parseFile(Array(data))) } catch { throw CLIError("--anomalies: \(error)") }
            }
            let config = GeneratorConfig(days: days, eventsPerDay: eventsPerDay, seed: seed, anomalies: plan, anomaliesSource: anomalies)
            do { _ = try TrailGenerator(config: config).generate(toDirectory: dir, command: config.commandLine(out: dir)) } catch {
                throw CLIError("generating seed \(seed): \(error)")
            }
            let report = try EvalRunner(options: options).run(trail: dir, labels: dir + "/labels.json", db: nil)
            reports.append((seed, report))
            if !json { print(render(report, title: "seed \(seed) (\(days) days, \(eventsPerDay) events/day, anomalies \(anomalies))")) }
        }
        if json {
            try printJSON(reports.map { SeedReport(seed: $0.0, report: $0.1) })
        } else if reports.count > 1 {
            print(renderMean(reports.map(\.1)))
        }
    }

    struct SeedReport: Encodable {
        var seed: UInt64
        var report: Evaluation.Report
    }

    private func resolvePacks() throws -> [String] {
        if !packs.isEmpty { return packs }
        let dir = "models"
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
        guard !files.isEmpty else { throw CLIError("no packs: give --packs FILE… (models/*.yaml was not found in the current directory)") }
        return files.map { "\(dir)/\($0)" }
    }

    private func printJSON<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    private func render(_ r: Evaluation.Report, title: String) -> String {
        var lines = ["\(title): \(r.series) series, \(String(format: "%.1f", r.scoredWeeks)) scored week(s), \(r.incidents.count) incident(s) "
            + "[\(r.incidents.map(\.id).joined(separator: " "))]" + (r.excludedIncidents.isEmpty ? "" : "; not scored: \(r.excludedIncidents.joined(separator: " "))")]
        lines.append("  method     precision  recall     F1   detected  false  false/series/week (max)  mean delay")
        for m in r.results {
            lines.append("  " + pad(m.method.rawValue, 9) + String(format: "%10.2f %7.2f %6.2f %6d/%-3d %6d %12.3f (%5.2f)", m.precision, m.recall, m.f1,
                                                                 m.detectedIncidents, m.incidents, m.falseDetections, m.falsePerSeriesWeek,
                                                                 m.maxFalsePerSeriesWeek)
                + "  " + (m.meanDelaySeconds.map { String(format: "%6.1f min", $0 / 60) } ?? "     –"))
            if verbose {
                for d in m.detectionList {
                    lines.append("      \(d.incident ?? "FALSE ") \(SeriesCSV.isoString(d.range.startMillis)) – \(SeriesCSV.isoString(d.range.endMillis)) \(d.series)")
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    private func renderMean(_ reports: [Evaluation.Report]) -> String {
        var lines = ["mean over \(reports.count) seeds:", "  method     precision  recall     F1   false/series/week"]
        for method in Evaluation.Method.allCases {
            let rs = reports.compactMap { $0.result(method) }
            guard !rs.isEmpty else { continue }
            func mean(_ f: (Evaluation.MethodResult) -> Double) -> Double { rs.map(f).reduce(0, +) / Double(rs.count) }
            lines.append("  " + pad(method.rawValue, 9) + String(format: "%10.2f %7.2f %6.2f %12.3f", mean(\.precision), mean(\.recall), mean(\.f1),
                                                                mean(\.falsePerSeriesWeek)))
        }
        return lines.joined(separator: "\n")
    }

    private func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
}

/// The store-facing half of `eval`: trail → store → packs → labelled series, then `Evaluation`.
struct EvalRunner {
    struct Options {
        var periodMillis: Int64
        var trainDays: Int
        var band: Double
        var packs: [String] = []
    }

    var options: Options

    func run(trail: String, labels labelsPath: String, db: String?) throws -> Evaluation.Report {
        guard let labelData = FileManager.default.contents(atPath: labelsPath) else { throw CLIError("\(labelsPath): cannot read file") }
        let truth = try Labels(parsing: labelData, file: labelsPath)

        let temporary = db == nil ? FileManager.default.temporaryDirectory.appendingPathComponent("tw-eval-\(UUID().uuidString).db").path : nil
        defer {
            if let temporary { for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: temporary + suffix) } }
        }
        let store: TrailStore
        do { store = try TrailStore(path: db ?? temporary!) } catch { throw CLIError("\(db ?? temporary!): \(error)") }
        var ingest = IngestOptions()
        ingest.readers = 1
        do { _ = try Ingestor(store: store, options: ingest).run(paths: [trail]) } catch { throw CLIError("ingesting \(trail): \(error)") }

        var names: Set<String> = []
        for file in options.packs {
            guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("\(file): cannot read file") }
            let pack: DetectionPack
            do { pack = try DetectionPack(yaml: String(decoding: data, as: UTF8.self), file: file) } catch { throw CLIError("\(error)") }
            for f in pack.filters {
                try store.putFilter(f, nowMillis: 0)
                names.insert(f.name)
            }
        }
        let filters = try store.filters().filter { names.contains($0.definition.name) }
        _ = try store.backfill(filters, sinceMillis: nil, untilMillis: nil)

        // Which series each incident touched: run the same filters over its labelled events.
        let compiled: CompiledFilters
        do { compiled = try CompiledFilters(filters) } catch { throw CLIError("compiling filters: \(error)") }
        var touched: [MetricKey: Set<String>] = [:]
        let owner = Dictionary(truth.incidents.flatMap { inc in inc.eventIDs.map { ($0, inc.incident.id) } }, uniquingKeysWith: { a, _ in a })
        let scan = try store.connection.prepare("SELECT e.event_id, e.time_ms, j.json FROM events e JOIN event_json j ON j.id = e.id WHERE e.time_ms >= ? AND e.time_ms < ?")
        for inc in truth.incidents {
            try scan.bind([.integer(inc.incident.range.startMillis - 60_000), .integer(inc.incident.range.endMillis + 60_000)])
            var outcomes: [FilterOutcome] = []
            while try scan.step() {
                guard let id = scan.text(0), owner[id] == inc.incident.id else { continue }
                var aggregator = MetricAggregator()
                let n = Int(sqlite3_column_bytes(scan.handle, 2))
                compiled.count(UnsafeRawBufferPointer(start: sqlite3_column_text(scan.handle, 2), count: n), timeMillis: scan.int64(1),
                               outcomes: &outcomes, into: &aggregator)
                for key in aggregator.points.keys { touched[key.metric, default: []].insert(inc.incident.id) }
            }
            scan.reset()
        }

        let period = options.periodMillis
        let start = truth.startMillis / period * period
        let count = Int((truth.endMillis - start + period - 1) / period)
        var series: [Evaluation.LabelledSeries] = []
        for summary in try store.metrics() {
            var values = [Double](repeating: 0, count: count)
            for (t, stats) in try store.series(summary.key, periodMillis: period, startMillis: start, endMillis: truth.endMillis) {
                values[Int((t - start) / period)] = stats.sum
            }
            let dims = summary.key.dimensions.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
            series.append(Evaluation.LabelledSeries(
                name: "\(summary.key.namespace)/\(summary.key.name)" + (dims.isEmpty ? "" : "{\(dims)}"),
                series: RegularSeries(startMillis: start, periodMillis: period, values: values),
                incidentIDs: touched[summary.key] ?? []))
        }
        var evalOptions = Evaluation.Options(scoreFromMillis: truth.startMillis + Int64(options.trainDays) * millisPerDay)
        evalOptions.online.baseline.bandWidth = options.band
        do {
            return try Evaluation.evaluate(series: series, incidents: truth.incidents.map(\.incident), options: evalOptions)
        } catch {
            throw CLIError("evaluating: \(error)")
        }
    }
}

/// The parts of `trailwatch generate`'s labels.json that evaluation needs.
struct Labels {
    struct Entry {
        var incident: Evaluation.Incident
        var eventIDs: [String]
    }

    var startMillis: Int64
    var endMillis: Int64
    var incidents: [Entry]

    init(parsing data: Data, file: String) throws {
        let root: JSONValue
        do { root = try JSONValue.parse(Array(data)) } catch { throw CLIError("\(file): \(error)") }
        func time(_ v: JSONValue?, _ what: String) throws -> Int64 {
            guard let s = v?.stringValue else { throw CLIError("\(file): missing \(what)") }
            guard let t = SeriesCSV.parseTimestamp(s) else { throw CLIError("\(file): \(what) '\(s)' is not a timestamp") }
            return t
        }
        startMillis = try time(root["generator"]?["start"], "generator.start")
        endMillis = try time(root["generator"]?["end"], "generator.end")
        guard endMillis > startMillis else { throw CLIError("\(file): generator.end is not after generator.start") }
        guard let list = root["incidents"]?.arrayValue else { throw CLIError("\(file): missing incidents array") }
        incidents = try list.enumerated().map { i, v in
            guard let id = v["id"]?.stringValue, let kind = v["kind"]?.stringValue else { throw CLIError("\(file): incident \(i + 1) has no id or kind") }
            let range = TimeRange(startMillis: try time(v["start"], "\(id).start"), endMillis: try time(v["end"], "\(id).end"))
            let ids = (v["eventIDs"]?.arrayValue ?? []).compactMap(\.stringValue)
            return Entry(incident: Evaluation.Incident(id: id, kind: kind, range: range), eventIDs: ids)
        }
    }
}
