import ArgumentParser
import Baselines
import CloudTrail
import EventStore
import FilterPatterns
import Foundation
import TrailJSON

/// `trailwatch models …`: trained baselines (issue 5).
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Baseline models: train, inspect, band, score, export and import.",
        subcommands: [Train.self, List.self, Show.self, Band.self, Delete.self, Export.self, Import.self, ModelsScoreCommand.self])

    // MARK: Shared helpers

    /// `NS/NAME` plus `--dimension K=V` options → the metric's identity.
    static func metricKey(_ text: String, dimensions: [String]) throws -> MetricKey {
        guard let slash = text.lastIndex(of: "/"), slash != text.startIndex, text.index(after: slash) != text.endIndex else {
            throw CLIError("metric '\(text)' must be NAMESPACE/NAME")
        }
        var dims: [FilterPatterns.Dimension] = []
        for d in dimensions {
            guard let eq = d.firstIndex(of: "="), eq != d.startIndex else { throw CLIError("--dimension '\(d)' must be KEY=VALUE") }
            dims.append(FilterPatterns.Dimension(name: String(d[..<eq]), value: String(d[d.index(after: eq)...])))
        }
        return MetricKey(namespace: String(text[..<slash]), name: String(text[text.index(after: slash)...]), dimensions: dims)
    }

    /// Loads a model or fails naming the closest stored names.
    static func load(_ name: String, from store: TrailStore) throws -> ModelRecord {
        if let r = try wrap({ try store.model(named: name) }) { return r }
        let names = try store.modelNames()
        let near = nearest(name, in: names)
        let hint = names.isEmpty ? "no models are stored (train one with `trailwatch models train`)"
            : near.isEmpty ? "see `trailwatch models list`" : "did you mean: \(near.joined(separator: ", "))?"
        throw CLIError("no model named '\(name)'; \(hint)")
    }

    /// Names sharing the most with `name`: containment first, then small edit distance.
    static func nearest(_ name: String, in names: [String], limit: Int = 3) -> [String] {
        let needle = name.lowercased()
        let scored = names.map { n -> (Int, String) in
            let h = n.lowercased()
            if needle.count >= 3 && (h.contains(needle) || needle.contains(h)) { return (0, n) }
            return (editDistance(Array(needle.prefix(80)), Array(h.prefix(80))), n)
        }
        let limitDistance = max(3, needle.count / 3)
        return scored.filter { $0.0 <= limitDistance }.sorted { $0 < $1 }.prefix(limit).map(\.1)
    }

    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        var row = Array(0...b.count)
        for i in 1...a.count {
            var prev = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let cur = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1))
                prev = cur
            }
        }
        return row[b.count]
    }

    /// Turns the store's typed errors into CLI errors with their descriptions.
    static func wrap<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as CLIError { throw e } catch { throw CLIError("\(error)") }
    }

    static func dimensionsJSON(_ key: MetricKey) -> JSONValue {
        .object(JSONObject(key.dimensions.map { ($0.name, .string($0.value)) }))
    }

    static func number(_ d: Double?, places: Int = 6) -> JSONValue {
        guard let d, d.isFinite else { return .null }
        let scale = pow(10.0, Double(places))
        return .number((d * scale).rounded() / scale)
    }

    static func text(_ d: Double, places: Int = 3) -> String {
        guard d.isFinite else { return "-" }
        let v = String(format: "%.\(places)f", d)
        // Trim trailing zeros so counts read as counts.
        guard v.contains(".") else { return v }
        var t = Substring(v)
        while t.last == "0" { t = t.dropLast() }
        if t.last == "." { t = t.dropLast() }
        return String(t)
    }

    static func reason(_ d: InsufficientData) -> String {
        "\(d.usablePoints) usable point(s) over \(Format.duration(d.historyMillis)); needs \(d.requiredPoints) over \(Format.duration(d.requiredHistoryMillis))"
    }


    /// One model as `models list --json` and `models train --json` print it.
    static func summaryJSON(_ r: ModelRecord) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("name", .string(r.name)), ("namespace", .string(r.metric.namespace)), ("metric", .string(r.metric.name)),
            ("dimensions", dimensionsJSON(r.metric)), ("stat", .string(r.statistic.rawValue)),
            ("period", .number(Double(r.periodMillis / 1000))), ("status", .string(r.status)),
            ("windowStart", .string(ISO8601.format(millis: r.window.startMillis))),
            ("windowEnd", .string(ISO8601.format(millis: r.window.endMillis))),
        ]
        switch r.outcome {
        case .trained(let m):
            pairs += [("sigma", number(m.sigma)), ("trainingPoints", .number(Double(m.trainingPoints))), ("reason", .null)]
        case .insufficientData(let d):
            pairs += [("sigma", .null), ("trainingPoints", .number(Double(d.usablePoints))), ("reason", .string(reason(d)))]
        }
        pairs += [("trainedAt", .string(ISO8601.format(millis: r.trainedAtMillis))), ("fitMs", number(r.fitMillis, places: 3))]
        return .object(JSONObject(pairs))
    }

    // MARK: train

    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a baseline for a metric (or --all metrics) and store it.",
            discussion: """
                The window (--window, default 14d, at most 90d) ends where the data end (the later of \
                the last stored event and the metric's last datapoint) or at --end. For Sum and \
                SampleCount, periods without a datapoint inside the stored events' span count as 0: \
                the events were there and none matched. --exclude START/END (repeatable; ISO-8601 or \
                relative times) leaves known incidents or outages out of training.

                The default name is NAMESPACE/METRIC{K=V,…}:STAT:PERIOD, e.g. \
                CISBenchmark/RootAccountUsage:Sum:5m or \
                AuthFailures/AccessDeniedByPrincipal{Principal=arn:aws:iam::1:user/bob}:Sum:5m; \
                training again under the same name replaces the model.

                Too little history is not an error: the model is stored as INSUFFICIENT_DATA with \
                what it lacks, and reported. --all trains every metric with the same options.
                """)

        @Argument(help: ArgumentHelp("The metric, as NAMESPACE/NAME.", valueName: "namespace/name")) var metric: String?
        @Flag(help: "Train every metric (one model per metric and dimension set).") var all = false
        @Option(name: .customLong("dimension"), help: ArgumentHelp("A dimension of the metric (all of them identify it).", valueName: "key=value"))
        var dimensions: [String] = []
        @Option(help: ArgumentHelp("SampleCount, Sum, Average, Minimum or Maximum.", valueName: "stat")) var stat = "Sum"
        @Option(help: ArgumentHelp("The period: 1m … 1d (e.g. 5m, 1h).", valueName: "period")) var period = "5m"
        @Option(help: ArgumentHelp("Training window, at most 90d (e.g. 14d, 36h, 2w).", valueName: "duration")) var window = "14d"
        @Option(parsing: .unconditionalSingleValue, help: ArgumentHelp("A range left out of training (repeatable).", valueName: "start/end"))
        var exclude: [String] = []
        @Option(help: ArgumentHelp("Band width k in expected ± k·σ (fractions allowed).", valueName: "k")) var band = 2.0
        @Option(parsing: .unconditional, help: ArgumentHelp("End of the training window (default: where the data end).", valueName: "time"))
        var end: String?
        @Flag(help: "Recurring spikes (a nightly job) are expected, not anomalies.") var periodicSpikes = false
        @Option(help: ArgumentHelp("The model's name (single metric only).", valueName: "name")) var name: String?
        @Flag(help: "Print a JSON array, one object per model.") var json = false
        @OptionGroup var database: DatabaseOption

        func validate() throws {
            if all && metric != nil { throw ValidationError("give a metric or --all, not both") }
            if !all && metric == nil { throw ValidationError("give a metric (NAMESPACE/NAME) or --all") }
            if all && (name != nil || !dimensions.isEmpty) { throw ValidationError("--name and --dimension apply to a single metric, not --all") }
            guard Statistic(rawValue: stat) != nil else {
                throw ValidationError("--stat must be one of \(Statistic.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard band > 0, band.isFinite else { throw ValidationError("--band must be a positive number") }
        }

        func run() throws {
            let statistic = Statistic(rawValue: stat)!
            let periodMillis = try PeriodArgument.parse(period)
            var options = BaselineOptions()
            options.trainingWindowMillis = try DurationArgument.parse(window, option: "--window")
            guard options.trainingWindowMillis <= BaselineOptions.maximumWindowMillis else { throw CLIError("--window must be at most 90d") }
            options.bandWidth = band
            options.periodicSpikes = periodicSpikes
            options.excluded = try exclude.map(RangeArgument.parse).sorted { $0.startMillis < $1.startMillis }
            let endMillis = try end.map { try TimeArgument.parse($0) }
            let store = try database.openExisting()
            let keys: [MetricKey]
            if all {
                keys = try store.metrics().map { MetricKey(namespace: $0.key.namespace, name: $0.key.name, dimensions: $0.key.dimensions) }
                if keys.isEmpty { throw CLIError("no metrics to train (add filters with `trailwatch apply` or `filters put`, then backfill)") }
            } else {
                keys = [try ModelsCommand.metricKey(metric!, dimensions: dimensions)]
            }
            let now = TimeArgument.nowMillis()
            var records: [ModelRecord] = []
            for key in keys {
                let modelName = name ?? ModelRecord.defaultName(metric: key, statistic: statistic, periodMillis: periodMillis)
                let record = try ModelsCommand.wrap {
                    try store.trainModel(name: modelName, metric: key, statistic: statistic, periodMillis: periodMillis,
                                         options: options, endMillis: endMillis, nowMillis: now)
                }
                try ModelsCommand.wrap { try store.putModel(record) }
                records.append(record)
                if !json { print(Self.line(record)) }
            }
            if json {
                print(JSONValue.array(records.map(ModelsCommand.summaryJSON)).jsonText())
                return
            }
            let trained = records.filter { $0.model != nil }
            let fit = trained.map(\.fitMillis)
            var summary = "\(trained.count) trained, \(records.count - trained.count) INSUFFICIENT_DATA"
            if !fit.isEmpty {
                summary += "; fit \(ModelsCommand.text(fit.reduce(0, +), places: 1)) ms in total, "
                    + "\(ModelsCommand.text(fit.reduce(0, +) / Double(fit.count), places: 2)) ms mean, \(ModelsCommand.text(fit.max()!, places: 2)) ms max"
            }
            print(summary)
        }

        static func line(_ r: ModelRecord) -> String {
            switch r.outcome {
            case .trained(let m):
                return "trained            \(r.name)  \(m.trainingPoints) points, σ \(ModelsCommand.text(m.sigma)) (\(m.transform.rawValue)), fit \(ModelsCommand.text(r.fitMillis, places: 2)) ms"
            case .insufficientData(let d):
                return "INSUFFICIENT_DATA  \(r.name)  \(ModelsCommand.reason(d))"
            }
        }
    }

    // MARK: list

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List stored models.")
        @Flag(help: "Print a JSON array.") var json = false
        @OptionGroup var database: DatabaseOption

        func run() throws {
            let store = try database.openExisting()
            let records = try ModelsCommand.wrap { try store.models() }
            if json {
                print(JSONValue.array(records.map(ModelsCommand.summaryJSON)).jsonText())
                return
            }
            if records.isEmpty { print("no models (train one with `trailwatch models train NS/METRIC` or `--all`)"); return }
            var rows = [["NAME", "METRIC", "STAT", "PERIOD", "STATUS", "WINDOW", "σ", "TRAINED AT"]]
            for r in records {
                rows.append([
                    r.name, r.metric.label, r.statistic.rawValue, ModelRecord.periodText(r.periodMillis), r.status,
                    "\(ISO8601.format(millis: r.window.startMillis)) … \(ISO8601.format(millis: r.window.endMillis))",
                    r.model.map { ModelsCommand.text($0.sigma) } ?? "-", ISO8601.format(millis: r.trainedAtMillis),
                ])
            }
            print(Table.render(rows))
        }
    }

    // MARK: show

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A model's diagnostics: seasonal and trend strength, residual scales, fit.",
            discussion: """
                Strengths are 1 − Var(residual)/Var(component + residual), in [0, 1]. σ is the band's \
                scale on the fitting scale (Anscombe for counts): the out-of-sample (rolling-origin) \
                error scale, never below the floor; the in-sample residual scale is shown beside it.
                """)
        @Argument(help: "The model's name.") var name: String
        @Flag(help: "Print one JSON object.") var json = false
        @OptionGroup var database: DatabaseOption

        func run() throws {
            let store = try database.openExisting()
            let r = try ModelsCommand.load(name, from: store)
            if json { print(Self.json(r).jsonText()); return }
            print(r.name)
            print("  metric      \(r.metric.label)  \(r.statistic.rawValue) per \(ModelRecord.periodText(r.periodMillis))")
            print("  status      \(r.status)")
            print("  window      \(ISO8601.format(millis: r.window.startMillis)) … \(ISO8601.format(millis: r.window.endMillis)) (\(Format.duration(r.options.trainingWindowMillis)) asked)")
            for x in r.options.excluded {
                print("  excluded    \(ISO8601.format(millis: x.startMillis)) … \(ISO8601.format(millis: x.endMillis))")
            }
            print("  band        expected ± \(ModelsCommand.text(r.options.bandWidth))σ\(r.options.periodicSpikes ? ", periodic spikes expected" : "")")
            switch r.outcome {
            case .insufficientData(let d):
                print("  reason      \(ModelsCommand.reason(d))")
            case .trained(let m):
                let t = { (d: Double) in ModelsCommand.text(d) }
                print("  trained on  \(m.trainingPoints) points, \(ISO8601.format(millis: m.trainedRange.startMillis)) … \(ISO8601.format(millis: m.trainedRange.endMillis))")
                print("  transform   \(m.transform.rawValue)")
                print("  seasonal    daily \(t(m.diagnostics.dailyStrength)) (order \(m.spec.dailyOrder)), weekly \(t(m.diagnostics.weeklyStrength)) (order \(m.spec.weeklyOrder))")
                print("  trend       strength \(t(m.diagnostics.trendStrength))")
                print("  residuals   in-sample scale \(t(m.inSampleScale)), out-of-sample σ \(m.outOfSampleScale.map(t) ?? "- (history too short for folds)"), floor \(t(m.scaleFloor))")
                print("  band σ      \(t(m.sigma))")
                print("  fit         \(m.iterations) IRLS iteration(s), \(m.converged ? "converged" : "NOT converged")\(m.usedMinimumNorm ? ", rank-deficient (minimum-norm solve)" : ""), \(ModelsCommand.text(r.fitMillis, places: 2)) ms")
            }
            print("  trained at  \(ISO8601.format(millis: r.trainedAtMillis))")
        }

        static func json(_ r: ModelRecord) -> JSONValue {
            var pairs: [(String, JSONValue)] = [
                ("name", .string(r.name)), ("namespace", .string(r.metric.namespace)), ("metric", .string(r.metric.name)),
                ("dimensions", ModelsCommand.dimensionsJSON(r.metric)), ("stat", .string(r.statistic.rawValue)),
                ("period", .number(Double(r.periodMillis / 1000))), ("status", .string(r.status)),
                ("windowStart", .string(ISO8601.format(millis: r.window.startMillis))),
                ("windowEnd", .string(ISO8601.format(millis: r.window.endMillis))),
                ("windowDays", ModelsCommand.number(Double(r.options.trainingWindowMillis) / Double(millisPerDay))),
                ("exclusions", .array(r.options.excluded.map {
                    ["start": .string(ISO8601.format(millis: $0.startMillis)), "end": .string(ISO8601.format(millis: $0.endMillis))]
                })),
                ("bandWidth", .number(r.options.bandWidth)), ("periodicSpikes", .bool(r.options.periodicSpikes)),
            ]
            switch r.outcome {
            case .insufficientData(let d):
                pairs += [("reason", .string(ModelsCommand.reason(d))),
                          ("insufficientData", ["usablePoints": .number(Double(d.usablePoints)), "requiredPoints": .number(Double(d.requiredPoints)),
                                                "historyMs": .number(Double(d.historyMillis)), "requiredHistoryMs": .number(Double(d.requiredHistoryMillis))])]
            case .trained(let m):
                let n = { (d: Double?) in ModelsCommand.number(d) }
                pairs += [
                    ("trainedStart", .string(ISO8601.format(millis: m.trainedRange.startMillis))),
                    ("trainedEnd", .string(ISO8601.format(millis: m.trainedRange.endMillis))),
                    ("trainingPoints", .number(Double(m.trainingPoints))), ("transform", .string(m.transform.rawValue)),
                    ("seasonal", ["dailyStrength": n(m.diagnostics.dailyStrength), "weeklyStrength": n(m.diagnostics.weeklyStrength),
                                  "dailyOrder": .number(Double(m.spec.dailyOrder)), "weeklyOrder": .number(Double(m.spec.weeklyOrder))]),
                    ("trendStrength", n(m.diagnostics.trendStrength)), ("residualVariance", n(m.diagnostics.residualVariance)),
                    ("inSampleScale", n(m.inSampleScale)), ("outOfSampleScale", n(m.outOfSampleScale)),
                    ("sigma", n(m.sigma)), ("scaleFloor", n(m.scaleFloor)),
                    ("iterations", .number(Double(m.iterations))), ("converged", .bool(m.converged)), ("minimumNorm", .bool(m.usedMinimumNorm)),
                ]
            }
            pairs += [("fitMs", ModelsCommand.number(r.fitMillis, places: 3)), ("trainedAt", .string(ISO8601.format(millis: r.trainedAtMillis)))]
            return .object(JSONObject(pairs))
        }
    }

    // MARK: band

    struct Band: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A model's expected band against the actual series, per period.",
            discussion: """
                Per period: timestamp, actual, expected, lower, upper, score (0–1) and anomaly (outside \
                the band). Default range: the last 2 days of the metric's data. The table ends with a \
                chart of the series inside its band, as wide as $COLUMNS (default 100).
                """)
        @Argument(help: "The model's name.") var name: String
        @Option(parsing: .unconditional, help: ArgumentHelp("From (ISO-8601, or relative like -2d).", valueName: "time")) var start: String?
        @Option(parsing: .unconditional, help: ArgumentHelp("Until (exclusive).", valueName: "time")) var end: String?
        @Option(help: ArgumentHelp("table, json or csv.", valueName: "format")) var format = "table"
        @OptionGroup var database: DatabaseOption

        func validate() throws {
            guard ["table", "json", "csv"].contains(format) else { throw ValidationError("--format must be table, json or csv") }
        }

        func run() throws {
            let store = try database.openExisting()
            let r = try ModelsCommand.load(name, from: store)
            if case .insufficientData(let d) = r.outcome {
                throw CLIError("model '\(r.name)' has no band: INSUFFICIENT_DATA (\(ModelsCommand.reason(d))); retrain it when there is more history")
            }
            let startMillis = try start.map { try TimeArgument.parse($0) }
            let endMillis = try end.map { try TimeArgument.parse($0) }
            let range: TimeRange
            if let startMillis, let endMillis {
                range = TimeRange(startMillis: startMillis, endMillis: endMillis)
            } else {
                guard let recent = try ModelsCommand.wrap({ try store.recentRange(r, lookback: 2 * millisPerDay) }) else {
                    throw CLIError("no data for \(r.metric.label)")
                }
                range = TimeRange(startMillis: startMillis ?? (endMillis.map { $0 - 2 * millisPerDay } ?? recent.startMillis),
                                  endMillis: endMillis ?? recent.endMillis)
            }
            guard range.endMillis > range.startMillis else { throw CLIError("--start must be before --end") }
            guard (range.endMillis - range.startMillis) / r.periodMillis <= 1_000_000 else { throw CLIError("range too long: over a million periods") }
            let points = try ModelsCommand.wrap { try store.band(r, range: range) }
            switch format {
            case "json":
                print(JSONValue.array(points.map { p in
                    [
                        "timestamp": .string(ISO8601.format(millis: p.timeMillis)), "actual": p.actual.map { .number($0) } ?? .null,
                        "expected": ModelsCommand.number(p.expected), "lower": ModelsCommand.number(p.lower),
                        "upper": ModelsCommand.number(p.upper), "score": ModelsCommand.number(p.score, places: 4), "anomaly": .bool(p.anomaly),
                    ]
                }).jsonText())
            case "csv":
                print("timestamp,actual,expected,lower,upper,score,anomaly")
                for p in points {
                    let f = { (v: Double) in JSONValue.formatNumber(((v * 1e6).rounded()) / 1e6) }
                    print("\(ISO8601.format(millis: p.timeMillis)),\(p.actual.map(JSONValue.formatNumber) ?? ""),\(f(p.expected)),\(f(p.lower)),\(f(p.upper)),\(JSONValue.formatNumber((p.score * 1e4).rounded() / 1e4)),\(p.anomaly)")
                }
            default:
                print("\(r.name)  \(r.metric.label)  \(r.statistic.rawValue) per \(ModelRecord.periodText(r.periodMillis)), band ± \(ModelsCommand.text(r.options.bandWidth))σ")
                var rows = [["TIMESTAMP", "ACTUAL", "EXPECTED", "LOWER", "UPPER", "SCORE", ""]]
                for p in points {
                    rows.append([ISO8601.format(millis: p.timeMillis), p.actual.map { ModelsCommand.text($0) } ?? "-", ModelsCommand.text(p.expected),
                                 ModelsCommand.text(p.lower), ModelsCommand.text(p.upper), String(format: "%.3f", p.score), p.anomaly ? "ANOMALY" : ""])
                }
                print(Table.render(rows, rightAligned: 1...5))
                let anomalies = points.filter(\.anomaly).count
                print("\(points.count) period(s), \(anomalies) outside the band")
                print()
                print(BandChart.render(points, width: BandChart.terminalWidth()))
            }
        }
    }

    // MARK: delete, export, import

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a stored model.")
        @Argument(help: "The model's name.") var name: String
        @OptionGroup var database: DatabaseOption

        func run() throws {
            let store = try database.openExisting()
            _ = try ModelsCommand.load(name, from: store)
            _ = try ModelsCommand.wrap { try store.deleteModel(named: name) }
            print("deleted \(name)")
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a model as JSON, for version control (models/*.json).",
            discussion: """
                The file holds the metric's identity, statistic, period, training options, the fitted                 model (or its INSUFFICIENT_DATA details) and when it was trained, pretty-printed with                 sorted keys: the same model always gives the same bytes, and `models import` recreates                 it exactly.
                """)
        @Argument(help: "The model's name.") var name: String
        @Option(help: ArgumentHelp("The file to write (directories are created); default: standard output.", valueName: "file")) var out: String?
        @OptionGroup var database: DatabaseOption

        func run() throws {
            let store = try database.openExisting()
            let text = ModelDocument.encode(try ModelsCommand.load(name, from: store))
            guard let out else { print(text, terminator: ""); return }
            let url = URL(fileURLWithPath: out)
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(text.utf8).write(to: url, options: .atomic)
            } catch {
                throw CLIError("\(out): cannot write: \(error.localizedDescription)")
            }
            print("exported \(name) → \(out)")
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load models exported with `models export`.",
            discussion: "Every file is validated before any is stored; nothing is written if one is invalid. A name that already exists is an error unless --replace.")
        @Argument(help: ArgumentHelp("Exported model files (JSON).", valueName: "file")) var files: [String]
        @Flag(help: "Overwrite models of the same name.") var replace = false
        @OptionGroup var database: DatabaseOption

        func validate() throws {
            if files.isEmpty { throw ValidationError("give at least one file") }
        }

        func run() throws {
            var records: [ModelRecord] = []
            var seen: [String: String] = [:]
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("\(file): cannot read file") }
                let r = try ModelsCommand.wrap { try ModelDocument.decode(data, source: file) }
                if let other = seen[r.name] { throw CLIError("\(file): model '\(r.name)' is also in \(other)") }
                seen[r.name] = file
                records.append(r)
            }
            let store = try database.openOrCreate()
            try ModelsCommand.wrap { try store.putModels(records, replace: replace) }
            for r in records { print("imported \(r.name) (\(r.status))") }
        }
    }
}

// MARK: - Argument helpers

/// Durations such as `14d`, `36h`, `2w`, `90m`.
enum DurationArgument {
    static func parse(_ text: String, option: String) throws -> Int64 {
        let scales: [Character: Int64] = ["s": 1000, "m": 60_000, "h": 3_600_000, "d": millisPerDay, "w": millisPerWeek]
        guard let unit = text.last, let scale = scales[unit], let n = Int64(text.dropLast()), n > 0, n <= 100_000 else {
            throw CLIError("invalid \(option) '\(text)': expected a duration such as 14d, 36h, 2w")
        }
        return n * scale
    }
}

/// `START/END` ranges for `--exclude`: ISO-8601 or relative times on both sides.
enum RangeArgument {
    static func parse(_ text: String) throws -> TimeRange {
        guard let slash = text.firstIndex(of: "/") else { throw CLIError("--exclude '\(text)' must be START/END") }
        let start = try TimeArgument.parse(String(text[..<slash]))
        let end = try TimeArgument.parse(String(text[text.index(after: slash)...]))
        guard end > start else { throw CLIError("--exclude '\(text)': the end must be after the start") }
        return TimeRange(startMillis: start, endMillis: end)
    }
}

/// Aligned text columns; the first row is the header.
enum Table {
    static func render(_ rows: [[String]], rightAligned: ClosedRange<Int>? = nil) -> String {
        guard let first = rows.first else { return "" }
        var widths = [Int](repeating: 0, count: first.count)
        for row in rows { for (i, c) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        return rows.map { row in
            row.enumerated().map { i, c in
                let pad = String(repeating: " ", count: widths[i] - c.count)
                return rightAligned?.contains(i) == true ? pad + c : (i == row.count - 1 ? c : c + pad)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
