import TrailJSON

/// The incidents the generator can inject, with their ground truth written to `labels.json`.
///
/// Kinds (the `kind` strings of an anomalies file and of `labels.json`):
/// - `offhours-ec2-stop-start`: a burst of StopInstances then StartInstances around 03:00 UTC by
///   the dormant IAM user `jenkins-legacy` from an unfamiliar IP (default 24 calls in 20 min).
/// - `access-denied-spike`: a stolen access key (IAM user `bob`) enumerating IAM, S3, EC2, KMS,
///   Secrets Manager… from one IP, most calls failing with AccessDenied /
///   Client.UnauthorizedOperation (default 150 calls in 20 min).
/// - `root-console-login`: a root ConsoleLogin without MFA from an unfamiliar IP, followed by
///   root API calls including CreateAccessKey (default 6 events in 15 min).
/// - `instance-stop-churn`: one instance stopped and started again and again over a working day
///   (default 10 events = 5 StopInstances, spread over 8 hours; count ≥ 7 gives ≥ 4 stops).
/// - `console-brute-force`: ConsoleLogin failures ("Failed authentication", some "No username
///   found") from one IP against the IAM user `alice` (default 40 in 12 min).
/// - `cloudtrail-tampering`: DescribeTrails, GetTrailStatus, StopLogging, DeleteTrail with the
///   CI user's key from an unfamiliar IP (default 4 calls in 10 min; the last `count` of that
///   sequence when fewer, extra reconnaissance reads before it when more).
/// - `iam-policy-change-night`: IAM policy changes at night (CreatePolicy with `Action: *`,
///   CreatePolicyVersion, Attach/Put Role/User policies, CreateAccessKey…) by the SSO
///   administrator session from an unfamiliar IP (default 8 calls in 25 min).
public enum IncidentKind: String, CaseIterable, Sendable, Codable {
    case offHoursStopStart = "offhours-ec2-stop-start"
    case accessDeniedSpike = "access-denied-spike"
    case rootConsoleLogin = "root-console-login"
    case instanceStopChurn = "instance-stop-churn"
    case consoleBruteForce = "console-brute-force"
    case cloudTrailTampering = "cloudtrail-tampering"
    case iamPolicyChangeAtNight = "iam-policy-change-night"

    public var defaultCount: Int {
        switch self {
        case .offHoursStopStart: 24
        case .accessDeniedSpike: 150
        case .rootConsoleLogin: 6
        case .instanceStopChurn: 10
        case .consoleBruteForce: 40
        case .cloudTrailTampering: 4
        case .iamPolicyChangeAtNight: 8
        }
    }

    public var minimumCount: Int {
        switch self {
        case .offHoursStopStart: 2
        case .instanceStopChurn: 7
        case .consoleBruteForce: 3
        default: 1
        }
    }

    public var defaultDurationMinutes: Int {
        switch self {
        case .offHoursStopStart: 20
        case .accessDeniedSpike: 20
        case .rootConsoleLogin: 15
        case .instanceStopChurn: 480
        case .consoleBruteForce: 12
        case .cloudTrailTampering: 10
        case .iamPolicyChangeAtNight: 25
        }
    }

    /// Where the default plan puts it: fraction of the period, and UTC time of day in seconds.
    var defaultPlacement: (fraction: Double, secondOfDay: Int64, weekday: Bool) {
        switch self {
        case .offHoursStopStart: (0.30, 3 * 3600 + 4 * 60, false)
        case .accessDeniedSpike: (0.40, 10 * 3600 + 41 * 60, true)
        case .rootConsoleLogin: (0.50, 21 * 3600 + 47 * 60, false)
        case .instanceStopChurn: (0.58, 9 * 3600, true)
        case .consoleBruteForce: (0.68, 1 * 3600 + 20 * 60, false)
        case .cloudTrailTampering: (0.79, 23 * 3600 + 10 * 60, false)
        case .iamPolicyChangeAtNight: (0.90, 2 * 3600 + 15 * 60, false)
        }
    }
}

/// One incident to inject: what, when (epoch seconds, UTC), how many events, over how long.
public struct IncidentRequest: Sendable, Equatable {
    public var kind: IncidentKind
    public var at: Int64
    public var count: Int
    public var durationMinutes: Int

