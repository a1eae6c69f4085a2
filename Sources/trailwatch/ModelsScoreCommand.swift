import ArgumentParser
import Baselines
import Foundation

/// `trailwatch models score --csv IN --out OUT`: any numeric series from a CSV file, no store.
struct ModelsScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score any series from a CSV file: expected value, band and anomaly score per point.",
        discussion: """
            Input: timestamp,value lines (a header line is optional; with one, columns named \
            timestamp and value are used, otherwise the first two). Timestamps are ISO-8601 \
            (2026-10-01T12:00:00Z, offsets allowed) or YYYY-MM-DD HH:MM:SS, UTC. - reads stdin.

            Output: the input columns plus anomaly_score,expected,lower,upper. Without --online the \
            model is trained on the whole series (its last 90 days at most) and scores it in \
            sample. With --online every point is scored by a model trained only on data strictly \
            before it, retrained every --retrain (default each UTC day), as a live detector would; \
            points before the minimum history get empty score and band cells (INSUFFICIENT_DATA).

            --period auto takes the median gap between timestamps. Rows are bucketed into periods \
            aligned to the epoch; when a period holds several rows they are aggregated (summed for \
            counts, averaged otherwise) and the output has one row per period (timestamp = period \
            start) instead of echoing the input. The count-aware model (Anscombe transform, bands \
            never below 0) is used only when every value is a non-negative integer; any other series \
            (CPU %, latency) is modelled on its own scale and its band may go below 0.

            Rows that do not parse are skipped and reported on stderr with their line numbers; \
            --strict makes any bad row an error.
            """)

    @Option(name: .long, help: ArgumentHelp("Input CSV file, or - for stdin.", valueName: "file"))
    var csv: String?

    @Option(name: .long, help: ArgumentHelp("Output CSV file, or - for stdout.", valueName: "file"))
    var out: String = "-"

    @Flag(help: "Score each point with a model trained only on earlier data (retrained on a schedule).")
    var online = false

    @Option(help: ArgumentHelp("Sample period: auto (median gap) or 30s, 5m, 1h, 1d.", valueName: "auto|5m|…"))
    var period: String = "auto"

    @Option(help: ArgumentHelp("Band width k in expected ± k·σ (fractional allowed).", valueName: "k"))
    var band: Double = 2

    @Option(help: ArgumentHelp("With --online: training window (up to 90d).", valueName: "duration"))
    var window: String = "14d"

    @Option(help: ArgumentHelp("With --online: retrain interval.", valueName: "duration"))
    var retrain: String = "1d"

    @Flag(help: "Fail on the first row that does not parse instead of skipping it.")
    var strict = false

    @Option(help: ArgumentHelp("Benchmark instead of scoring: train this many synthetic 14-day 5-minute series (4,032 points) and time online scoring of one.", valueName: "n"))
    var bench: Int?

    @Option(name: .customLong("bench-export"), help: ArgumentHelp("With --bench: also write the first --bench-export-count synthetic series as CSV files into this directory.", valueName: "dir"))
    var benchExport: String?

    @Option(name: .customLong("bench-export-count"), help: ArgumentHelp("With --bench-export: how many series to write.", valueName: "n"))
    var benchExportCount: Int = 5

    @Flag(help: "With --bench: print the measurements as one JSON object.")
    var json = false

    func validate() throws {
        if bench == nil, csv == nil { throw ValidationError("--csv is required (or --bench N)") }
        if let bench, bench < 1 { throw ValidationError("--bench must be at least 1") }
        guard band > 0, band.isFinite else { throw ValidationError("--band must be a positive number") }
        if period != "auto", SeriesCSV.parsePeriod(period) == nil { throw ValidationError("--period: '\(period)' is not auto or a duration like 5m") }
        guard let w = SeriesCSV.parsePeriod(window), w <= BaselineOptions.maximumWindowMillis else {
            throw ValidationError("--window: '\(window)' is not a duration up to 90d")
        }
        _ = w
        guard SeriesCSV.parsePeriod(retrain) != nil else { throw ValidationError("--retrain: '\(retrain)' is not a duration like 1d") }
    }

    func run() throws {
        if let bench { return try ScoreBenchmark(series: bench, exportDirectory: benchExport, exportCount: benchExportCount, json: json).run() }
        let input = try readInput(csv!)
        let table = SeriesCSV.parse(input)
        let name = csv == "-" ? "<stdin>" : csv!
        if !table.bad.isEmpty {
            if strict { throw CLIError("\(name):\(table.bad[0].line): \(table.bad[0].message)") }
            for b in table.bad.prefix(10) { StandardError.write("warning: \(name):\(b.line): \(b.message); row skipped\n") }
            if table.bad.count > 10 { StandardError.write("warning: \(name): \(table.bad.count - 10) more bad row(s) skipped\n") }
            StandardError.write("warning: \(name): \(table.bad.count) bad row(s) skipped of \(table.bad.count + table.rows.count)\n")
        }
        guard !table.rows.isEmpty else { throw CLIError("\(name): no data rows") }

        let periodMillis: Int64
        if period == "auto" {
            guard let p = SeriesCSV.inferPeriod(table.rows.map(\.millis)) else {
                throw CLIError("\(name): cannot infer the period from fewer than two distinct timestamps; give --period")
            }
            periodMillis = p
        } else {
            periodMillis = SeriesCSV.parsePeriod(period)!
        }
        let counts = CountTransform.looksLikeCounts(table.rows.map(\.value))
        let (series, perPeriod) = SeriesCSV.regularize(table.rows, periodMillis: periodMillis, aggregation: counts ? .sum : .mean)
        let aggregated = perPeriod.contains { $0 > 1 }
        if aggregated {
            let n = perPeriod.filter { $0 > 1 }.count
            StandardError.write("note: \(name): \(n) period(s) of \(SeriesCSV.format(Double(periodMillis) / 1000)) s held several rows; "
                + "they were \(counts ? "summed" : "averaged") and the output has one row per period\n")
        }

        var options = BaselineOptions()
        options.bandWidth = band
        options.countMode = counts ? .on : .off
        let points: [OnlinePoint]
        do {
            if online {
                var o = OnlineOptions()
                o.baseline = options
                o.baseline.trainingWindowMillis = SeriesCSV.parsePeriod(window)!
                o.retrainEveryMillis = SeriesCSV.parsePeriod(retrain)!
                points = try OnlineScorer.score(series, options: o)
            } else {
                options.trainingWindowMillis = min(max(series.endMillis - series.startMillis, periodMillis), BaselineOptions.maximumWindowMillis)
                switch try BaselineModel.train(series: series, options: options) {
                case .trained(let model):
                    points = series.values.indices.map { (i: Int) -> OnlinePoint in
                        let t = series.time(at: i), v = series.values[i]
                        guard v.isFinite else { return OnlinePoint(millis: t, value: v, status: .missing) }
                        return OnlinePoint(millis: t, value: v, status: .scored, prediction: model.predict(at: t), score: model.score(v, at: t),
                                           trainedThroughMillis: model.trainedRange.endMillis)
                    }
                case .insufficientData(let why):
                    StandardError.write("warning: \(name): INSUFFICIENT_DATA: \(why.usablePoints) usable point(s) over "
                        + "\(SeriesCSV.format(Double(why.historyMillis) / 3_600_000)) h; a model needs \(why.requiredPoints) points "
                        + "over \(SeriesCSV.format(Double(why.requiredHistoryMillis) / 3_600_000)) h. No scores written.\n")
                    points = series.values.indices.map { OnlinePoint(millis: series.time(at: $0), value: series.values[$0], status: .insufficientData) }
                }
            }
        } catch {
            throw CLIError("\(name): \(error)")
        }

        var text = ""
        func cells(_ p: OnlinePoint?) -> String {
            guard let p, let pr = p.prediction, let s = p.score else { return ",,," }
            return [String(format: "%.6f", s), SeriesCSV.format(pr.expected), SeriesCSV.format(pr.lower), SeriesCSV.format(pr.upper)].joined(separator: ",")
        }
        let scored = points.filter { $0.status == .scored }.count
        if aggregated {
            text += "timestamp,value,anomaly_score,expected,lower,upper\n"
            for p in points where p.value.isFinite {
                text += SeriesCSV.isoString(p.millis) + "," + SeriesCSV.format(p.value) + "," + cells(p) + "\n"
            }
        } else {
            let extra = ["anomaly_score", "expected", "lower", "upper"]
            if let header = table.header { text += (header.map(SeriesCSV.escape) + extra).joined(separator: ",") + "\n" }
            else { text += (["timestamp", "value"] + extra).joined(separator: ",") + "\n" }
            let start = series.startMillis
            for row in table.rows {
                let p = points[Int((row.millis - start) / periodMillis)]
                text += row.fields.map(SeriesCSV.escape).joined(separator: ",") + "," + cells(p) + "\n"
            }
        }
        try writeOutput(text, to: out)
        let flagged = points.filter { p in p.isOutsideBand }.count
        StandardError.write("\(name): \(points.filter { $0.value.isFinite }.count) period(s) of \(SeriesCSV.format(Double(periodMillis) / 1000)) s, "
            + "\(counts ? "count" : "gaussian") model, \(online ? "online" : "in-sample"): \(scored) scored, \(flagged) outside the band\n")
    }

    private func readInput(_ path: String) throws -> String {
        if path == "-" { return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) }
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("\(path): cannot read file") }
        return String(decoding: data, as: UTF8.self)
    }
}

