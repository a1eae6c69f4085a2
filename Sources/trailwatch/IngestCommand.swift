import ArgumentParser
import CloudTrail
import EventStore
import Foundation
import Ingest
import TrailIntegrity
import TrailJSON

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Read CloudTrail trails (and other CloudWatch Logs events) into the store.",
        discussion: """
            PATH may be a file, a directory (walked recursively: the S3 delivery layout \
            AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz, any depth), or - for stdin. \
            Formats are detected from content (gzip or plain): {"Records":[…]} trail files, bare \
            arrays of records, NDJSON, CloudWatch Logs filter-log-events/get-log-events output and \
            export lines, and lookup-events output. Digest files are recognised and not ingested.

            Events are unique by eventID: re-ingesting adds nothing and says so, and files whose \
            content was already ingested whole are skipped by checksum. Records that cannot be \
            stored are counted and kept with their reason (see `trailwatch events rejects`).
            """)

    @Argument(help: ArgumentHelp("Files or directories to ingest, or - for stdin.", valueName: "path"))
    var paths: [String]

    @OptionGroup var database: DatabaseOption

    @Option(help: ArgumentHelp("The log name events are stored under (Insights' @log).", valueName: "name"))
    var source: String = "cloudtrail"

    @Option(help: ArgumentHelp("Input format: \(InputFormat.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "format"))
    var format: String = "auto"

    @Flag(help: "Exit non-zero if any record was rejected.")
    var strict = false

    @Flag(help: "Print the summary as one JSON object.")
    var json = false

    @Flag(help: "No progress bar and no summary text (errors still go to stderr).")
    var quiet = false

    @Option(help: ArgumentHelp("Reader threads (default: the number of cores).", valueName: "n"))
    var readers: Int?

    @Flag(help: "Check log files against their CloudTrail digests first (as `trailwatch verify`) and mark each source verified, unverified or invalid.")
    var verify = false

    @Option(name: .customLong("public-key"), help: ArgumentHelp("With --verify: a digest public key (PEM), to check signatures.", valueName: "pem"))
    var publicKeys: [String] = []

    func validate() throws {
        guard InputFormat(rawValue: format) != nil else {
            throw ValidationError("unknown format '\(format)'; expected one of \(InputFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let readers, readers < 1 { throw ValidationError("--readers must be at least 1") }
    }

    func run() throws {
        var options = IngestOptions()
        options.format = InputFormat(rawValue: format)!
        options.sourceName = source
        if let readers { options.readers = readers }
        let store = try database.openOrCreate()
        let reports = verify ? try verifyFirst() : []
        let showProgress = !quiet && !json && StandardError.isTerminal
        let summary: IngestSummary
        do {
            let progress: ((IngestProgress) -> Void)? = showProgress ? { Self.drawProgress($0) } : nil
            summary = try Ingestor(store: store, options: options).run(paths: paths, progress: progress)
        } catch let e as InputError {
            throw CLIError(e.description)
        } catch let e as StoreError {
            throw CLIError("\(database.path): \(e)")
        }
        if showProgress { StandardError.write("\r\u{1B}[K") }
        var trust: [String: Int] = [:]
        if verify {
            for file in try InputDiscovery.discover(paths).files {
                let status = reports.lazy.compactMap { $0.result(forLogFile: file.path) }.first?.trust ?? .unverified
                try store.setVerification(path: file.path, status: status.rawValue)
                trust[status.rawValue, default: 0] += 1
            }
        }
        if json {
            var out = summary.json
            if verify, case .object(var o) = out {
                o["verification"] = .object(JSONObject(trust.sorted { $0.key < $1.key }.map { ($0.key, .number(Double($0.value))) }))
                out = .object(o)
            }
            print(out.jsonText(sortedKeys: true))
        } else if !quiet {
            print(Self.describe(summary))
            if verify {
                print("integrity: " + ["verified", "unverified", "invalid"].map { "\(Format.count(trust[$0] ?? 0)) \($0)" }.joined(separator: ", ")
                      + (reports.contains { $0.signaturesChecked } ? "" : " (signatures not checked: give --public-key)"))
            }
        }
        if strict && summary.rejected > 0 {
            StandardError.write("error: \(summary.rejected) record(s) rejected (--strict); see `trailwatch events rejects`\n")
            throw ExitCode(3)
        }
    }

    /// Verifies every directory argument against its digests before anything is ingested.
    func verifyFirst() throws -> [VerificationReport] {
        var keys: [DigestPublicKey] = []
        for k in publicKeys {
            do { keys.append(contentsOf: try DigestPublicKey.load(file: k)) } catch { throw CLIError("\(k): \(error)") }
        }
        var reports: [VerificationReport] = []
        for p in paths where p != "-" {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: p, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            do { reports.append(try IntegrityVerifier.verify(root: p, options: VerifyOptions(publicKeys: keys))) } catch { throw CLIError("\(error)") }
        }
        return reports
    }

    static func describe(_ s: IngestSummary) -> String {
        var lines: [String] = []
        var files = "\(Format.count(s.files)) file(s): \(Format.count(s.filesRead)) read"
        if s.filesSkipped > 0 { files += ", \(Format.count(s.filesSkipped)) already ingested (skipped by checksum)" }
        if s.digestFiles > 0 { files += ", \(Format.count(s.digestFiles)) digest file(s) not ingested" }
        if s.ignoredFiles > 0 { files += ", \(Format.count(s.ignoredFiles)) other file(s) ignored" }
        lines.append(files)
        lines.append("\(Format.count(s.records)) record(s): \(Format.count(s.events)) new event(s), \(Format.count(s.duplicates)) duplicate(s), \(Format.count(s.rejected)) rejected")
        var notes: [String] = []
        if s.synthesizedIDs > 0 { notes.append("\(Format.count(s.synthesizedIDs)) without eventID (id derived from the record)") }
        if s.oversized > 0 { notes.append("\(Format.count(s.oversized)) larger than 256 KB (stored)") }
        if s.logEvents > 0 { notes.append("\(Format.count(s.logEvents)) plain log event(s)") }
        if !notes.isEmpty { lines.append("note: " + notes.joined(separator: "; ")) }
        if s.rejected > 0 { lines.append("see `trailwatch events rejects` for what was rejected and why") }
        lines.append("\(Format.seconds(s.seconds)), \(Format.rate(s.eventsPerSecond)) records/s, \(Format.bytes(s.compressedBytes)) read, \(Format.bytes(s.decodedBytes)) JSON")
        return lines.joined(separator: "\n")
    }

    static func drawProgress(_ p: IngestProgress) {
        let rate = p.elapsed > 0 ? Double(p.records) / p.elapsed : 0
        let mbps = p.elapsed > 0 ? Double(p.compressedBytes) / p.elapsed / 1_048_576 : 0
        let fraction = p.totalCompressedBytes > 0 ? min(1, Double(p.compressedBytes) / Double(p.totalCompressedBytes)) : 0
        let width = 24
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        var eta = ""
        if fraction > 0.02 && fraction < 1 {
            let remaining = p.elapsed * (1 - fraction) / fraction
            eta = String(format: " ETA %.0fs", remaining)
        }
        StandardError.write(String(format: "\r\u{1B}[K[%@] %@/%@ files  %@ events  %@ ev/s  %.1f MB/s%@",
                                   bar, Format.count(p.filesDone), Format.count(p.filesTotal), Format.count(p.records),
                                   Format.rate(rate), mbps, eta))
    }
}