    public init(kind: IncidentKind, at: Int64, count: Int? = nil, durationMinutes: Int? = nil) {
        self.kind = kind
        self.at = at
        self.count = count ?? kind.defaultCount
        self.durationMinutes = durationMinutes ?? kind.defaultDurationMinutes
    }
}

/// Ground truth for one injected incident, as written to `labels.json`.
public struct IncidentLabel: Sendable, Equatable {
    public var id: String
    public var kind: IncidentKind
    public var start: String
    public var end: String
    public var description: String
    public var principal: String
    public var sourceIPAddress: String
    public var accountId: String
    public var awsRegion: String
    public var eventNames: [String]
    public var eventIDs: [String]
    public var count: Int { eventIDs.count }
}

/// What to inject: `--anomalies default|none|FILE`.
public enum AnomalyPlan: Sendable, Equatable {
    case `default`
    case none
    case custom([IncidentRequest])

    /// The default plan for a period: each kind once, spread over the period at a
    /// characteristic time of day, keeping only those that fit inside it.
    public static func defaultRequests(startDay: Int, days: Int) -> [IncidentRequest] {
        var out: [IncidentRequest] = []
        let end = Int64(startDay + days) * 86_400
        for kind in IncidentKind.allCases {
            let p = kind.defaultPlacement
            var day = min(days - 1, Int(p.fraction * Double(days)))
            // Business-hours incidents belong on a working day when the period has one later.
            if p.weekday {
                var d = day
                while d < days, CivilDate(dayNumber: startDay + d).weekday >= 5 { d += 1 }
                if d < days { day = d }
            }
            let req = IncidentRequest(kind: kind, at: Int64(startDay + day) * 86_400 + p.secondOfDay)
            if req.at + Int64(req.durationMinutes) * 60 <= end { out.append(req) }
        }
        return out
    }

    /// Parses an anomalies file: `{"incidents":[{"kind":"…","at":"2026-10-09T03:00:00Z",
    /// "count":N,"durationMinutes":M}]}`; `count` and `durationMinutes` are optional.
    public static func parseFile(_ bytes: [UInt8]) throws(GeneratorError) -> [IncidentRequest] {
        let root: JSONValue
        do { root = try JSONValue.parse(bytes) } catch { throw GeneratorError.badAnomalies("not valid JSON: \(error)") }
        guard let list = root["incidents"]?.arrayValue else {
            throw GeneratorError.badAnomalies("expected an object with an \"incidents\" array")
        }
        var out: [IncidentRequest] = []
        for (i, item) in list.enumerated() {
            let at = "incident \(i + 1)"
            guard let obj = item.objectValue else { throw GeneratorError.badAnomalies("\(at): expected an object") }
            for key in obj.keys where !["kind", "at", "count", "durationMinutes"].contains(key) {
                throw GeneratorError.badAnomalies("\(at): unknown field \"\(key)\" (expected kind, at, count, durationMinutes)")
            }
            guard let kindText = item["kind"]?.stringValue else { throw GeneratorError.badAnomalies("\(at): missing \"kind\"") }
            guard let kind = IncidentKind(rawValue: kindText) else {
                throw GeneratorError.badAnomalies("\(at): unknown kind \"\(kindText)\"; known kinds: \(IncidentKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let when = item["at"]?.stringValue else { throw GeneratorError.badAnomalies("\(at): missing \"at\"") }
            guard let t = UTC.parseISO(when) else {
                throw GeneratorError.badAnomalies("\(at): \"at\" must look like 2026-10-09T03:00:00Z, got \"\(when)\"")
            }
            func positive(_ key: String) throws(GeneratorError) -> Int? {
                guard let v = item[key] else { return nil }
                guard let n = v.intValue, n > 0 else { throw GeneratorError.badAnomalies("\(at): \"\(key)\" must be a positive integer") }
                return n
            }
            let req = IncidentRequest(kind: kind, at: t, count: try positive("count"), durationMinutes: try positive("durationMinutes"))
            guard req.count >= kind.minimumCount, req.count <= 100_000 else {
                throw GeneratorError.badAnomalies("\(at): \(kind.rawValue) needs a count in \(kind.minimumCount)...100000")
            }
            guard req.durationMinutes <= 7 * 24 * 60 else {
                throw GeneratorError.badAnomalies("\(at): durationMinutes must be at most one week")
            }
            out.append(req)
        }
        return out
    }
}