func writeOutput(_ text: String, to path: String) throws {
    if path == "-" {
        FileHandle.standardOutput.write(Data(text.utf8))
        return
    }
    guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else { throw CLIError("\(path): cannot write file") }
}

/// `models score --bench N`: the speed benchmark on deterministic synthetic series shaped like
/// metric-filter counts and gauges (daily and weekly cycles, trend, noise, a few spikes).
struct ScoreBenchmark {
    var series: Int
    var exportDirectory: String?
    var exportCount: Int
    var json: Bool

    static let points = 4032
    static let period: Int64 = 5 * 60_000
    static let start: Int64 = 1_790_812_800_000  // 2026-10-01T00:00:00Z

    /// Series i: even i are Poisson counts (busy or sparse), odd i are a gauge like CPU %.
    static func make(_ index: Int) -> RegularSeries {
        var rng = BenchRNG(seed: UInt64(index) &* 0x9E37_79B9_7F4A_7C15 &+ 1)
        let level = [0.3, 3, 20, 80][index / 2 % 4]
        let counts = index % 2 == 0
        var values = [Double](repeating: 0, count: points)
        for i in 0..<points {
            let t = Double(i) / 288
            let day = 2 * Double.pi * t, week = day / 7
            let weekday = Int(t) % 7 < 5 ? 1.0 : 0.4
            let shape = (1 + 0.6 * sin(day - 1.8) + 0.2 * cos(2 * day)) * weekday * (1 + 0.05 * sin(week)) * (1 + 0.01 * t)
            if counts {
                values[i] = Double(rng.poisson(max(level * shape, 0)))
            } else {
                values[i] = 40 + 15 * shape + 3 * rng.gaussian()
            }
            if rng.unit() < 0.002 { values[i] += counts ? Double(rng.poisson(10 + 3 * level)) : 30 }
        }
        return RegularSeries(startMillis: start, periodMillis: period, values: values)
    }

