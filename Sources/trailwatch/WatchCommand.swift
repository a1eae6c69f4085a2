import AlarmActions
import Alarms
import ArgumentParser
import CloudTrail
import Dispatch
import EventStore
import Foundation
import Logging
import Ingest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Follow a trail folder: ingest new files, retrain band models, evaluate alarms, fire actions.",
        discussion: """
            Each cycle: find files not yet read (same path and size as a stored file: skipped without \
            hashing), ingest them (metric filters count the new events), retrain the models of band \
            alarms whose training window ended more than --retrain before the newest event, and \
            evaluate every alarm at each complete period since its last evaluation (a period is \
            complete when its end is at or before the newest stored event: CloudTrail delivers \
            late). Actions run on announced transitions only. Alarm states, history and the position \
            are in the database, so a restart continues where it stopped and sends nothing twice. \
            SIGINT/SIGTERM stop it between files and steps, exit status 0. Logs (swift-log) go to stderr, one line per step; TRAILWATCH_LOG_LEVEL=debug|info|warning|… sets the level.
            """)

    @Argument(help: ArgumentHelp("The trail folder (S3 layout or any tree of .json/.json.gz files).", valueName: "dir")) var dir: String
    @Option(help: ArgumentHelp("Time between cycles.", valueName: "duration")) var interval = "60s"
    @Flag(help: "Run one cycle and exit (cron, tests).") var once = false
    @Option(name: .customLong("action"), help: ArgumentHelp("Add a sink to every alarm for this run (repeatable).", valueName: "sink"))
    var actions: [String] = []
    @Option(help: ArgumentHelp("Retrain band models whose window ended longer ago than this (e.g. 24h).", valueName: "duration")) var retrain = "24h"
    @Option(help: ArgumentHelp("Files ingested per step (signals are honoured between steps).", valueName: "n")) var filesPerStep = 32
    @OptionGroup var database: DatabaseOption

    func validate() throws {
        for a in actions {
            do { _ = try ActionSink(parsing: a) } catch { throw ValidationError("--action: \(error)") }
        }
        guard filesPerStep > 0 else { throw ValidationError("--files-per-step must be positive") }
    }

    func run() throws {
        let intervalMillis = try DurationArgument.parse(interval, option: "--interval")
        let retrainMillis = try DurationArgument.parse(retrain, option: "--retrain")
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw CLIError("\(dir): not a directory")
        }
        // One spelling per file across runs: the known-file check compares stored paths.
        let root = URL(fileURLWithPath: dir).standardizedFileURL.path
        let stop = StopSignal.install()
        let store = try database.openOrCreate()
        let watcher = Watcher(store: store, root: root, extraSinks: actions, retrainMillis: retrainMillis, filesPerStep: filesPerStep, stop: stop)
        WatchLog.line("watching \(root) every \(DurationArgument.text(intervalMillis))\(once ? " (once)" : ""); database \(database.path)")
        while true {
            let (_, seconds) = try measure { try watcher.cycle() }
            WatchLog.line("cycle done in \(String(format: "%.3f", seconds)) s")
            if once || stop.requested { break }
            // Sleep in slices so a signal is honoured within a fraction of a second.
            let deadline = Date().addingTimeInterval(Double(intervalMillis) / 1000)
            while Date() < deadline && !stop.requested { Thread.sleep(forTimeInterval: 0.1) }
            if stop.requested { break }
        }
        if let signal = stop.signalName { WatchLog.line("stopped on \(signal); state saved") }
    }
}

/// One watch cycle's steps over a store; each step leaves the store consistent, so stopping
/// between any two loses nothing.
final class Watcher {
    let store: TrailStore
    let root: String
    let extraSinks: [String]
    let retrainMillis: Int64
    let filesPerStep: Int
    let stop: StopSignal

    init(store: TrailStore, root: String, extraSinks: [String], retrainMillis: Int64, filesPerStep: Int, stop: StopSignal) {
        self.store = store
        self.root = root
        self.extraSinks = extraSinks
        self.retrainMillis = retrainMillis
        self.filesPerStep = filesPerStep
        self.stop = stop
    }

    func cycle() throws {
        try ingestNewFiles()
        if stop.requested { return }
        try retrainModels()
        if stop.requested { return }
        try evaluateAlarms()
        try store.setWatchState("lastCycleMillis", String(TimeArgument.nowMillis()))
    }

    func ingestNewFiles() throws {
        let discovery: Discovery
        do { discovery = try InputDiscovery.discover([root]) } catch { throw CLIError("\(root): \(error)") }
        let known = try store.completedSourcePathsAndSizes()
        let fresh = discovery.files.filter { !known.contains(SourcePathAndSize(path: $0.path, size: $0.size)) }.sorted { $0.path < $1.path }
        if fresh.isEmpty {
            WatchLog.line("no new files (\(discovery.files.count) known)")
            return
        }
        var index = 0
        while index < fresh.count {
            if stop.requested {
                WatchLog.line("stop requested: \(fresh.count - index) file(s) left for the next run")
                return
            }
            let step = Array(fresh[index..<min(index + filesPerStep, fresh.count)])
            let summary = try Ingestor(store: store).run(paths: step.map(\.path))
            index += step.count
            WatchLog.line("ingested \(summary.filesRead) file(s) (\(summary.filesSkipped) already stored): \(summary.events) new event(s), \(summary.duplicates) duplicate(s), \(summary.rejected) rejected")
            if let last = step.last { try store.setWatchState("lastFile", last.path) }
        }
        if let newest = try store.newestEventMillis() {
            try store.setWatchState("newestEventMillis", String(newest))
            WatchLog.line("newest event \(ISO8601.format(millis: newest))")
        }
    }