/// An incident's events, ready to be merged into normal traffic.
struct PlannedIncident: Sendable {
    var label: IncidentLabel
    var events: [EventSpec]
}

/// Builds the events of each requested incident on top of the population.
struct IncidentBuilder {
    let population: Population
    let catalog: EventCatalog
    let seed: UInt64

    func build(_ requests: [IncidentRequest]) -> [PlannedIncident] {
        requests.enumerated().map { i, r in build(r, number: i + 1) }
    }

    private func build(_ r: IncidentRequest, number: Int) -> PlannedIncident {
        var rng = Xoshiro256(seed: streamSeed(seed, 4, UInt64(number)))
        let pop = population
        let home = pop.homeRegion
        let second = pop.accounts.count > 1 ? 1 : 0
        let duration = Int64(r.durationMinutes) * 60
        var specs: [EventSpec] = []
        // Evenly spread offsets with jitter, strictly inside [at, at + duration).
        func times(_ n: Int) -> [Int64] {
            let step = Double(duration) / Double(n)
            return (0..<n).map { k in r.at + Int64(Double(k) * step + rng.unit() * step * 0.8) }
        }
        func spec(_ t: Int64, account: Int, region: Int, principal: PrincipalRole, template: String, ip: String, client: Client,
                  error: ErrorKind = .none, target: Int = -1, hostile: Bool = false) -> EventSpec {
            let ti = catalog.id(template)
            let tpl = catalog.templates[ti]
            let acct = pop.accounts[account]
            return EventSpec(time: t, sortKey: t, account: Int32(account), region: Int32(tpl.isGlobal ? home : region),
                             principal: acct.principal(principal), template: Int32(ti), ip: pop.ipIndex(of: ip),
                             client: client, error: error, target: Int32(target), hostile: hostile, eventID: rng.uuid())
        }

        let account: Int, principal: PrincipalRole, ip: String, description: String
        var region = home
        switch r.kind {
        case .offHoursStopStart:
            account = 0; region = pop.regions.count > 1 ? (home == 0 ? 1 : 0) : home
            principal = .jenkinsLegacy; ip = "45.137.21.9"
            let n = pop.accounts[0].regional[region].instances.count
            let ts = times(r.count)
            let stops = (r.count + 1) / 2
            for (k, t) in ts.enumerated() {
                specs.append(spec(t, account: account, region: region, principal: principal,
                                  template: k < stops ? "StopInstances" : "StartInstances", ip: ip, client: .boto3,
                                  target: (k < stops ? k : k - stops) % n))
            }
            description = "Burst of StopInstances/StartInstances at night by the dormant IAM user jenkins-legacy, from an IP never seen before, in \(pop.regions[region])."
        case .accessDeniedSpike:
            account = 0; principal = .bob; ip = "91.219.236.14"
            let probes = ["ListBuckets", "GetBucketPolicy", "ListUsers", "ListRoles", "GetAccountAuthorizationDetails",
                          "DescribeInstances", "DescribeSecurityGroups", "GetSecretValue", "ListSecrets", "ListFunctions20150331",
                          "DescribeTrails", "ListKeys", "Decrypt", "GetParameter", "DescribeTable", "CreateUser",
                          "AttachUserPolicy", "CreateAccessKey", "ListAccessKeys", "GetCallerIdentity"]
            for t in times(r.count) {
                let name = probes[rng.below(probes.count)]
                let denied = name != "GetCallerIdentity" && rng.chance(0.88)
                specs.append(spec(t, account: account, region: region, principal: principal, template: name, ip: ip,
                                  client: .boto3, error: denied ? .denied : .none))
            }
            description = "Enumeration with the IAM user bob's access key from an unfamiliar IP: a spike of AccessDenied / Client.UnauthorizedOperation across IAM, S3, EC2, KMS and Secrets Manager."
        case .rootConsoleLogin:
            account = second; principal = .rootNoMFA; ip = "103.75.201.4"
            let follow = ["GetAccountSummary", "ListUsers", "ListAccessKeys", "CreateAccessKey", "ListBuckets", "DescribeInstances", "DescribeTrails"]
            let ts = times(r.count)
            for (k, t) in ts.enumerated() {
                if k == 0 {
                    specs.append(spec(t, account: account, region: region, principal: principal, template: "ConsoleLogin", ip: ip, client: .browser))
                } else {
                    specs.append(spec(t, account: account, region: region, principal: principal,
                                      template: follow[(k - 1) % follow.count], ip: ip, client: .console))
                }
            }
            description = "Root user signs in to the console without MFA from an unfamiliar IP late in the evening, then lists users and keys and creates a root access key."
        case .instanceStopChurn:
            account = 0; region = 0; principal = .ssoPowerErin
            ip = String(decoding: pop.ips[Int(pop.accounts[0].principals[Int(pop.accounts[0].principal(.ssoPowerErin))].ips[0])], as: UTF8.self)
            let target = 2 % pop.accounts[0].regional[0].instances.count
            for (k, t) in times(r.count).enumerated() {
                specs.append(spec(t, account: account, region: region, principal: principal,
                                  template: k % 2 == 0 ? "StopInstances" : "StartInstances", ip: ip, client: .console, target: target))
            }
            let id = String(decoding: pop.accounts[0].regional[0].instances[target].id, as: UTF8.self)
            description = "Instance \(id) stopped \((r.count + 1) / 2) times in one day (stop/start churn) by a normal engineer's console session."
        case .consoleBruteForce:
            account = 0; principal = .alice; ip = "185.220.101.47"
            for t in times(r.count) {
                specs.append(spec(t, account: account, region: region, principal: principal, template: "ConsoleLogin", ip: ip,
                                  client: .browser, error: rng.chance(0.8) ? .failedAuthentication : .noSuchUser))
            }
            description = "Password guessing against the console: ConsoleLogin failures from one Tor exit IP, mostly against the IAM user alice."
        case .cloudTrailTampering:
            account = second; principal = .ciDeployer; ip = "5.188.62.140"
            let sequence = ["DescribeTrails", "GetTrailStatus", "StopLogging", "DeleteTrail"]
            let recon = ["DescribeTrails", "GetTrailStatus", "ListTrails", "GetEventSelectors"]
            let names = r.count <= sequence.count
                ? Array(sequence.suffix(r.count))
                : (0..<(r.count - sequence.count)).map { recon[$0 % recon.count] } + sequence
            for (t, name) in zip(times(r.count), names) {
                specs.append(spec(t, account: account, region: region, principal: principal, template: name, ip: ip, client: .cliLinux))
            }
            description = "Defence evasion: the CI user's key, used from an unfamiliar IP late at night, stops logging on the management trail and deletes it."
        case .iamPolicyChangeAtNight:
            account = 0; principal = .ssoAdmin; ip = "196.196.53.12"
            let sequence = ["CreatePolicy", "CreatePolicyVersion", "AttachRolePolicy", "PutRolePolicy", "AttachUserPolicy",
                            "PutUserPolicy", "CreateAccessKey", "DetachRolePolicy"]
            for (k, t) in times(r.count).enumerated() {
                specs.append(spec(t, account: account, region: region, principal: principal, template: sequence[k % sequence.count],
                                  ip: ip, client: .cliLinux, hostile: true))
            }
            description = "IAM privilege changes at night (new Action:* policy versions, attached and inline admin policies, a new access key) by the SSO administrator session from an unfamiliar IP."
        }

        let acct = pop.accounts[account]
        var names: [String] = []
        for s in specs {
            let n = catalog.templates[Int(s.template)].name
            if !names.contains(n) { names.append(n) }
        }
        let label = IncidentLabel(
            id: "inc-" + (number < 10 ? "0" : "") + String(number), kind: r.kind,
            start: UTC.iso(r.at), end: UTC.iso(r.at + duration), description: description,
            principal: acct.principals[Int(acct.principal(principal))].arn, sourceIPAddress: ip,
            accountId: acct.id, awsRegion: pop.regions[specs.first.map { Int($0.region) } ?? region],
            eventNames: names, eventIDs: specs.map { $0.eventID.text })
        return PlannedIncident(label: label, events: specs)
    }
}