    func run() throws {
        let all = (0..<series).map(Self.make)
        if let dir = exportDirectory {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for (i, s) in all.prefix(exportCount).enumerated() {
                var text = "timestamp,value\n"
                for (j, v) in s.values.enumerated() { text += SeriesCSV.isoString(s.time(at: j)) + "," + SeriesCSV.format(v) + "\n" }
                try writeOutput(text, to: "\(dir)/series-\(i).csv")
            }
        }
        // One series per core, as `models train --all` would: each fit is single-threaded.
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let results = BenchResults(count: series)
        let (_, seconds) = measure {
            DispatchQueue.concurrentPerform(iterations: cores) { worker in
                for i in stride(from: worker, to: all.count, by: cores) {
                    let (outcome, t) = measure { try? BaselineModel.train(series: all[i]) }
                    results.set(i, ms: t * 1000, iterations: outcome?.model?.iterations ?? 0)
                }
            }
        }
        let (serialOutcome, serialSeconds) = try measure { () throws -> Int in
            for s in all.prefix(min(series, 100)) { _ = try BaselineModel.train(series: s) }
            return min(series, 100)
        }
        var perModel = results.ms
        let iterations = results.iterations.reduce(0, +)
        let (online, onlineSeconds) = try measure { try OnlineScorer.score(all[0]) }
        perModel.sort()
        let rate = Double(series) / seconds
        let serialRate = Double(serialOutcome) / serialSeconds
        let p50 = perModel[perModel.count / 2], p95 = perModel[min(perModel.count - 1, perModel.count * 95 / 100)]
        if json {
            print("{\"series\":\(series),\"points\":\(Self.points),\"seconds\":\(seconds),\"seriesPerSecond\":\(rate),"
                + "\"msPerModelMedian\":\(p50),\"msPerModelP95\":\(p95),\"meanIterations\":\(Double(iterations) / Double(series)),"
                + "\"cores\":\(cores),\"serialSeriesPerSecond\":\(serialRate),\"onlineScoringSeconds\":\(onlineSeconds),\"onlineScored\":\(online.filter { $0.status == .scored }.count)}")
        } else {
            print(String(format: "trained %d series of %d points in %.2f s on %d cores: %.0f series/s (one core: %.0f series/s); per model median %.2f ms, p95 %.2f ms; mean IRLS iterations %.1f",
                         series, Self.points, seconds, cores, rate, serialRate, p50, p95, Double(iterations) / Double(series)))
            print(String(format: "online scoring of one 14-day series (%d points, daily retrains): %.3f s", Self.points, onlineSeconds))
        }
    }
}

/// Per-series timings written from several threads, each index by exactly one of them.
final class BenchResults: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var ms: [Double]
    private(set) var iterations: [Int]
    init(count: Int) {
        ms = [Double](repeating: 0, count: count)
        iterations = [Int](repeating: 0, count: count)
    }
    func set(_ i: Int, ms value: Double, iterations n: Int) {
        lock.lock()
        defer { lock.unlock() }
        ms[i] = value
        iterations[i] = n
    }
}

/// SplitMix64: small, fast and the same everywhere, so benchmark series are reproducible.
struct BenchRNG {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func gaussian() -> Double {
        let u = max(unit(), 1e-300), v = unit()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
    /// Knuth's product method below 30, a rounded normal approximation above.
    mutating func poisson(_ lambda: Double) -> Int {
        guard lambda > 0 else { return 0 }
        if lambda > 30 { return max(0, Int((lambda + lambda.squareRoot() * gaussian()).rounded())) }
        let limit = exp(-lambda)
        var k = 0, p = unit()
        while p > limit { k += 1; p *= unit() }
        return k
    }
}
