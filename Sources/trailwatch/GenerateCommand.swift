import ArgumentParser
import Foundation
import TrailGenerator
import TrailIntegrity

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate a deterministic, labelled synthetic CloudTrail trail in the S3 delivery layout.",
        discussion: """
        Writes DIR/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/\
        <account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 chars>.json.gz: one gzip file per \
        account, region and 5-minute delivery slot, each holding {"Records":[...]}. Folder dates \
        and file times are delivery times; about 1.5 % of records arrive one file late.

        Traffic is a fixed cast of principals (SSO roles, IAM users, CI, EC2 instance and \
        Lambda roles, a monitoring tool, AWS Config, AWS services) across EC2, S3, IAM, STS, \
        KMS, Lambda, CloudTrail, Logs, CloudWatch, Config, SSM, Secrets Manager, DynamoDB and \
        ELB. Volume follows a business-hours curve peaking 13-16 UTC, weekends at about a third \
        of weekdays, a mild trend and Poisson noise, over a flat 24/7 service background. \
        --events-per-day is the mean over the period. Normal traffic includes the events the CIS \
        monitoring filters look for, at low rates.

        --anomalies default injects one of each incident kind, spread over the period (those \
        that fit); none injects nothing; FILE reads \
        {"incidents":[{"kind":"...","at":"2026-10-09T03:00:00Z","count":N,"durationMinutes":M}]} \
        (count and durationMinutes optional). Kinds, with default count and minutes:
          offhours-ec2-stop-start  Stop/StartInstances at 03:00 by a dormant user  24/20
          access-denied-spike      stolen key enumerating, mostly AccessDenied   150/20
          root-console-login       root ConsoleLogin without MFA, root API calls   6/15
          instance-stop-churn      one instance stopped >= 4 times in a day     10/480
          console-brute-force      ConsoleLogin failures from one IP             40/12
          cloudtrail-tampering     StopLogging and DeleteTrail after recon        4/10
          iam-policy-change-night  IAM policy changes at night, hijacked admin    8/25

        Ground truth (parameters, the command, each incident's window, principal, IP, event \
        names and eventIDs) goes to DIR/labels.json.

        --digests adds CloudTrail's log file integrity validation: per account and region, one \
        digest per hour (empty hours too) at AWSLogs/<account>/CloudTrail-Digest/<region>/YYYY/MM/DD/\
        <account>_CloudTrail-Digest_<region>_management-events_<home region>_<YYYYMMDDTHHmmssZ>.json.gz, \
        listing each log file delivered in the hour with the SHA-256 of its uncompressed content, \
        chained to the previous digest and signed (SHA256withRSA) with --signing-key (a PEM RSA \
        private key) or a fresh throwaway key. The hex signature, which S3 keeps as object \
        metadata, goes to a <digest>.sig sidecar; the public key to \
        DIR/keys/digest-signing-key-<fingerprint>.public.pem. Check with \
        `trailwatch verify DIR --public-key DIR/keys/…public.pem`. Log files are identical with \
        or without --digests.

        The same arguments always produce byte-identical files (with --digests, only when \
        --signing-key is given).
        """
    )

    @Option(name: .long, help: ArgumentHelp("Output directory (created if needed).", valueName: "dir"))
    var out: String

    @Option(name: .long, help: "Number of days to generate (1-3660).")
    var days: Int = 28

    @Option(name: .long, help: "Mean number of events per day over the period.")
    var eventsPerDay: Int = 1000

    @Option(name: .long, help: "PRNG seed; the same seed and arguments give identical output.")
    var seed: UInt64 = 1

    @Option(name: .long, help: ArgumentHelp("default, none, or a JSON file of incidents.", valueName: "default|none|file"))
    var anomalies: String = "default"

    @Option(name: .long, help: ArgumentHelp("First day (UTC).", valueName: "YYYY-MM-DD"))
    var start: String = "2026-10-01"

    @Option(name: .long, help: "Number of AWS accounts.")
    var accounts: Int = 2

    @Option(name: .long, help: ArgumentHelp("Comma-separated regions; IAM and sign-in events go to us-east-1 if listed, else the first.", valueName: "r1,r2"))
    var regions: String = "us-east-1,eu-west-1"

    @Option(name: .long, help: "gzip level 1-9 (1 is fastest).")
    var compressionLevel: Int = 6

    @Flag(name: .long, help: "Replace an existing DIR/AWSLogs and DIR/labels.json.")
    var overwrite = false

    @Flag(name: .long, help: "Also write signed hourly digest files (log file integrity validation).")
    var digests = false

    @Option(name: .long, help: ArgumentHelp("PEM RSA private key to sign digests with (default: a fresh throwaway key).", valueName: "pem"))
    var signingKey: String?

    /// Argument problems (ranges, region names, the anomalies file, incidents outside the
    /// period) are reported here so they print with this command's usage.
    func validate() throws {
        if let signingKey {
            guard digests else { throw ValidationError("--signing-key needs --digests") }
            do { _ = try DigestSigningKey.load(file: signingKey) } catch { throw ValidationError("--signing-key: \(error)") }
        }
        let config = try makeConfig()
        do { _ = try TrailGenerator(config: config) } catch { throw Self.userFacing(error) }
    }

    func makeConfig() throws -> GeneratorConfig {
        let plan: AnomalyPlan
        switch anomalies {
        case "default": plan = .default
        case "none": plan = .none
        default:
            guard let data = FileManager.default.contents(atPath: anomalies) else {
                throw ValidationError("--anomalies: cannot read file '\(anomalies)' (expected default, none or a readable JSON file)")
            }
            do { plan = .custom(try AnomalyPlan.parseFile(Array(data))) } catch {
                throw ValidationError("--anomalies file '\(anomalies)': \(error.description.replacingOccurrences(of: "anomalies: ", with: ""))")
            }
        }
        return GeneratorConfig(
            days: days, eventsPerDay: eventsPerDay, seed: seed, start: start, accounts: accounts,
            regions: regions.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) },
            compressionLevel: compressionLevel, anomalies: plan, anomaliesSource: anomalies)
    }

    func run() throws {
        let config = try makeConfig()
        let clock = ContinuousClock()
        let began = clock.now
        var command = config.commandLine(out: out)
        var digestOptions: DigestOptions?
        if digests {
            command += " --digests" + (signingKey.map { " --signing-key \($0)" } ?? "")
            let key: DigestSigningKey
            do { key = try signingKey.map { try DigestSigningKey.load(file: $0) } ?? DigestSigningKey.generate() } catch {
                throw GenerateFailure(message: "\(error)")
            }
            digestOptions = DigestOptions(signer: DigestSigner(
                fingerprint: key.fingerprint, publicKeyPEM: key.publicKey.pemRepresentation,
                sha256: { IntegrityHash.sha256($0) }, sign: { try key.sign($0) }))
        }
        let summary: GenerationSummary
        do {
            let generator = try TrailGenerator(config: config)
            summary = try generator.generate(toDirectory: out, overwrite: overwrite, command: command, digests: digestOptions)
        } catch {
            throw Self.userFacing(error)
        }
        let elapsed = began.duration(to: clock.now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let mb = Double(summary.compressedBytes) / 1_048_576
        print("""
        Wrote \(summary.files) files, \(summary.events) events, \(summary.incidents.count) incidents, \
        \(String(format: "%.1f", mb)) MB gzip (\(String(format: "%.1f", Double(summary.uncompressedBytes) / 1_048_576)) MB JSON) \
        in \(String(format: "%.2f", seconds)) s (\(Int(Double(summary.events) / max(seconds, 1e-9))) events/s)
        Accounts: \(summary.accountIds.joined(separator: ", ")); labels: \(out)/labels.json
        """)
        if let key = summary.publicKeyPath, let options = digestOptions {
            print("""
            Digests: \(summary.digestFiles) signed hourly digest files with .sig sidecars under \(out)/AWSLogs/*/CloudTrail-Digest/; \
            key fingerprint \(options.signer.fingerprint)\(signingKey == nil ? " (throwaway key)" : ""); public key: \(out)/\(key)
            Check with: trailwatch verify \(out) --public-key \(out)/\(key)
            """)
        }
        for l in summary.incidents {
            print("  \(l.id) \(l.kind.rawValue) \(l.start) – \(l.end): \(l.count) events")
        }
    }
}

extension GenerateCommand {
    /// Argument problems print with usage help; I/O problems as plain errors. Both exit non-zero.
    static func userFacing(_ error: GeneratorError) -> any Error {
        switch error {
        case .invalidArgument, .badAnomalies, .incidentOutsidePeriod: ValidationError(error.description)
        case .io: GenerateFailure(message: error.description)
        }
    }
}

/// A runtime failure (I/O): printed as "Error: …" with exit code 1.
struct GenerateFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
