import ArgumentParser
import DetectionPacks
import EventStore
import Foundation

struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Load detection packs (models/*.yaml): create or update their metric filters and alarms.",
        discussion: "Idempotent: applying a pack again changes nothing and says so; an updated alarm keeps its state. With --backfill the pack's filters also count the stored history. A band alarm whose model is not trained yet stays INSUFFICIENT_DATA until `trailwatch models train` creates it.")

    @Argument(help: ArgumentHelp("Pack files (YAML).", valueName: "file")) var files: [String]
    @Flag(help: "Count the stored history with the pack's filters.") var backfill = false
    @OptionGroup var database: DatabaseOption

    func run() throws {
        var packs: [DetectionPack] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("\(file): cannot read file") }
            do { packs.append(try DetectionPack(yaml: String(decoding: data, as: UTF8.self), file: file)) } catch { throw CLIError("\(error)") }
        }
        let store = try database.openOrCreate()
        let now = TimeArgument.nowMillis()
        for pack in packs {
            var counts: [PutOutcome: Int] = [:]
            for f in pack.filters {
                let outcome = try store.putFilter(f, nowMillis: now)
                counts[outcome, default: 0] += 1
                if outcome != .unchanged { print("  \(outcome.rawValue) \(f.name) → \(f.namespace)/\(f.metricName)") }
            }
            print("\(pack.name): \(counts[.created] ?? 0) created, \(counts[.updated] ?? 0) updated, \(counts[.unchanged] ?? 0) unchanged")
            if !pack.alarms.isEmpty {
                var alarmCounts: [PutOutcome: Int] = [:]
                for a in pack.alarms {
                    let existing = try store.alarm(named: a.name)
                    let outcome: PutOutcome = existing == nil ? .created : existing?.definition == a ? .unchanged : .updated
                    if outcome != .unchanged {
                        try store.putAlarm(a, nowMillis: now)
                        print("  \(outcome.rawValue) alarm \(a.name): \(AlarmsCommand.condition(a))")
                    }
                    if let problem = try store.bandModelStatus(for: a)?.problem {
                        print("  note: alarm \(a.name): \(problem); it stays INSUFFICIENT_DATA until then")
                    }
                    alarmCounts[outcome, default: 0] += 1
                }
                print("\(pack.name) alarms: \(alarmCounts[.created] ?? 0) created, \(alarmCounts[.updated] ?? 0) updated, \(alarmCounts[.unchanged] ?? 0) unchanged")
            }
            if backfill {
                let names = Set(pack.filters.map(\.name))
                let s = try store.backfill(try store.filters().filter { names.contains($0.definition.name) }, sinceMillis: nil, untilMillis: nil)
                print("  backfilled over \(Format.count(s.events)) stored event(s): \(Format.count(s.matches)) match(es) in \(Format.count(s.datapoints)) datapoint(s)")
            }
        }
    }
}
