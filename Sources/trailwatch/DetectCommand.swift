import ArgumentParser
import Baselines
import CloudTrail
import EventStore
import Foundation
import TrailJSON

/// `trailwatch detect`: every anomaly of every trained model, ranked, with the events behind it.
struct DetectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Rank anomalies across all trained models, with the principals, IPs and events behind each.",
        discussion: """
            Each trained model scores its metric from --since, or by default from the end of its \
            training window when newer data exist, else over the last 7 days of its data. \
            Consecutive periods outside the band form one interval; intervals are ranked by peak \
            score (0–1), then by length. For each, the stored events in the interval that the \
            metric's own filters count are summarised: the top 3 principals (userIdentity ARN), \
            source IPs and event names, with counts.
            """)

    @Option(parsing: .unconditional, help: ArgumentHelp("Score from (ISO-8601, or relative like -7d).", valueName: "time")) var since: String?
    @Option(help: ArgumentHelp("Only intervals whose peak scores at least this (0–1).", valueName: "score")) var minScore = 0.0
    @Option(help: ArgumentHelp("table, json or csv.", valueName: "format")) var format = "table"
    @Option(help: ArgumentHelp("Show at most this many intervals (table only; json and csv list all).", valueName: "n")) var limit = 20
    @OptionGroup var database: DatabaseOption

    func validate() throws {
        guard ["table", "json", "csv"].contains(format) else { throw ValidationError("--format must be table, json or csv") }
        guard minScore >= 0, minScore <= 1 else { throw ValidationError("--min-score must be in [0, 1]") }
        guard limit > 0 else { throw ValidationError("--limit must be positive") }
    }

    func run() throws {
        let store = try database.openExisting()
        let sinceMillis = try since.map { try TimeArgument.parse($0) }
        let records = try ModelsCommand.wrap { try store.models() }
        if records.isEmpty { throw CLIError("no models to detect with (train them with `trailwatch models train --all`)") }
        let found = try ModelsCommand.wrap { try store.detect(sinceMillis: sinceMillis, minScore: minScore) }
        switch format {
        case "json":
            print(JSONValue.array(found.map(Self.json)).jsonText())
        case "csv":
            print("model,namespace,metric,dimensions,start,end,peakTime,peakValue,expected,score,points,topPrincipals,topSourceIPs,topEventNames")
            for d in found {
                let dims = d.metric.dimensions.map { "\($0.name)=\($0.value)" }.joined(separator: ";")
                let fields = [d.model, d.metric.namespace, d.metric.name, dims, ISO8601.format(millis: d.interval.startMillis),
                              ISO8601.format(millis: d.interval.endMillis), ISO8601.format(millis: d.interval.peakMillis),
                              JSONValue.formatNumber(d.interval.peakValue), ModelsCommand.text(d.interval.expectedAtPeak, places: 6),
                              ModelsCommand.text(d.interval.peakScore, places: 6), String(d.interval.points),
                              Self.joined(d.contributors.principals), Self.joined(d.contributors.sourceIPs), Self.joined(d.contributors.eventNames)]
                print(fields.map(Self.csvField).joined(separator: ","))
            }
        default:
            let trained = records.filter { $0.model != nil }.count
            if found.isEmpty {
                print("no anomalies in \(trained) trained model(s)\(minScore > 0 ? " at score ≥ \(minScore)" : "")")
                return
            }
            print("\(found.count) anomalous interval(s) across \(Set(found.map(\.model)).count) of \(trained) trained model(s)\(found.count > limit ? "; top \(limit):" : ":")")
            for (rank, d) in found.prefix(limit).enumerated() {
                let i = d.interval
                print("")
                print("\(rank + 1). \(d.metric.label)  score \(String(format: "%.4f", i.peakScore))  [\(d.model)]")
                print("   \(ISO8601.format(millis: i.startMillis)) … \(ISO8601.format(millis: i.endMillis))  (\(i.points) period(s))  "
                      + "peak \(ModelsCommand.text(i.peakValue)) at \(ISO8601.format(millis: i.peakMillis)) vs expected \(ModelsCommand.text(i.expectedAtPeak)) "
                      + "(\(String(format: "%+.1f", d.peakSigmas))σ)")
                if d.contributors.events == 0 {
                    print("   no stored events match the metric's filters in the interval")
                } else {
                    print("   principals  \(Self.joined(d.contributors.principals, separator: ", "))")
                    print("   source IPs  \(Self.joined(d.contributors.sourceIPs, separator: ", "))")
                    print("   events      \(Self.joined(d.contributors.eventNames, separator: ", "))")
                }
            }
        }
    }

    static func json(_ d: Detection) -> JSONValue {
        func list(_ c: [Contributor]) -> JSONValue { .array(c.map { ["value": .string($0.value), "count": .number(Double($0.count))] }) }
        return [
            "model": .string(d.model), "namespace": .string(d.metric.namespace), "metric": .string(d.metric.name),
            "dimensions": ModelsCommand.dimensionsJSON(d.metric),
            "start": .string(ISO8601.format(millis: d.interval.startMillis)), "end": .string(ISO8601.format(millis: d.interval.endMillis)),
            "peakTime": .string(ISO8601.format(millis: d.interval.peakMillis)), "peakValue": .number(d.interval.peakValue),
            "expected": ModelsCommand.number(d.interval.expectedAtPeak), "score": ModelsCommand.number(d.interval.peakScore),
            "points": .number(Double(d.interval.points)),
            "topPrincipals": list(d.contributors.principals), "topSourceIPs": list(d.contributors.sourceIPs),
            "topEventNames": list(d.contributors.eventNames),
        ]
    }

    static func joined(_ c: [Contributor], separator: String = "; ") -> String {
        c.isEmpty ? "-" : c.map { "\($0.value) (\($0.count))" }.joined(separator: separator)
    }

    static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
