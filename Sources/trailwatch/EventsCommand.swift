import ArgumentParser
import CloudTrail
import EventStore
import Foundation
import TrailJSON

struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Look at what the store holds.",
        subcommands: [Info.self, Rejects.self])

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time span, counts per account, region and log, top event names, rejects.")

        @OptionGroup var database: DatabaseOption
        @Flag(help: "Print as one JSON object.") var json = false
        @Option(help: ArgumentHelp("How many top event names to list.", valueName: "n")) var top: Int = 10

        func run() throws {
            let store = try database.openExisting()
            let info: StoreInfo
            do { info = try store.info(topNames: top) } catch { throw CLIError("\(database.path): \(error)") }
            if json {
                print(Self.json(info).jsonText(sortedKeys: true))
                return
            }
            func time(_ ms: Int64?) -> String { ms.map { ISO8601.format(millis: $0) } ?? "-" }
            func list(_ counts: [StoreInfo.Count]) -> String {
                counts.isEmpty ? "-" : counts.map { "\($0.key) \(Format.count($0.count))" }.joined(separator: ", ")
            }
            var lines = [
                "Database     \(database.path) (schema v\(info.schemaVersion))",
                "Events       \(Format.count(info.events))" + (info.events > 0 ? "  \(time(info.firstEventMillis)) … \(time(info.lastEventMillis))" : ""),
                "Sources      \(Format.count(info.sources)) file(s)" + (info.partialSources > 0 ? ", \(info.partialSources) partially ingested (re-run ingest to finish)" : ""),
                "Integrity    " + (info.verification.isEmpty ? "not checked (ingest --verify or trailwatch verify)" : list(info.verification)
                    + (info.verification.reduce(0) { $0 + $1.count } < info.sources ? ", \(Format.count(info.sources - info.verification.reduce(0) { $0 + $1.count })) not checked" : "")),
                "Rejects      \(Format.count(info.rejects))" + (info.rejects > 0 ? "  (\(list(info.rejectReasons)))" : ""),
                "Accounts     \(list(info.accounts))",
                "Regions      \(list(info.regions))",
                "Logs         \(list(info.logs))",
                "Top events   \(list(info.topEventNames))",
                "Metrics      \(Format.count(info.metricFilters)) filter(s), \(Format.count(info.metricSeries)) series",
            ]
            var notes: [String] = []
            if info.synthesizedIDs > 0 { notes.append("\(Format.count(info.synthesizedIDs)) without eventID") }
            if info.oversized > 0 { notes.append("\(Format.count(info.oversized)) over 256 KB") }
            if info.logEvents > 0 { notes.append("\(Format.count(info.logEvents)) plain log events") }
            if !notes.isEmpty { lines.append("Notes        " + notes.joined(separator: ", ")) }
            print(lines.joined(separator: "\n"))
        }

        static func json(_ info: StoreInfo) -> JSONValue {
            func counts(_ c: [StoreInfo.Count]) -> JSONValue {
                .object(JSONObject(c.map { ($0.key, .number(Double($0.count))) }))
            }
            return [
                "events": .number(Double(info.events)),
                "firstEventTime": info.firstEventMillis.map { .string(ISO8601.format(millis: $0)) } ?? .null,
                "lastEventTime": info.lastEventMillis.map { .string(ISO8601.format(millis: $0)) } ?? .null,
                "accounts": counts(info.accounts), "regions": counts(info.regions), "logs": counts(info.logs),
                "topEventNames": .array(info.topEventNames.map { ["eventName": .string($0.key), "count": .number(Double($0.count))] }),
                "sources": .number(Double(info.sources)), "partialSources": .number(Double(info.partialSources)),
                "rejects": .number(Double(info.rejects)), "rejectReasons": counts(info.rejectReasons),
                "synthesizedIDs": .number(Double(info.synthesizedIDs)), "oversized": .number(Double(info.oversized)),
                "logEvents": .number(Double(info.logEvents)), "schemaVersion": .number(Double(info.schemaVersion)),
                "verification": counts(info.verification),
                "metricFilters": .number(Double(info.metricFilters)), "metricSeries": .number(Double(info.metricSeries)),
            ]
        }
    }

    struct Rejects: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "What was rejected at ingest, where, and why.")

        @OptionGroup var database: DatabaseOption
        @Flag(help: "Print one JSON object per reject (NDJSON).") var json = false
        @Option(help: ArgumentHelp("Show at most this many.", valueName: "n")) var limit: Int?
        @Flag(help: "Also print the first bytes of each rejected record.") var excerpt = false

        func run() throws {
            let store = try database.openExisting()
            let rejects: [StoredReject]
            do { rejects = try store.rejects(limit: limit) } catch { throw CLIError("\(database.path): \(error)") }
            for r in rejects {
                if json {
                    let v: JSONValue = [
                        "path": .string(r.path), "recordIndex": r.recordIndex.map { .number(Double($0)) } ?? .null,
                        "byteOffset": r.byteOffset.map { .number(Double($0)) } ?? .null,
                        "line": r.line.map { .number(Double($0)) } ?? .null, "reason": .string(r.reason),
                        "excerpt": .string(String(decoding: r.excerpt, as: UTF8.self)),
                        "rejectedAt": .string(ISO8601.format(millis: r.rejectedMillis)),
                    ]
                    print(v.jsonText(sortedKeys: true))
                } else {
                    print("\(Self.location(r)): \(r.reason)")
                    if excerpt && !r.excerpt.isEmpty {
                        print("    " + String(decoding: r.excerpt.prefix(200), as: UTF8.self).replacingOccurrences(of: "\n", with: "\\n"))
                    }
                }
            }
            if !json && rejects.isEmpty { print("no rejects") }
        }

        static func location(_ r: StoredReject) -> String {
            var parts = [r.path]
            if let l = r.line { parts.append("line \(l)") }
            if let i = r.recordIndex { parts.append("record \(i)") }
            if let o = r.byteOffset { parts.append("byte \(o)") }
            return parts.joined(separator: ": ")
        }
    }
}
