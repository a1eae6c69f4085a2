import ArgumentParser
import DetectionPacks
import EventStore
import Foundation

struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Load detection packs (models/*.yaml): create or update their metric filters.",
        discussion: "Idempotent: applying a pack again changes nothing and says so. With --backfill the pack's filters also count the stored history.")

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
            if backfill {
                let names = Set(pack.filters.map(\.name))
                let s = try store.backfill(try store.filters().filter { names.contains($0.definition.name) }, sinceMillis: nil, untilMillis: nil)
                print("  backfilled over \(Format.count(s.events)) stored event(s): \(Format.count(s.matches)) match(es) in \(Format.count(s.datapoints)) datapoint(s)")
            }
        }
    }
}
