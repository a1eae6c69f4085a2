import ArgumentParser
import CloudTrail
import Foundation
import TrailIntegrity
import TrailJSON

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a trail against its CloudTrail digest files (log file integrity validation), offline.",
        discussion: """
            DIR is a local copy of the trail's bucket (or any folder holding AWSLogs/). Like \
            `aws cloudtrail validate-logs`, every digest under AWSLogs/<account>/CloudTrail-Digest/ \
            is checked: each log file it lists must exist and its uncompressed SHA-256 must match; \
            each digest must hash to the previousDigestHashValue its successor recorded, and the \
            digest it names as previous must exist (a missing one is a gap in the hourly chain). \
            Beyond the AWS CLI, log files present but listed by no digest are reported when the \
            digests cover their delivery time.

            Signatures are checked only with --public-key: PEM (PUBLIC KEY or RSA PUBLIC KEY), \
            the JSON of `aws cloudtrail list-public-keys`, or one base64 DER value; keys are \
            matched to digests by digestPublicKeyFingerprint (hex MD5 of the DER key). A digest's \
            signature (S3 metadata x-amz-meta-signature) comes from a <digest>.sig sidecar holding \
            the hex, a --signatures file ({"<digest path or S3 key>": "<hex>"}), or else the \
            previousDigestSignature its successor recorded. Without --public-key the output says \
            that signatures were not checked.

            --start/--end select digests whose digestEndTime lies from START to an hour past END \
            (as the AWS CLI does), and log files delivered from START to END.

            Output: the AWS CLI's summary (Results requested for … / Results found for … / \
            N/N digest files valid / M/M log files valid), then every problem as \
            "<Digest|Log> file<TAB>PATH<TAB>INVALID: reason", then notes.

            --json prints one object (keys sorted): valid (bool: no problems and at least one \
            digest), requestedStart, requestedEnd, foundStart, foundEnd (UTC text or null), \
            signaturesChecked (bool), digestFiles {total, valid, invalid, missing}, logFiles \
            {listed, valid, invalid, unlisted, inMissingDigestHours, notCovered}, problems \
            [{kind, path, detail, relatedPath?}] with kind one of \
            \(IntegrityProblem.Kind.allCases.map(\.rawValue).joined(separator: ", ")), and notes [text].

            Exit status: 0 when everything checked is valid, 1 when anything is invalid or missing \
            (or no digest was found), 2 when the check could not run (unreadable DIR, key or \
            signatures file).
            """)

    @Argument(help: ArgumentHelp("The trail folder (bucket copy) holding AWSLogs/.", valueName: "dir"))
    var dir: String

    @Option(help: ArgumentHelp("Only digests ending at or after this UTC time.", valueName: "YYYY-MM-DD[THH:MM:SSZ]"))
    var start: String?

    @Option(help: ArgumentHelp("Only digests ending no later than an hour after this UTC time.", valueName: "YYYY-MM-DD[THH:MM:SSZ]"))
    var end: String?

    @Option(name: .customLong("public-key"), help: ArgumentHelp("Public key file for signature checks (repeatable).", valueName: "file"))
    var publicKeys: [String] = []

    @Option(help: ArgumentHelp("JSON object of digest path or S3 key → hex signature.", valueName: "file"))
    var signatures: String?

    @Flag(help: "Print the result as one JSON object (keys described above).")
    var json = false

    func validate() throws {
        let s = try start.map { try Self.parseTime($0, option: "--start") }
        let e = try end.map { try Self.parseTime($0, option: "--end") }
        if let s, let e, s > e { throw ValidationError("--start must not be after --end") }
    }

    /// `YYYY-MM-DD` (midnight UTC) or a full ISO-8601 time, as epoch seconds.
    static func parseTime(_ text: String, option: String) throws -> Int64 {
        let full = text.count == 10 ? text + "T00:00:00Z" : text
        guard let ms = ISO8601.parseMillis(full) else {
            throw ValidationError("\(option) must be a UTC time like 2026-10-01T00:00:00Z or a date like 2026-10-01, got \"\(text)\"")
        }
        return ms / 1000
    }

    func run() throws {
        var options = VerifyOptions()
        options.start = try start.map { try Self.parseTime($0, option: "--start") }
        options.end = try end.map { try Self.parseTime($0, option: "--end") }
        let report: VerificationReport
        do {
            for file in publicKeys { options.publicKeys += try DigestPublicKey.load(file: file) }
            if let signatures { options.signatures = try VerifyOptions.loadSignatures(file: signatures) }
            report = try IntegrityVerifier.verify(root: dir, options: options)
        } catch {
            StandardError.write("Error: \(error)\n")
            throw ExitCode(2)
        }
        let ok = report.isValid && report.digestCount > 0
        if json {
            print(Self.json(report, ok: ok).jsonText(sortedKeys: true))
        } else {
            print(Self.describe(report, dir: dir, publicKeys: options.publicKeys))
        }
        if !ok { throw ExitCode(1) }
    }

    static func time(_ t: Int64?) -> String? { t.map { ISO8601.format(millis: $0 * 1000) } }

    static func describe(_ r: VerificationReport, dir: String, publicKeys: [DigestPublicKey]) -> String {
        var lines: [String] = []
        if r.requestedStart != nil || r.requestedEnd != nil {
            lines.append("Results requested for \(time(r.requestedStart) ?? "the first digest") to \(time(r.requestedEnd) ?? "the last digest")")
        } else {
            lines.append("Results requested for all digest files under \(dir)")
        }
        guard r.digestCount > 0 else {
            lines.append("No digests found")
            return lines.joined(separator: "\n")
        }
        if let s = time(r.foundStart), let e = time(r.foundEnd) {
            lines.append("Results found for \(s) to \(e):")
        } else {
            lines.append("No valid digests found in range")
        }
        lines.append("")
        lines.append(ratio(r.validDigests, r.digestCount, "digest"))
        lines.append(ratio(r.validLogFiles, r.listedLogFiles, "log"))
        let unlisted = r.logFiles(.unlisted)
        if unlisted > 0 { lines.append("\(unlisted) log file\(unlisted == 1 ? "" : "s") present but listed by no digest") }
        if r.signaturesChecked {
            let valid = r.digests.filter { $0.signature == .valid }.count
            let keys = publicKeys.map { "\($0.fingerprint) (\($0.source))" }.joined(separator: ", ")
            lines.append("Signatures: \(valid)/\(r.digests.count) verified with \(keys)")
        } else {
            lines.append("Signatures NOT checked (no --public-key given): the digests were checked for content and chaining only")
        }
        if !r.problems.isEmpty {
            lines.append("")
            lines.append("Problems (\(r.problems.count)):")
            for p in r.problems {
                lines.append(p.description + (p.relatedPath.map { " [\($0)]" } ?? ""))
            }
        }
        let notes = r.notes.filter { !$0.hasPrefix("Signatures not checked") }
        if !notes.isEmpty {
            lines.append("")
            lines.append("Notes:")
            lines += notes.map { "  " + $0 }
        }
        return lines.joined(separator: "\n")
    }

    /// `N/N digest files valid`, plus `, K/N digest files INVALID` as the AWS CLI writes it.
    static func ratio(_ valid: Int, _ total: Int, _ name: String) -> String {
        var s = "\(valid)/\(total) \(name) files valid"
        if valid < total { s += ", \(total - valid)/\(total) \(name) files INVALID" }
        return s
    }

    static func json(_ r: VerificationReport, ok: Bool) -> JSONValue {
        func t(_ v: Int64?) -> JSONValue { time(v).map { .string($0) } ?? .null }
        func n(_ v: Int) -> JSONValue { .number(Double(v)) }
        let problems = r.problems.map { p -> JSONValue in
            var o = JSONObject([("kind", .string(p.kind.rawValue)), ("path", .string(p.path)), ("detail", .string(p.detail))])
            if let related = p.relatedPath { o["relatedPath"] = .string(related) }
            return .object(o)
        }
        let invalidLogs = r.logFiles(.modified) + r.logFiles(.missing) + r.logFiles(.unreadable)
        return .object(JSONObject([
            ("valid", .bool(ok)),
            ("requestedStart", t(r.requestedStart)), ("requestedEnd", t(r.requestedEnd)),
            ("foundStart", t(r.foundStart)), ("foundEnd", t(r.foundEnd)),
            ("signaturesChecked", .bool(r.signaturesChecked)),
            ("digestFiles", .object(JSONObject([
                ("total", n(r.digestCount)), ("valid", n(r.validDigests)), ("invalid", n(r.digestCount - r.validDigests)),
                ("missing", n(r.missingDigests)),
            ]))),
            ("logFiles", .object(JSONObject([
                ("listed", n(r.listedLogFiles)), ("valid", n(r.validLogFiles)), ("invalid", n(invalidLogs)),
                ("unlisted", n(r.logFiles(.unlisted))), ("inMissingDigestHours", n(r.logFiles(.digestMissing))),
                ("notCovered", n(r.logFiles(.notCovered))),
            ]))),
            ("problems", .array(problems)),
            ("notes", .array(r.notes.map { .string($0) })),
        ]))
    }
}
