import ArgumentParser
import Baselines
import CloudTrail
import DetectionPacks
import EventStore
import Foundation
import Ingest
import InsightsQuery
import TrailGenerator
import TrailJSON

/// `trailwatch demo`: the whole pipeline on the bundled sample (or a fresh generated trail), step
/// by step with timings, ending with the report and which labelled incidents were found.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the end-to-end tour on the bundled sample: ingest, packs, baselines, detect, alarms, queries, report.",
        discussion: """
            Run from the repository root: the demo reads notebooks-data/sample (or, with --generate, \
            writes a fresh labelled trail with the sample's parameters to DIR/trail), the packs in \
            models/*.yaml and the queries in models/queries/*.insights. In DIR/demo.db (recreated; or \
            the --db file, reused as it is) it ingests the trail, applies every pack and counts history \
            with it, trains one baseline per metric on the first quarter of the trail (Sum per 5 \
            minutes; the generator places no incident there), runs detect, backtests the alarms, \
            runs the queries and writes DIR/report.html. Each step prints its time and what it found.

            Last, every labelled incident (labels.json) is matched to detect's intervals: an interval \
            matches when it overlaps the incident's window widened by one period on each side (intervals \
            are whole periods) and its counted events are related to the incident: one of its top \
            event names is among the incident's, or its top principal or source IP is the incident's.
            """)

    @Option(help: ArgumentHelp("Output folder: report.html, demo.db (and trail/ with --generate).", valueName: "dir"))
    var out = "trailwatch-demo"
    @Flag(help: "Generate a fresh trail (28 days, 250 events a day, seed 42, every incident kind) instead of using the bundled sample.")
    var generate = false
    @Option(help: ArgumentHelp("Use this database instead of DIR/demo.db (kept as it is; steps are idempotent).", valueName: "file"))
    var db: String?

    static let samplePath = "notebooks-data/sample"
    static let packFolder = "models"

    func run() throws {
        let total = ContinuousClock.now
        let fm = FileManager.default
        guard fm.fileExists(atPath: Self.packFolder) else {
            throw CLIError("no \(Self.packFolder)/ folder here: run the demo from the repository root (it reads the packs in models/*.yaml)")
        }
        if !generate && !fm.fileExists(atPath: Self.samplePath) {
            throw CLIError("no \(Self.samplePath) here: run the demo from the repository root, or pass --generate")
        }
        do { try fm.createDirectory(atPath: out, withIntermediateDirectories: true) } catch { throw CLIError("cannot create \(out): \(error.localizedDescription)") }
        let dbPath = db ?? (out as NSString).appendingPathComponent("demo.db")
        if db == nil {
            // Our own file from an earlier run: start over, so every step does its real work.
            for suffix in ["", "-wal", "-shm", "-journal"] { try? fm.removeItem(atPath: dbPath + suffix) }
        }
        let trail = generate ? (out as NSString).appendingPathComponent("trail") : Self.samplePath
        let steps = generate ? 9 : 8
        var step = 0
        func begin(_ name: String) -> ContinuousClock.Instant {
            step += 1
            let label = "[\(step)/\(steps)] \(name)"
            print(label.padding(toLength: 24, withPad: " ", startingAt: 0), terminator: "")
            fflush(nil)
            return ContinuousClock.now
        }
        func done(_ t0: ContinuousClock.Instant, _ what: String) {
            print(String(format: "%6.2f s  ", Self.seconds(since: t0)) + what)
        }
        print("Trailwatch demo: \(generate ? "a fresh generated trail" : trail) → \(out)/ (database \(dbPath))\n")

        if generate {
            let t = begin("generate")
            let config = GeneratorConfig(days: 28, eventsPerDay: 250, seed: 42, start: "2026-10-01", accounts: 2,
                                         regions: ["us-east-1", "eu-west-1"], compressionLevel: 1, anomalies: .default, anomaliesSource: "default")
            do {
                let summary = try TrailGenerator(config: config).generate(toDirectory: trail, overwrite: true, command: config.commandLine(out: trail))
                done(t, "\(Format.count(summary.events)) events in \(Format.count(summary.files)) files, \(summary.incidents.count) labelled incidents")
            } catch {
                throw CLIError("generate: \(error)")
            }
        }

        // Ingest.
        let store = try DatabaseOption.open(creating: dbPath)
        var t = begin("ingest")
        let ingest: IngestSummary
        do { ingest = try Ingestor(store: store, options: IngestOptions()).run(paths: [trail], progress: nil) } catch {
            throw CLIError("ingest: \(error)")
        }
        var line = "\(Format.count(ingest.events)) new events from \(Format.count(ingest.filesRead)) files"
        if ingest.digestFiles > 0 { line += " (\(Format.count(ingest.digestFiles)) digest files recognised, not ingested)" }
        line += ", \(Format.count(ingest.duplicates)) duplicates, \(Format.count(ingest.rejected)) rejected"
        done(t, line)

        // Packs.
        t = begin("apply packs")
        let packFiles = (try? fm.contentsOfDirectory(atPath: Self.packFolder))?.filter { $0.hasSuffix(".yaml") }.sorted() ?? []
        var packs: [DetectionPack] = []
        for f in packFiles {
            let path = (Self.packFolder as NSString).appendingPathComponent(f)
            guard let data = fm.contents(atPath: path) else { throw CLIError("\(path): cannot read file") }
            do { packs.append(try DetectionPack(yaml: String(decoding: data, as: UTF8.self), file: path)) } catch { throw CLIError("\(error)") }
        }
        let now = TimeArgument.nowMillis()
        for pack in packs {
            for f in pack.filters { try store.putFilter(f, nowMillis: now) }
            // As `apply` does: an unchanged alarm is left alone (its state and history stay).
            for a in pack.alarms where try store.alarm(named: a.name)?.definition != a { try store.putAlarm(a, nowMillis: now) }
        }
        done(t, "\(packs.count) packs (\(packs.map(\.name).joined(separator: ", "))): \(packs.reduce(0) { $0 + $1.filters.count }) metric filters, "
             + "\(packs.reduce(0) { $0 + $1.alarms.count }) alarms")

        // Backfill.
        t = begin("backfill")
        let backfill = try store.backfill(try store.filters(), sinceMillis: nil, untilMillis: nil)
        let metrics = try store.metrics()
        done(t, "\(Format.count(backfill.matches)) matches in \(Format.count(backfill.events)) events → \(metrics.count) metric series")

        // Baselines on the first quarter of the trail.
        t = begin("train baselines")
        let info = try ModelsCommand.wrap { try store.info(topNames: 0) }
        guard let first = info.firstEventMillis, let last = info.lastEventMillis else { throw CLIError("the trail held no events") }
        let day: Int64 = 86_400_000
        let firstDay = first - ((first % day) + day) % day
        let quarter = ((last - firstDay) / 4 + day / 2) / day * day
        let window = min(max(quarter, 2 * day), 14 * day)
        var options = BaselineOptions()
        options.trainingWindowMillis = window
        var trained = 0, insufficient = 0
        var fitMillis = 0.0
        for m in metrics {
            let key = MetricKey(namespace: m.key.namespace, name: m.key.name, dimensions: m.key.dimensions)
            let record = try ModelsCommand.wrap {
                try store.trainModel(name: ModelRecord.defaultName(metric: key, statistic: .sum, periodMillis: 300_000), metric: key, statistic: .sum,
                                     periodMillis: 300_000, options: options, endMillis: firstDay + window, nowMillis: now)
            }
            try store.putModel(record)
            if record.model != nil { trained += 1 } else { insufficient += 1 }
            fitMillis += record.fitMillis
        }
        done(t, "\(trained) trained, \(insufficient) INSUFFICIENT_DATA (Sum per 5 min on \(UTCTime.range(firstDay, firstDay + window)); fit \(String(format: "%.0f", fitMillis)) ms)")

        // Detect.
        t = begin("detect")
        let detections = try ModelsCommand.wrap { try store.detect(sinceMillis: nil) }
        done(t, "\(detections.count) anomalous intervals in \(Set(detections.map(\.model)).count) of \(trained) models; the top 5:")
        for (i, d) in detections.prefix(5).enumerated() {
            let who = [d.contributors.principals.first?.value, d.contributors.sourceIPs.first?.value].compactMap { $0 }.joined(separator: " from ")
            print("        \(i + 1). \(d.metric.label)  \(UTCTime.range(d.interval.startMillis, d.interval.endMillis))  "
                  + "peak \(NumberText.format(d.interval.peakValue)) vs \(NumberText.format(d.interval.expectedAtPeak))  score \(String(format: "%.4f", d.interval.peakScore))"
                  + (who.isEmpty ? "" : "  (\(who))"))
        }

        // Alarms: replayed over the whole trail (pure backtests: nothing persisted, no action).
        t = begin("backtest alarms")
        let alarms = try store.alarms()
        let templates = Set(alarms.filter(\.definition.isTemplate).map(\.definition.name))
        let top = alarms.filter { !store.isSeriesAlarm($0.definition.name, templates: templates) }
        if top.isEmpty {
            done(t, "no alarms defined (the packs define none)")
        } else {
            var series = 0, toAlarm = 0, failed: [String] = []
            var alarmed: [String] = []
            for a in top {
                do {
                    for run in try store.backtestAlarmSeries(named: a.definition.name) {
                        series += 1
                        let ups = run.timeline.changes.filter { $0.transitioned && $0.newState == .alarm }
                        toAlarm += ups.count
                        if let first = ups.first {
                            alarmed.append("\(run.definition.name) \(ups.count)× (first \(UTCTime(millis: first.evaluatedAtMillis).dateTime))")
                        }
                    }
                } catch {
                    failed.append("\(a.definition.name): \(error)")
                }
            }
            done(t, "\(top.count) alarms (\(series) series) replayed over the trail: \(alarmed.count) went to ALARM, \(toAlarm) time(s) in all")
            for a in alarmed.prefix(8) { print("        " + a) }
            if alarmed.count > 8 { print("        … and \(alarmed.count - 8) more") }
            for f in failed { print("        not replayed: \(f)") }
        }

        // Queries.
        t = begin("queries")
        let queryOptions = try ReportCommand.options(start: nil, end: nil, metrics: [], queryDirectories: [], store: store, now: now)
        var reportOptions = queryOptions
        // The report runs them; time them here on their own so the step says what they cost.
        let results = queryOptions.extraQueries.map { q -> (ReportQuerySource, Int, String?) in
            do {
                let query = try InsightsParser.parse(q.text)
                let r = try store.runInsights(query, context: .init(window: .init(), nowMillis: now)).result
                return (q, r.rows.count, nil)
            } catch {
                return (q, 0, "\(error)")
            }
        }
        done(t, "\(results.count) queries from models/queries, \(Format.count(results.reduce(0) { $0 + $1.1 })) rows")
        for (q, rows, error) in results {
            print("        " + q.name.padding(toLength: 32, withPad: " ", startingAt: 0) + (error.map { "error: \($0)" } ?? "\(Format.count(rows)) row(s)"))
        }

        // Report.
        t = begin("report")
        let reportPath = (out as NSString).appendingPathComponent("report.html")
        reportOptions.nowMillis = TimeArgument.nowMillis()
        let (bytes, data) = try ReportCommand.write(store: store, options: reportOptions, to: reportPath)
        done(t, "\(reportPath): \(Format.bytes(bytes)), \(data.metrics.count) charts")

        // Incidents.
        let labelsPath = (trail as NSString).appendingPathComponent("labels.json")
        print("")
        if let labels = try Self.loadIncidents(labelsPath) {
            let matched = Self.match(labels, detections)
            print("Labelled incidents (\(labelsPath)) against detect's intervals (overlap ± one period, related events, principal or IP):")
            for (incident, hit) in matched {
                let when = UTCTime.range(incident.start, incident.end)
                if let (rank, d) = hit {
                    print("  ✓ \(incident.id) \(incident.kind)  \(when)  →  #\(rank + 1) \(d.metric.label), score \(String(format: "%.4f", d.interval.peakScore))")
                } else {
                    print("  ✗ \(incident.id) \(incident.kind)  \(when)  →  missed")
                }
            }
            let found = matched.filter { $0.1 != nil }.count
            let unmatched = detections.indices.filter { i in !labels.contains { Self.related(detections[i], $0) } }.count
            print("Detected \(found) of \(labels.count) labelled incidents; \(unmatched) of \(detections.count) intervals match no incident.")
        } else {
            print("No labels.json next to the trail: nothing to score against.")
        }
        print(String(format: "\nDone in %.1f s. Open %@ in a browser; keep exploring with e.g. `trailwatch detect --db %@`.",
                     Self.seconds(since: total), reportPath, dbPath))
    }

    static func seconds(since t0: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - t0
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    // MARK: Labelled incidents

    struct Incident {
        var id: String
        var kind: String
        var start: Int64
        var end: Int64
        var principal: String
        var sourceIP: String
        var eventNames: Set<String>
    }

    static func loadIncidents(_ path: String) throws -> [Incident]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let doc: JSONValue
        do { doc = try JSONValue.parse(Array(data)) } catch { throw CLIError("\(path): not JSON (\(error))") }
        guard let list = doc["incidents"]?.arrayValue else { throw CLIError("\(path): no \"incidents\" list") }
        return try list.map { item in
            guard let id = item["id"]?.stringValue, let s = item["start"]?.stringValue.flatMap(ISO8601.parseMillis),
                  let e = item["end"]?.stringValue.flatMap(ISO8601.parseMillis) else {
                throw CLIError("\(path): an incident lacks id, start or end")
            }
            return Incident(id: id, kind: item["kind"]?.stringValue ?? "", start: s, end: e, principal: item["principal"]?.stringValue ?? "",
                            sourceIP: item["sourceIPAddress"]?.stringValue ?? "",
                            eventNames: Set(item["eventNames"]?.arrayValue?.compactMap(\.stringValue) ?? []))
        }
    }

    /// Overlap in time (the incident widened by one period each side, as intervals are whole
    /// periods) and relevance: the interval's counted events share an event name, the principal
    /// or the source IP with the incident.
    static func related(_ d: Detection, _ incident: Incident) -> Bool {
        let overlaps = d.interval.startMillis < incident.end + d.periodMillis && d.interval.endMillis > incident.start - d.periodMillis
        guard overlaps else { return false }
        return d.contributors.eventNames.contains { incident.eventNames.contains($0.value) }
            || d.contributors.principals.contains { $0.value == incident.principal }
            || d.contributors.sourceIPs.contains { $0.value == incident.sourceIP }
    }

    /// Each incident with its best-ranked related interval (rank in `detections`), if any.
    static func match(_ incidents: [Incident], _ detections: [Detection]) -> [(Incident, (Int, Detection)?)] {
        incidents.map { incident in
            (incident, detections.enumerated().first { related($0.element, incident) }.map { ($0.offset, $0.element) })
        }
    }
}
