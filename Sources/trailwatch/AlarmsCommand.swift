import AlarmActions
import Alarms
import ArgumentParser
import CloudTrail
import EventStore
import Foundation
import TrailJSON

struct AlarmsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alarms",
        abstract: "Metric alarms with CloudWatch's semantics: static thresholds and anomaly bands, actions on state changes.",
        discussion: "See docs/alarms.md. `trailwatch watch` evaluates alarms live as files arrive.",
        subcommands: [Put.self, List.self, Describe.self, Delete.self, History.self, Evaluate.self])

    // MARK: put

    struct Put: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or update an alarm (an update keeps its current state).",
            discussion: """
                Static: --threshold X --comparison (GreaterThanOrEqualToThreshold|GreaterThanThreshold|\
                LessThanThreshold|LessThanOrEqualToThreshold, or >=, >, <, <=). Band: --model NAME \
                [--band K] --comparison (LessThanLowerOrGreaterThanUpperThreshold|GreaterThanUpperThreshold|\
                LessThanLowerThreshold); the model must exist (`trailwatch models train`) and describe \
                the alarm's metric, statistic and period. A dimension value `*` (--dimension InstanceId=*) \
                makes a per-series alarm: every value the metric has is its own series with its own state.
                """)

        @Argument(help: "The alarm name.") var name: String
        @Option(help: ArgumentHelp("The metric, as NAMESPACE/NAME.", valueName: "ns/metric")) var metric: String
        @Option(name: .customLong("dimension"), help: ArgumentHelp("A dimension of the metric (repeatable); value * for one series per value.", valueName: "key=value"))
        var dimensions: [String] = []
        @Option(help: ArgumentHelp("SampleCount, Sum, Average, Minimum or Maximum.", valueName: "stat")) var stat: String
        @Option(help: ArgumentHelp("The period: 1m … 1d (e.g. 60, 5m, 1h).", valueName: "period")) var period: String
        @Option(help: ArgumentHelp("Static threshold.", valueName: "x")) var threshold: Double?
        @Option(help: ArgumentHelp("The comparison operator.", valueName: "op")) var comparison: String
        @Option(help: ArgumentHelp("Band alarms: the trained model.", valueName: "name")) var model: String?
        @Option(help: ArgumentHelp("Band alarms: band width k (expected ± k·σ); default 2.", valueName: "k")) var band: Double?
        @Option(help: ArgumentHelp("N: periods evaluated.", valueName: "n")) var evaluationPeriods: Int
        @Option(help: ArgumentHelp("M of N: breaching datapoints that alarm; default N.", valueName: "m")) var datapointsToAlarm: Int?
        @Option(help: ArgumentHelp("missing (default), notBreaching, breaching or ignore.", valueName: "how")) var treatMissingData: String?
        @Option(name: .customLong("action"), help: ArgumentHelp("stdout, file:PATH, exec:COMMAND or webhook:URL (repeatable).", valueName: "sink"))
        var actions: [String] = []
        @Option(help: ArgumentHelp("Free text sent in notifications.", valueName: "text")) var description: String?
        @Option(help: ArgumentHelp("Extension: at most one ALARM notification per this long (e.g. 1h).", valueName: "duration")) var cooldown: String?
        @Option(help: ArgumentHelp("Extension: after an ALARM notification, stay quiet until out of ALARM this long.", valueName: "duration")) var rearmAfter: String?
        @Option(help: ArgumentHelp("Extension: a period breaches only with at least this many samples.", valueName: "v")) var minimumVolume: Double?
        @OptionGroup var database: DatabaseOption

        func run() throws {
            guard !name.contains("[") else {
                throw CLIError("alarm name '\(name)' contains '[': that is reserved for the series of per-series alarms (NAME[Dim=value])")
            }
            let definition = try AlarmsCommand.definition(
                name: name, metric: metric, dimensions: dimensions, stat: stat, period: period, threshold: threshold,
                comparison: comparison, model: model, band: band, evaluationPeriods: evaluationPeriods,
                datapointsToAlarm: datapointsToAlarm, treatMissingData: treatMissingData, actions: actions,
                description: description, cooldown: cooldown, rearmAfter: rearmAfter, minimumVolume: minimumVolume)
            let store = try database.openOrCreate()
            if let status = try store.bandModelStatus(for: definition) {
                switch status {
                case .ready: break
                case .untrained:
                    StandardError.write("warning: \(status.problem ?? ""); the alarm stays INSUFFICIENT_DATA until it is trained\n")
                case .missing, .mismatch: throw CLIError("alarm '\(name)': \(status.problem ?? "")")
                }
            }
            let existed = try store.alarm(named: name) != nil
            try store.putAlarm(definition, nowMillis: TimeArgument.nowMillis())
            print("\(existed ? "updated" : "created") alarm \(name): \(AlarmsCommand.condition(definition))")
        }
    }

    /// Builds and validates a definition from CLI-style inputs (shared with packs' tests in spirit:
    /// every failure is the engine's own error text).
    static func definition(name: String, metric: String, dimensions: [String], stat: String, period: String, threshold: Double?,
                           comparison: String, model: String?, band: Double?, evaluationPeriods: Int, datapointsToAlarm: Int?,
                           treatMissingData: String?, actions: [String], description: String?, cooldown: String?,
                           rearmAfter: String?, minimumVolume: Double?) throws -> AlarmDefinition {
        guard let slash = metric.lastIndex(of: "/"), slash != metric.startIndex, metric.index(after: slash) != metric.endIndex else {
            throw CLIError("--metric '\(metric)' must be NAMESPACE/NAME")
        }
        var dims: [MetricDimension] = []
        for d in dimensions {
            guard let eq = d.firstIndex(of: "=") else { throw CLIError("--dimension '\(d)' must be KEY=VALUE") }
            dims.append(MetricDimension(name: String(d[..<eq]), value: String(d[d.index(after: eq)...])))
        }
        do {
            let statistic = try AlarmStatistic(parsing: stat)
            if statistic.isPercentile {
                throw CLIError("--stat \(stat): percentiles need raw values; the store keeps per-minute statistic sets (use SampleCount, Sum, Average, Minimum or Maximum)")
            }
            let (op, condition) = try AlarmDefinition.condition(comparison: comparison, threshold: threshold, model: model, bandWidth: band)
            for a in actions {
                do { _ = try ActionSink(parsing: a) } catch { throw CLIError("--action: \(error)") }
            }
            let definition = AlarmDefinition(
                name: name, description: description,
                metric: AlarmMetric(namespace: String(metric[..<slash]), name: String(metric[metric.index(after: slash)...]), dimensions: dims),
                statistic: statistic, periodMillis: try PeriodArgument.parse(period), evaluationPeriods: evaluationPeriods,
                datapointsToAlarm: datapointsToAlarm, comparisonOperator: op, condition: condition,
                treatMissingData: try treatMissingData.map { v throws(AlarmDefinitionError) in try TreatMissingData(parsing: v) } ?? .missing,
                actions: actions,
                notificationPolicy: NotificationPolicy(cooldownMillis: try cooldown.map { try DurationArgument.parse($0, option: "--cooldown") },
                                                       rearmAfterMillis: try rearmAfter.map { try DurationArgument.parse($0, option: "--rearm-after") }),
                minimumVolume: minimumVolume)
            try definition.validate()
            return definition
        } catch let e as AlarmDefinitionError {
            throw CLIError("alarm '\(name)': \(e)")
        }
    }

    // MARK: list

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Alarms with their current state.")
        @Flag(help: "Also list each series of per-series alarms.") var series = false
        @Flag(help: "Print a JSON array.") var json = false
        @OptionGroup var database: DatabaseOption

        func run() throws {
            let store = try database.openExisting()
            let all = try store.alarms()
            let templates = Set(all.filter(\.definition.isTemplate).map(\.definition.name))
            let shown = series ? all : all.filter { !store.isSeriesAlarm($0.definition.name, templates: templates) }
            if json {
                func seriesCount(_ a: StoredAlarm) -> Int? {
                    guard a.definition.isTemplate else { return nil }
                    return all.filter { $0.definition.name.hasPrefix(a.definition.name + "[") && store.isSeriesAlarm($0.definition.name, templates: templates) }.count
                }
                print(JSONValue.array(shown.map { AlarmsCommand.summaryJSON($0, seriesCount: seriesCount($0)) }).jsonText())
                return
            }
            if shown.isEmpty { print("no alarms (create one with `trailwatch alarms put` or apply a pack)"); return }
            let rows = shown.map { a -> [String] in
                [a.definition.name, a.status.state.rawValue, AlarmsCommand.metricLabel(a.definition), AlarmsCommand.condition(a.definition),
                 a.status.stateUpdatedMillis.map { ISO8601.format(millis: $0) } ?? "-"]
            }
            AlarmsCommand.printTable(header: ["NAME", "STATE", "METRIC", "CONDITION", "LAST CHANGE"], rows: rows)
        }
    }

    // MARK: describe

    struct Describe: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "An alarm's definition, state and reason.")
        @Argument(help: "The alarm name.") var name: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var database: DatabaseOption

        func run() throws {
            let store = try database.openExisting()
            let a = try AlarmsCommand.require(store, name)
            let modelProblem = try store.bandModelStatus(for: a.definition)?.problem
            let series = a.definition.isTemplate ? try store.seriesAlarms(of: name) : []
            if json {
                var o = AlarmsCommand.summaryJSON(a, seriesCount: a.definition.isTemplate ? series.count : nil).objectValue ?? JSONObject([])
                var def = a.definition
                def.actions = def.actions.map(AlarmsCommand.redacted)
                o["definition"] = try AlarmsCommand.encoded(def)
                o["status"] = try AlarmsCommand.encoded(a.status)
                o["modelProblem"] = modelProblem.map(JSONValue.string) ?? .null
                if a.definition.isTemplate {
                    o["series"] = .array(series.map { .object(JSONObject([("name", .string($0.definition.name)), ("state", .string($0.status.state.rawValue))])) })
                }
                print(JSONValue.object(o).jsonText())
                return
            }
            let d = a.definition
            print("\(d.name)  \(a.status.state.rawValue)")
            if let desc = d.description { print("  description:   \(desc)") }
            print("  metric:        \(AlarmsCommand.metricLabel(d))")
            print("  condition:     \(AlarmsCommand.condition(d))")
            print("  missing data:  \(d.treatMissingData.rawValue)")
            if let v = d.minimumVolume { print("  minimum volume: \(JSONValue.formatNumber(v)) samples per period") }
            if let c = d.notificationPolicy.cooldownMillis { print("  cool-down:     \(DurationArgument.text(c))") }
            if let r = d.notificationPolicy.rearmAfterMillis { print("  re-arm after:  \(DurationArgument.text(r))") }
            print("  actions:       \(d.actions.isEmpty ? "none" : d.actions.map(AlarmsCommand.redacted).joined(separator: ", "))\(d.actionsEnabled ? "" : " (disabled)")")
            if let modelProblem { print("  model:         \(modelProblem); evaluates to INSUFFICIENT_DATA") }
            print("  state since:   \(a.status.stateUpdatedMillis.map { ISO8601.format(millis: $0) } ?? "never evaluated")")
            print("  evaluated to:  \(a.status.lastEvaluationMillis.map { ISO8601.format(millis: $0) } ?? "-")")
            print("  reason:        \(a.status.stateReason)")
            for s in series { print("    \(s.definition.name)  \(s.status.state.rawValue)") }
        }
    }

    // MARK: delete

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an alarm (and, for a per-series alarm, its series) with its history.")
        @Argument(help: "The alarm name.") var name: String
        @OptionGroup var database: DatabaseOption

        func run() throws {
            let store = try database.openExisting()
            _ = try AlarmsCommand.require(store, name)
            let n = try store.deleteAlarmAndSeries(named: name)
            print("deleted alarm \(name)" + (n > 1 ? " and \(n - 1) series" : ""))
        }
    }

    // MARK: history

    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "An alarm's history: configuration updates, state changes with reasons, action results.",
            discussion: "Secrets in sink URLs are redacted before they are stored; nothing here prints them.")
        @Argument(help: "The alarm name.") var name: String
        @Option(help: ArgumentHelp("Only the newest N entries.", valueName: "n")) var limit: Int?
        @Flag(help: "Print a JSON array (oldest first).") var json = false
        @OptionGroup var database: DatabaseOption

        func run() throws {
            let store = try database.openExisting()
            _ = try AlarmsCommand.require(store, name)
            let items = try store.alarmHistory(name: name, limit: limit)
            if json {
                print(JSONValue.array(try items.map { try AlarmsCommand.encoded($0) }).jsonText())
                return
            }
            for item in items {
                print("\(ISO8601.format(millis: item.timestampMillis))  \(item.kind.rawValue)  \(item.summary)")
                if let reason = item.reason { print("    \(reason)") }
                for r in item.actionResults {
                    print("    \(r.outcome == .ok ? "ok" : "FAILED")  \(r.sink)  \(r.detail)  (\(r.attempts) attempt\(r.attempts == 1 ? "" : "s"), \(r.durationMillis) ms)")
                }
            }
        }
    }

    // MARK: evaluate

    struct Evaluate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay alarms over the stored history, period by period, and print their state timelines.",
            discussion: """
                Each alarm starts from INSUFFICIENT_DATA and is evaluated at the end of every period in \
                (start, end]; only complete periods are evaluated (a period is complete when its end is \
                at or before the newest stored event). A dry run unless --fire: then the actions run for \
                announced transitions (payload with the top contributors of the breaching periods), the \
                history is recorded and the final state is kept, so `watch` continues after end.
                """)
        @Argument(help: "Alarms to evaluate (default: all).") var names: [String] = []
        @Option(parsing: .unconditional, help: ArgumentHelp("From (ISO-8601, or relative like -7d). Default: the oldest event.", valueName: "time")) var start: String?
        @Option(parsing: .unconditional, help: ArgumentHelp("Until. Default: the end of the newest complete period.", valueName: "time")) var end: String?
        @Flag(help: "Run the actions, record history and keep the final state.") var fire = false
        @Option(name: .customLong("action"), help: ArgumentHelp("With --fire: add a sink to every alarm for this run (repeatable).", valueName: "sink"))
        var actions: [String] = []
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var database: DatabaseOption

        func validate() throws {
            if !actions.isEmpty && !fire { throw ValidationError("--action needs --fire (a dry run runs no actions)") }
            for a in actions {
                do { _ = try ActionSink(parsing: a) } catch { throw ValidationError("--action: \(error)") }
            }
        }

        func run() throws {
            let store = try database.openExisting()
            let now = TimeArgument.nowMillis()
            let from = try start.map { try TimeArgument.parse($0, now: now) }
            let until = try end.map { try TimeArgument.parse($0, now: now) }
            let all = try store.alarms()
            let templates = Set(all.filter(\.definition.isTemplate).map(\.definition.name))
            let selected: [String]
            if names.isEmpty {
                selected = all.map(\.definition.name).filter { !store.isSeriesAlarm($0, templates: templates) }
            } else {
                for n in names { _ = try AlarmsCommand.require(store, n) }
                selected = names
            }
            var options = AlarmRunOptions(deliver: { ActionDispatcher().deliver($0, to: $1) })
            options.extraSinks = actions
            var out: [JSONValue] = []
            for name in selected {
                let stored = try AlarmsCommand.require(store, name)
                let modelProblem = try store.bandModelStatus(for: stored.definition)?.problem
                // Only complete periods: clamp the end to the newest complete period.
                let complete = try store.completePeriodEnd(periodMillis: stored.definition.periodMillis)
                let to = until.map { u in complete.map { min(u, $0) } ?? u } ?? complete
                if fire {
                    let results = try store.fireAlarm(named: name, from: from, to: to, options: options, nowMillis: now)
                    for r in results {
                        out.append(AlarmsCommand.timelineJSON(r.definition, changes: r.changes, evaluations: r.evaluations, from: r.fromMillis,
                                                              to: r.toMillis, final: r.finalStatus, deliveries: r.deliveries, modelProblem: modelProblem))
                        if !json { AlarmsCommand.printTimeline(r.definition, changes: r.changes, evaluations: r.evaluations, from: r.fromMillis,
                                                               to: r.toMillis, deliveries: r.deliveries, modelProblem: modelProblem) }
                    }
                } else {
                    for r in try store.backtestAlarmSeries(named: name, from: from, to: to) {
                        out.append(AlarmsCommand.timelineJSON(r.definition, changes: r.timeline.changes, evaluations: r.timeline.evaluations,
                                                              from: r.fromMillis, to: r.toMillis, final: r.timeline.finalStatus, deliveries: nil,
                                                              modelProblem: modelProblem))
                        if !json { AlarmsCommand.printTimeline(r.definition, changes: r.timeline.changes, evaluations: r.timeline.evaluations,
                                                               from: r.fromMillis, to: r.toMillis, deliveries: nil, modelProblem: modelProblem) }
                    }
                }
            }
            if json { print(JSONValue.array(out).jsonText()) }
        }
    }

    // MARK: Rendering

    static func require(_ store: TrailStore, _ name: String) throws -> StoredAlarm {
        do { return try store.storedAlarm(named: name) } catch { throw CLIError("\(error)") }
    }

    static func redacted(_ sink: String) -> String {
        (try? ActionSink(parsing: sink).description) ?? Redaction.redactURLs(in: sink)
    }

    static func metricLabel(_ d: AlarmDefinition) -> String {
        "\(d.metric.namespace)/\(d.metric.name)" + (d.metric.dimensions.isEmpty ? "" : " " + d.metric.dimensions.map { "\($0.name)=\($0.value)" }.joined(separator: ","))
    }

    static let symbols: [ComparisonOperator: String] = [
        .greaterThanOrEqualToThreshold: ">=", .greaterThanThreshold: ">", .lessThanThreshold: "<", .lessThanOrEqualToThreshold: "<=",
        .lessThanLowerOrGreaterThanUpperThreshold: "outside", .greaterThanUpperThreshold: "above", .lessThanLowerThreshold: "below",
    ]

    /// `Sum >= 1 per 5m, 1 of 1` or `Sum outside band(model, 2) per 1h, 2 of 3`.
    static func condition(_ d: AlarmDefinition) -> String {
        let op = symbols[d.comparisonOperator] ?? d.comparisonOperator.rawValue
        let rhs: String
        switch d.condition {
        case .threshold(let t): rhs = JSONValue.formatNumber(t)
        case .band(let b): rhs = "band(\(b.model), \(JSONValue.formatNumber(b.width)))"
        }
        var text = "\(d.statistic.description) \(op) \(rhs) per \(DurationArgument.text(d.periodMillis)), \(d.effectiveDatapointsToAlarm) of \(d.evaluationPeriods)"
        if let v = d.minimumVolume { text += ", volume >= \(JSONValue.formatNumber(v))" }
        return text
    }

    static func summaryJSON(_ a: StoredAlarm, seriesCount: Int?) -> JSONValue {
        let d = a.definition
        var members: [(String, JSONValue)] = [
            ("name", .string(d.name)), ("state", .string(a.status.state.rawValue)),
            ("metric", .object(JSONObject([("namespace", .string(d.metric.namespace)), ("name", .string(d.metric.name)),
                                           ("dimensions", .object(JSONObject(d.metric.dimensions.map { ($0.name, .string($0.value)) })))]))),
            ("statistic", .string(d.statistic.description)), ("period", .number(Double(d.periodMillis / 1000))),
            ("comparison", .string(d.comparisonOperator.rawValue)), ("condition", .string(condition(d))),
            ("stateReason", .string(a.status.stateReason)),
            ("lastChange", a.status.stateUpdatedMillis.map { .string(ISO8601.format(millis: $0)) } ?? .null),
            ("lastEvaluation", a.status.lastEvaluationMillis.map { .string(ISO8601.format(millis: $0)) } ?? .null),
        ]
        if let seriesCount { members.append(("seriesCount", .number(Double(seriesCount)))) }
        return .object(JSONObject(members))
    }

    static func encoded(_ value: some Encodable) throws -> JSONValue {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return try JSONValue.parse(String(decoding: try e.encode(value), as: UTF8.self))
    }

    static func timelineJSON(_ d: AlarmDefinition, changes: [AlarmEvaluation], evaluations: Int, from: Int64, to: Int64, final: AlarmStatus,
                             deliveries: [AlarmDelivery]?, modelProblem: String?) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("alarm", .string(d.name)), ("from", .string(ISO8601.format(millis: from))), ("to", .string(ISO8601.format(millis: to))),
            ("evaluations", .number(Double(evaluations))),
            ("changes", .array(changes.filter(\.transitioned).map { e in
                .object(JSONObject([("time", .string(ISO8601.format(millis: e.evaluatedAtMillis))), ("oldState", .string(e.previousState.rawValue)),
                                    ("newState", .string(e.newState.rawValue)), ("reason", .string(e.reason)),
                                    ("notified", .bool(e.notification != nil))]))
            })),
            ("finalState", .string(final.state.rawValue)),
        ]
        if let modelProblem { members.append(("modelProblem", .string(modelProblem))) }
        if let deliveries {
            members.append(("notifications", .array(deliveries.map { del in
                .object(JSONObject([("time", .string(del.notification.stateChangeTime)), ("oldState", .string(del.notification.oldStateValue.rawValue)),
                                    ("newState", .string(del.notification.newStateValue.rawValue)),
                                    ("results", .array(del.results.map { r in
                                        .object(JSONObject([("sink", .string(r.sink)), ("outcome", .string(r.outcome.rawValue)), ("detail", .string(r.detail))]))
                                    }))]))
            })))
        }
        return .object(JSONObject(members))
    }

    static func printTimeline(_ d: AlarmDefinition, changes: [AlarmEvaluation], evaluations: Int, from: Int64, to: Int64,
                              deliveries: [AlarmDelivery]?, modelProblem: String?) {
        let transitions = changes.filter(\.transitioned)
        print("\(d.name): \(condition(d)); \(evaluations) evaluation\(evaluations == 1 ? "" : "s") \(ISO8601.format(millis: from)) … \(ISO8601.format(millis: to)), \(transitions.count) change\(transitions.count == 1 ? "" : "s")")
        if let modelProblem { print("  note: \(modelProblem); the band is unknown, so the alarm stays INSUFFICIENT_DATA") }
        for e in transitions {
            print("  \(ISO8601.format(millis: e.evaluatedAtMillis))  \(e.previousState.rawValue) → \(e.newState.rawValue)  \(e.reason)")
        }
        for del in deliveries ?? [] {
            for r in del.results {
                print("  sent \(del.notification.oldStateValue.rawValue) → \(del.notification.newStateValue.rawValue) to \(r.sink): \(r.outcome == .ok ? "ok" : "FAILED") (\(r.detail))")
            }
        }
    }

    static func printTable(header: [String], rows: [[String]]) {
        let all = [header] + rows
        let widths = header.indices.map { i in all.map { $0[i].count }.max() ?? 0 }
        for row in all {
            print(row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  "))
        }
    }
}

extension DurationArgument {
    /// `5m`, `1h`, `1d`, `90s`: the largest unit that divides exactly.
    static func text(_ millis: Int64) -> String { ModelRecord.periodText(millis) }
}