    /// Band alarms' models whose training window ended more than `retrainMillis` before the
    /// newest event are retrained with their own settings.
    func retrainModels() throws {
        guard let newest = try store.newestEventMillis() else { return }
        let names = Set(try store.alarms().compactMap(\.definition.band?.model))
        for name in names.sorted() {
            if stop.requested { return }
            guard let record = try store.model(named: name), newest - record.window.endMillis >= retrainMillis else { continue }
            do {
                let fresh = try store.trainModel(name: record.name, metric: record.metric, statistic: record.statistic, periodMillis: record.periodMillis,
                                                 options: record.options, nowMillis: TimeArgument.nowMillis())
                try store.putModel(fresh)
                WatchLog.line("retrained model \(name): \(fresh.status), window to \(ISO8601.format(millis: fresh.window.endMillis))")
            } catch {
                // A model that cannot be retrained keeps its old band; the alarm goes on.
                WatchLog.warning("retraining model \(name) failed: \(error)")
            }
        }
    }

    func evaluateAlarms() throws {
        let all = try store.alarms()
        let templates = Set(all.filter(\.definition.isTemplate).map(\.definition.name))
        var options = AlarmRunOptions(deliver: { ActionDispatcher().deliver($0, to: $1) })
        options.extraSinks = extraSinks
        var evaluations = 0, transitions = 0, settled = 0, sent = 0, failed = 0
        let topLevel = all.filter { !store.isSeriesAlarm($0.definition.name, templates: templates) }
        for alarm in topLevel {
            if stop.requested { break }
            let results: [AlarmRunResult]
            do {
                results = try store.runAlarm(named: alarm.definition.name, options: options, nowMillis: TimeArgument.nowMillis())
            } catch {
                // One broken alarm (e.g. a percentile statistic stored by hand) must not stop the others.
                WatchLog.warning("alarm \(alarm.definition.name): \(error)")
                continue
            }
            for r in results {
                evaluations += r.evaluations
                for e in r.changes where e.transitioned {
                    transitions += 1
                    // A new alarm or series settling into OK is counted, not logged line by line
                    // (a per-IP alarm has a series per address).
                    if e.previousState == .insufficientData && e.newState == .ok { settled += 1; continue }
                    WatchLog.line("\(r.definition.name): \(e.previousState.rawValue) -> \(e.newState.rawValue) at \(ISO8601.format(millis: e.evaluatedAtMillis))")
                }
                for d in r.deliveries {
                    for result in d.results {
                        if result.succeeded { sent += 1 } else { failed += 1 }
                        let text = "\(r.definition.name): \(d.notification.newStateValue.rawValue) notification to \(result.sink): \(result.succeeded ? "ok" : "FAILED") (\(result.detail))"
                        if result.succeeded { WatchLog.line(text) } else { WatchLog.warning(text) }
                    }
                }
            }
        }
        WatchLog.line("evaluated \(topLevel.count) alarm(s) (\(all.count - topLevel.count) series): \(evaluations) evaluation(s), \(transitions) transition(s) (\(settled) from INSUFFICIENT_DATA to OK), \(sent) action(s) ok, \(failed) failed")
    }
}

/// `watch` logs through swift-log, one line per step: `2026-10-04T12:00:00.123Z watch: …` on
/// stderr (warnings and errors carry their level). `TRAILWATCH_LOG_LEVEL` (trace … critical)
/// sets the threshold; the default is info.
enum WatchLog {
    static let logger: Logger = {
        var logger = Logger(label: "watch") { StderrLogHandler(label: $0) }
        if let text = ProcessInfo.processInfo.environment["TRAILWATCH_LOG_LEVEL"], let level = Logger.Level(rawValue: text.lowercased()) {
            logger.logLevel = level
        }
        return logger
    }()

    static func line(_ text: String) { logger.info("\(text)") }
    static func warning(_ text: String) { logger.warning("\(text)") }
}

/// The line format of `watch`: an ISO-8601 UTC time, the logger label, the level when it is not
/// info or below, the message, then metadata as `key=value`.
struct StderrLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let level = event.level, message = event.message
        let levelText = level > .info ? "\(level.rawValue): " : ""
        let tail = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        StandardError.write("\(ISO8601.format(millis: TimeArgument.nowMillis())) \(label): \(levelText)\(message)\(tail)\n")
    }
}

/// SIGINT/SIGTERM turn into a flag the loop checks between steps; the default handlers (which
/// would kill the process mid-transaction) are replaced.
final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var name: String?
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "trailwatch.watch.signals")

    var requested: Bool { lock.withLock { name != nil } }
    var signalName: String? { lock.withLock { name } }

    static func install() -> StopSignal {
        let s = StopSignal()
        for (number, label) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: s.queue)
            source.setEventHandler { [weak s] in
                guard let s else { return }
                s.lock.withLock { if s.name == nil { s.name = label } }
                WatchLog.line("\(label) received: stopping after the current step")
            }
            source.resume()
            s.sources.append(source)
        }
        return s
    }
}
