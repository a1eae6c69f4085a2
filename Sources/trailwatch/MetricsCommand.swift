import ArgumentParser
import CloudTrail
import EventStore
import FilterPatterns
import Foundation
import TrailJSON

struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Metric series counted by metric filters.",
        subcommands: [List.self, Get.self])

    static func label(_ key: MetricKey) -> String {
        "\(key.namespace)/\(key.name)" + (key.dimensions.isEmpty ? "" : " " + key.dimensions.map { "\($0.name)=\($0.value)" }.joined(separator: ","))
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List metrics with their dimensions and time span.")
        @OptionGroup var database: DatabaseOption
        @Flag(help: "Print a JSON array.") var json = false

        func run() throws {
            let metrics = try database.openExisting().metrics()
            if json {
                print(JSONValue.array(metrics.map { m in
                    [
                        "namespace": .string(m.key.namespace), "name": .string(m.key.name),
                        "dimensions": .object(JSONObject(m.key.dimensions.map { ($0.name, .string($0.value)) })),
                        "samples": .number(Double(m.samples)), "minutes": .number(Double(m.minutes)),
                        "first": .string(ISO8601.format(millis: m.firstMillis)), "last": .string(ISO8601.format(millis: m.lastMillis)),
                    ]
                }).jsonText())
                return
            }
            if metrics.isEmpty { print("no metrics (add a filter with `trailwatch filters put`, then ingest or backfill)"); return }
            for m in metrics {
                print("\(MetricsCommand.label(m.key))  \(Format.count(m.samples)) sample(s)  \(ISO8601.format(millis: m.firstMillis)) … \(ISO8601.format(millis: m.lastMillis))")
            }
        }
    }

    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A metric's datapoints for a period and statistic.",
            discussion: """
                Periods are aligned to the epoch (5m periods start at :00, :05, …). Without --fill, \
                periods with no datapoint are absent, as in CloudWatch; --fill V gives them value V.
                """)

        @Argument(help: ArgumentHelp("The metric, as NAMESPACE/NAME.", valueName: "namespace/name")) var metric: String
        @Option(name: .customLong("dimension"), help: ArgumentHelp("A dimension of the metric (all of them identify it).", valueName: "key=value"))
        var dimensions: [String] = []
        @Option(help: ArgumentHelp("The period: 1m … 1d (e.g. 60, 5m, 1h).", valueName: "period")) var period = "5m"
        @Option(help: ArgumentHelp("SampleCount, Sum, Average, Minimum or Maximum.", valueName: "stat")) var stat = "Sum"
        @Option(parsing: .unconditional, help: ArgumentHelp("From (ISO-8601, or relative like -7d).", valueName: "time")) var start: String?
        @Option(parsing: .unconditional, help: ArgumentHelp("Until (exclusive).", valueName: "time")) var end: String?
        @Option(help: ArgumentHelp("table, json or csv.", valueName: "format")) var format = "table"
        @Option(help: ArgumentHelp("Value for periods without datapoints.", valueName: "value")) var fill: Double?
        @OptionGroup var database: DatabaseOption

        func validate() throws {
            guard ["table", "json", "csv"].contains(format) else { throw ValidationError("--format must be table, json or csv") }
            guard Statistic(rawValue: stat) != nil else {
                throw ValidationError("--stat must be one of \(Statistic.allCases.map(\.rawValue).joined(separator: ", ")) (percentiles need raw values, which statistic sets do not keep)")
            }
        }

        func run() throws {
            guard let slash = metric.lastIndex(of: "/"), slash != metric.startIndex, metric.index(after: slash) != metric.endIndex else {
                throw CLIError("metric '\(metric)' must be NAMESPACE/NAME")
            }
            var dims: [FilterPatterns.Dimension] = []
            for d in dimensions {
                guard let eq = d.firstIndex(of: "=") else { throw CLIError("--dimension '\(d)' must be KEY=VALUE") }
                dims.append(FilterPatterns.Dimension(name: String(d[..<eq]), value: String(d[d.index(after: eq)...])))
            }
            let key = MetricKey(namespace: String(metric[..<slash]), name: String(metric[metric.index(after: slash)...]), dimensions: dims)
            let periodMillis = try PeriodArgument.parse(period)
            let statistic = Statistic(rawValue: stat)!
            let store = try database.openExisting()
            let startMillis = try start.map { try TimeArgument.parse($0) }
            let endMillis = try end.map { try TimeArgument.parse($0) }
            let sets = try store.series(key, periodMillis: periodMillis, startMillis: startMillis, endMillis: endMillis)
            if sets.isEmpty && fill == nil, !(try store.metrics().contains { $0.key.namespace == key.namespace && $0.key.name == key.name && $0.key.dimensions == key.dimensions }) {
                throw CLIError("no metric \(MetricsCommand.label(key)); see `trailwatch metrics list`")
            }
            var points = sets.map { ($0.0, $0.1.value(of: statistic)) }
            if let fill {
                let aligned: Int64? = startMillis.map { (s: Int64) -> Int64 in s - ((s % periodMillis) + periodMillis) % periodMillis }
                let first: Int64? = aligned ?? sets.first?.0
                let last: Int64? = endMillis ?? sets.last.map { $0.0 + periodMillis }
                if let first, let last, last > first, (last - first) / periodMillis <= 1_000_000 {
                    var known: [Int64: Double] = [:]
                    for (t, v) in points { known[t] = v }
                    var filled: [(Int64, Double)] = []
                    var t = first
                    while t < last {
                        filled.append((t, known[t] ?? fill))
                        t += periodMillis
                    }
                    points = filled
                }
            }
            switch format {
            case "json":
                print(JSONValue.object(JSONObject([
                    ("namespace", .string(key.namespace)), ("name", .string(key.name)),
                    ("dimensions", .object(JSONObject(key.dimensions.map { ($0.name, .string($0.value)) }))),
                    ("stat", .string(statistic.rawValue)), ("period", .number(Double(periodMillis / 1000))),
                    ("datapoints", .array(points.map { ["timestamp": .string(ISO8601.format(millis: $0.0)), "value": .number($0.1)] })),
                ])).jsonText())
            case "csv":
                print("timestamp,\(statistic.rawValue)")
                for (t, v) in points { print("\(ISO8601.format(millis: t)),\(JSONValue.formatNumber(v))") }
            default:
                print("\(MetricsCommand.label(key))  \(statistic.rawValue) per \(period), \(points.count) datapoint(s)")
                if !points.isEmpty {
                    print(Sparkline.render(points.map(\.1), width: 72))
                    let lo = points.map(\.1).min()!, hi = points.map(\.1).max()!
                    print("min \(JSONValue.formatNumber(lo))  max \(JSONValue.formatNumber(hi))  \(ISO8601.format(millis: points.first!.0)) … \(ISO8601.format(millis: points.last!.0))")
                }
                for (t, v) in points { print("\(ISO8601.format(millis: t))  \(JSONValue.formatNumber(v))") }
            }
        }
    }
}

/// One-line charts for the terminal: each column is the maximum of the values it covers, so a
/// spike never disappears when a long series is squeezed into the width.
enum Sparkline {
    static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    static func render(_ values: [Double], width: Int) -> String {
        guard !values.isEmpty, width > 0 else { return "" }
        let columns = min(width, values.count)
        var cells: [Double] = []
        for c in 0..<columns {
            let from = c * values.count / columns, to = max(from + 1, (c + 1) * values.count / columns)
            cells.append(values[from..<to].max()!)
        }
        let lo = cells.min()!, hi = cells.max()!
        guard hi > lo else { return String(repeating: blocks[hi > 0 ? 3 : 0], count: columns) }
        return String(cells.map { blocks[min(blocks.count - 1, Int(($0 - lo) / (hi - lo) * Double(blocks.count - 1) + 0.5))] })
    }
}
