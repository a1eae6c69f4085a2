/// The fixed cast of a synthetic organisation: accounts, their principals, resources, source IPs
/// and client user agents. Small on purpose, so that "top principals", "top IPs" and per-instance
/// questions have stable, meaningful answers across a generated trail.

/// Who the principal is, for personas and incidents to refer to without knowing indices.
enum PrincipalRole: Int, CaseIterable, Sendable {
    case ssoAdmin, ssoPowerErin, ssoPowerFarid, ssoReadGrace, ssoReadHugo
    case alice, carol, bob, ciDeployer, jenkinsLegacy
    case datadog, configRecorder
    case root, rootNoMFA
}

/// How a call was made; decides the user agent, TLS details and console flags.
enum Client: Int, CaseIterable, Sendable {
    case console, cliLinux, cliMac, terraform, boto3, datadog, sdkJs, sdkJava, ssmAgent, service, browser
}

enum IdentitySegment: Sendable {
    case bytes([UInt8])
    /// `ASIA…` key of the session active at the event time.
    case sessionKey
    /// `creationDate` of that session.
    case creationDate
    /// The event's own time (a session created by this very sign-in).
    case eventTime
}

struct Principal: Sendable {
    enum Kind: Sendable { case iamUser, assumedRole, root, awsService }
    var kind: Kind
    var arn: String
    /// `userIdentity` for API calls.
    var segments: [IdentitySegment]
    /// `userIdentity` for ConsoleLogin records, which carry no session yet.
    var loginIdentity: [IdentitySegment]
    var sessionSeconds: Int64 = 0
    var sessionPhase: Int64 = 0
    var keySalt: UInt64 = 0
    /// Indices into `Population.ips`; repeats weight the choice.
    var ips: [Int32]
    var invokedBy: [UInt8] = []
    var mfaDevice: [UInt8] = []
    var usesMFA = false
    var userName: String = ""
    /// For EC2 instance-role sessions: the instance, as (region, index).
    var instance: (region: Int32, index: Int32) = (-1, -1)
    /// How this principal calls AWS; nil for people who use both the console and the CLI
    /// (the persona decides).
    var client: Client?
}

struct Instance: Sendable {
    var id: [UInt8]
    var publicIP: Int32
    var principal: Int32 = -1
    /// requestParameters of the SSM agent's UpdateInstanceInformation heartbeat, fixed per instance.
    var ssmHeartbeat: [UInt8] = []
}

struct RegionalResources: Sendable {
    var instances: [Instance] = []
    var securityGroups: [[UInt8]] = []
    var vpc: [UInt8] = []
    var networkAcl: [UInt8] = []
    var routeTables: [[UInt8]] = []
    var internetGateway: [UInt8] = []
    var natGateway: [UInt8] = []
    var kmsKeys: [[UInt8]] = []
    var targetGroups: [[UInt8]] = []
    var lambdaIP: Int32 = 0
    var instancePrincipals: [Int32] = []
}

struct Role: Sendable {
    var name: [UInt8]
    var arn: [UInt8]
    var id: [UInt8]
}

struct Account: Sendable {
    var index: Int
    var id: String
    var idBytes: [UInt8]
    var alias: String
    var regional: [RegionalResources]
    var buckets: [[UInt8]]
    var roles: [Role]
    var users: [[UInt8]]
    var policies: [(name: [UInt8], arn: [UInt8])]
    var functions: [[UInt8]]
    var secrets: [[UInt8]]
    var parameters: [[UInt8]]
    var logGroups: [[UInt8]]
    var tables: [[UInt8]]
    var trailName: [UInt8]
    var trailARN: [UInt8]
    var principals: [Principal]
    /// Index of each `PrincipalRole` in `principals`.
    var named: [Int32]
    var lambdaPrincipals: [Int32]
    var servicePrincipals: [Int32]
    /// Indices into `roles` of customer-managed roles (not SSO or service-linked): the ones IAM
    /// writes can touch.
    var writableRoles: [Int]
    /// Indices into `roles` of roles that AssumeRole calls target.
    var appRole: Int
    var lambdaRoles: [Int]
    var deployRole: Int

    func principal(_ role: PrincipalRole) -> Int32 { named[role.rawValue] }
}

struct Population: Sendable {
    var accounts: [Account]
    var regions: [String]
    var regionBytes: [[UInt8]]
    var homeRegion: Int
    /// Every source IP (or service name) the trail uses, JSON-safe.
    var ips: [[UInt8]]
    var ipIndex: [String: Int32]

    /// IPs reserved for injected incidents: never used by normal traffic.
    static let incidentIPs = ["45.137.21.9", "91.219.236.14", "103.75.201.4", "185.220.101.47", "5.188.62.140", "196.196.53.12"]

    static let aliases = ["acme-prod", "acme-dev", "acme-staging", "acme-security", "acme-data", "acme-sandbox"]

    init(seed: UInt64, accounts accountCount: Int, regions: [String]) {
        self.regions = regions
        regionBytes = regions.map { Array($0.utf8) }
        homeRegion = regions.firstIndex(of: "us-east-1") ?? 0
        ips = []
        ipIndex = [:]
        accounts = []
        for ip in Population.incidentIPs { _ = internIP(ip) }
        let offices = ["203.0.113.24", "203.0.113.25", "198.51.100.77", "192.0.2.140"].map { internIP($0) }
        let ciRunners = ["3.91.207.112", "3.91.207.113", "34.228.4.208", "44.202.13.91"].map { internIP($0) }
        let datadogIPs = ["3.233.147.10", "3.233.147.11", "3.233.147.12"].map { internIP($0) }
        let homes = ["86.143.27.201", "73.22.184.9", "90.61.118.47", "24.5.139.210", "81.2.69.142", "151.36.98.4"].map { internIP($0) }
        for a in 0..<accountCount {
            accounts.append(makeAccount(seed: seed, index: a, offices: offices, homes: homes, ciRunners: ciRunners, datadog: datadogIPs))
        }
    }

    /// `use1`, `euw1`, `apse2`: the prefix of availability-zone IDs.
    static func zoneIDPrefix(_ region: String) -> String {
        let parts = region.split(separator: "-")
        var out = String(parts[0])
        for word in parts.dropFirst().dropLast() {
            out += word.prefix(1)
            for compass in ["north", "south"] where word.hasPrefix(compass) && word.count > compass.count {
                out += word.dropFirst(compass.count).prefix(1)
            }
        }
        return out + parts.last!
    }

    mutating func internIP(_ ip: String) -> Int32 {
        if let i = ipIndex[ip] { return i }
        let i = Int32(ips.count)
        ips.append(Array(ip.utf8))
        ipIndex[ip] = i
        return i
    }

    func ipIndex(of ip: String) -> Int32 { ipIndex[ip]! }

    private mutating func makeAccount(seed: UInt64, index a: Int, offices: [Int32], homes: [Int32], ciRunners: [Int32], datadog: [Int32]) -> Account {
        var rng = Xoshiro256(seed: streamSeed(seed, 1, UInt64(a)))
        let id = String(1 + rng.below(9)) + rng.characters(11, from: Array("0123456789".utf8))
        let idB = Array(id.utf8)
        let alias = a < Population.aliases.count ? Population.aliases[a] : "acme-acct-\(a < 9 ? "0" : "")\(a + 1)"
        func b(_ s: String) -> [UInt8] { Array(s.utf8) }
        func hexID(_ prefix: String, _ n: Int) -> [UInt8] { b(prefix + rng.characters(n, from: hexDigits)) }
        func iamID(_ prefix: String) -> String { prefix + rng.characters(17, from: upperAlnum) }

        var principals: [Principal] = []
        var named = [Int32](repeating: -1, count: PrincipalRole.allCases.count)
        func add(_ p: Principal, _ role: PrincipalRole? = nil) -> Int32 {
            principals.append(p)
            let i = Int32(principals.count - 1)
            if let role { named[role.rawValue] = i }
            return i
        }

        var roles: [Role] = []
        func role(_ name: String, path: String = "/") -> Role {
            let r = Role(name: b(name), arn: b("arn:aws:iam::\(id):role\(path)\(name)"), id: b(iamID("AROA")))
            roles.append(r)
            return r
        }
        func assumed(_ r: Role, session: String, ips: [Int32], invokedBy: String? = nil, ec2: Bool = false,
                     sessionHours: Int64 = 1) -> Principal {
            let name = String(decoding: r.name, as: UTF8.self)
            let arn = "arn:aws:sts::\(id):assumed-role/\(name)/\(session)"
            var head: [UInt8] = []
            head.lit("{\"type\":\"AssumedRole\",\"principalId\":\"")
            head += r.id; head.lit(":"); head.appendEscaped(session.utf8)
            head.lit("\",\"arn\":"); head.jsonString(arn)
            head.lit(",\"accountId\":\""); head += idB; head.lit("\",\"accessKeyId\":\"")
            var mid: [UInt8] = []
            mid.lit("\",\"sessionContext\":{\"sessionIssuer\":{\"type\":\"Role\",\"principalId\":\"")
            mid += r.id; mid.lit("\",\"arn\":\""); mid += r.arn
            mid.lit("\",\"accountId\":\""); mid += idB; mid.lit("\",\"userName\":\""); mid += r.name
            mid.lit("\"},\"webIdFederationData\":{},\"attributes\":{\"creationDate\":\"")
            var tail: [UInt8] = []
            tail.lit("\",\"mfaAuthenticated\":\"false\"}")
            if ec2 { tail.lit(",\"ec2RoleDelivery\":\"2.0\"") }
            tail.lit("}")
            if let invokedBy { tail.lit(",\"invokedBy\":"); tail.jsonString(invokedBy) }
            let client: Client? = invokedBy != nil ? .service : ec2 ? .sdkJava : nil
            tail.lit("}")
            // At sign-in the session is being created: no access key yet, created "now".
            var p = Principal(kind: .assumedRole, arn: arn,
                              segments: [.bytes(head), .sessionKey, .bytes(mid), .creationDate, .bytes(tail)],
                              loginIdentity: [.bytes(head), .bytes(mid), .eventTime, .bytes(tail)], ips: ips)
            p.sessionSeconds = sessionHours * 3600
            p.sessionPhase = Int64(rng.below(Int(p.sessionSeconds)))
            p.keySalt = rng.next()
            p.userName = session
            p.invokedBy = invokedBy.map { b($0) } ?? []
            p.client = client
            return p
        }
        func iamUser(_ name: String, ips: [Int32], console: Bool, mfa: Bool, client: Client) -> Principal {
            let arn = "arn:aws:iam::\(id):user/\(name)"
            let pid = iamID("AIDA")
            var head: [UInt8] = []
            head.lit("{\"type\":\"IAMUser\",\"principalId\":\""); head += b(pid)
            head.lit("\",\"arn\":"); head.jsonString(arn)
            head.lit(",\"accountId\":\""); head += idB; head.lit("\",\"accessKeyId\":\"")
            var login: [UInt8] = []
            login.lit("{\"type\":\"IAMUser\",\"principalId\":\""); login += b(pid)
            login.lit("\",\"arn\":"); login.jsonString(arn)
            login.lit(",\"accountId\":\""); login += idB; login.lit("\",\"userName\":"); login.jsonString(name); login.lit("}")
            var p: Principal
            if console {
                var mid: [UInt8] = []
                mid.lit("\",\"userName\":"); mid.jsonString(name)
                mid.lit(",\"sessionContext\":{\"sessionIssuer\":{},\"webIdFederationData\":{},\"attributes\":{\"creationDate\":\"")
                var tail: [UInt8] = []
                tail.lit("\",\"mfaAuthenticated\":\""); tail += b(mfa ? "true" : "false"); tail.lit("\"}}}")
                p = Principal(kind: .iamUser, arn: arn, segments: [.bytes(head), .sessionKey, .bytes(mid), .creationDate, .bytes(tail)],
                              loginIdentity: [.bytes(login)], ips: ips)
                p.sessionSeconds = 8 * 3600
                p.sessionPhase = Int64(rng.below(8 * 3600))
                p.keySalt = rng.next()
            } else {
                var whole = head
                whole += b("AKIA" + rng.characters(16, from: upperAlnum))
                whole.lit("\",\"userName\":"); whole.jsonString(name); whole.lit("}")
                p = Principal(kind: .iamUser, arn: arn, segments: [.bytes(whole)], loginIdentity: [.bytes(login)], ips: ips)
            }
            p.usesMFA = mfa
            p.mfaDevice = b("arn:aws:iam::\(id):mfa/\(name)")
            p.userName = name
            p.client = client
            return p
        }
        func rootPrincipal(mfa: Bool, ips: [Int32]) -> Principal {
            let arn = "arn:aws:iam::\(id):root"
            var head: [UInt8] = []
            head.lit("{\"type\":\"Root\",\"principalId\":\""); head += idB
            head.lit("\",\"arn\":\""); head += b(arn)
            head.lit("\",\"accountId\":\""); head += idB; head.lit("\",\"accessKeyId\":\"")
            var mid: [UInt8] = []
            mid.lit("\",\"sessionContext\":{\"sessionIssuer\":{},\"webIdFederationData\":{},\"attributes\":{\"creationDate\":\"")
            var tail: [UInt8] = []
            tail.lit("\",\"mfaAuthenticated\":\""); tail += b(mfa ? "true" : "false"); tail.lit("\"}}}")
            var login = head; login.lit("\"}")
            var p = Principal(kind: .root, arn: arn, segments: [.bytes(head), .sessionKey, .bytes(mid), .creationDate, .bytes(tail)],
                              loginIdentity: [.bytes(login)], ips: ips)
            p.sessionSeconds = 3600
            p.keySalt = rng.next()
            p.usesMFA = mfa
            p.mfaDevice = b("arn:aws:iam::\(id):mfa/root-account-mfa-device")
            p.userName = alias
            p.client = .console
            return p
        }
        func service(_ name: String) -> Principal {
            var whole: [UInt8] = []
            whole.lit("{\"type\":\"AWSService\",\"invokedBy\":"); whole.jsonString(name); whole.lit("}")
            let ip = internIP(name)
            var p = Principal(kind: .awsService, arn: "", segments: [.bytes(whole)], loginIdentity: [.bytes(whole)], ips: [ip])
            p.invokedBy = b(name)
            p.client = .service
            return p
        }

        let humanIPs: (Int) -> [Int32] = { h in
            // Mostly office/VPN egress, sometimes home: weights by repetition.
            [offices[h % 2], offices[h % 2], offices[h % 2], offices[2 + (h % 2)], homes[h % homes.count]]
        }
        // Identity Center permission sets appear as roles named AWSReservedSSO_<set>_<hex>.
        func ssoRole(_ set: String) -> Role {
            role("AWSReservedSSO_\(set)_" + rng.characters(16, from: hexDigits), path: "/aws-reserved/sso.amazonaws.com/")
        }
        let ssoAdmin = ssoRole("AdministratorAccess")
        let ssoPower = ssoRole("PowerUserAccess")
        let ssoRead = ssoRole("ReadOnlyAccess")
        _ = add(assumed(ssoAdmin, session: "dave.kim@acme.example", ips: humanIPs(0), sessionHours: 8), .ssoAdmin)
        _ = add(assumed(ssoPower, session: "erin.lopez@acme.example", ips: humanIPs(1), sessionHours: 8), .ssoPowerErin)
        _ = add(assumed(ssoPower, session: "farid.haddad@acme.example", ips: humanIPs(2), sessionHours: 8), .ssoPowerFarid)
        _ = add(assumed(ssoRead, session: "grace.chen@acme.example", ips: humanIPs(3), sessionHours: 8), .ssoReadGrace)
        _ = add(assumed(ssoRead, session: "hugo.martin@acme.example", ips: humanIPs(4), sessionHours: 8), .ssoReadHugo)
        _ = add(iamUser("alice", ips: humanIPs(5), console: true, mfa: true, client: .console), .alice)
        _ = add(iamUser("carol", ips: humanIPs(0) + [homes[4]], console: true, mfa: false, client: .console), .carol)
        _ = add(iamUser("bob", ips: humanIPs(1), console: false, mfa: false, client: .cliMac), .bob)
        _ = add(iamUser("ci-deployer", ips: ciRunners, console: false, mfa: false, client: .terraform), .ciDeployer)
        _ = add(iamUser("jenkins-legacy", ips: [ciRunners[0]], console: false, mfa: false, client: .boto3), .jenkinsLegacy)
        let datadogRole = role("DatadogIntegrationRole")
        var datadogPrincipal = assumed(datadogRole, session: "DatadogAWSIntegration", ips: datadog)
        datadogPrincipal.client = .datadog
        _ = add(datadogPrincipal, .datadog)
        let configRole = role("AWSServiceRoleForConfig", path: "/aws-service-role/config.amazonaws.com/")
        let configIP = internIP("config.amazonaws.com")
        _ = add(assumed(configRole, session: "AWSConfig-Describe", ips: [configIP], invokedBy: "config.amazonaws.com"), .configRecorder)
        _ = add(rootPrincipal(mfa: true, ips: [offices[0], offices[1]]), .root)
        _ = add(rootPrincipal(mfa: false, ips: [offices[0]]), .rootNoMFA)

        let appRole = role("app-server-role")
        let functions = ["order-processor", "thumbnailer", "nightly-report"]
        var lambdaPrincipals: [Int32] = []
        var lambdaRoles: [Role] = []
        for f in functions { lambdaRoles.append(role(f + "-role")) }
        _ = role("terraform-deploy-role")
        _ = role("OrganizationAccountAccessRole")

        let azLetters = ["a", "b", "c"]
        var regional: [RegionalResources] = []
        for (r, region) in regions.enumerated() {
            var res = RegionalResources()
            let lambdaIP = internIP("3.\(208 + r * 3 + a % 3).\(rng.below(250) + 2).\(rng.below(250) + 2)")
            res.lambdaIP = lambdaIP
            let instanceCount = r == 0 ? 6 : 3
            for k in 0..<instanceCount {
                let iid = hexID("i-0", 16)
                let octet3 = 1 + k % 3
                let priv = "10.\(a * 16 + r).\(octet3).\(10 + rng.below(240))"
                let pub = internIP("\(k % 2 == 0 ? 54 : 52).\(rng.below(200) + 20).\(rng.below(250) + 2).\(rng.below(250) + 2)")
                var inst = Instance(id: iid, publicIP: pub)
                let domain = region == "us-east-1" ? "ec2.internal" : "\(region).compute.internal"
                let azID = "\(Population.zoneIDPrefix(region))-az\(1 + (k + a) % 6)"
                inst.ssmHeartbeat = b("{\"instanceId\":\"\(String(decoding: iid, as: UTF8.self))\",\"agentVersion\":\"3.3.859.0\",\"agentName\":\"amazon-ssm-agent\",\"platformType\":\"Linux\",\"platformName\":\"Amazon Linux\",\"platformVersion\":\"2023\",\"iPAddress\":\"\(priv)\",\"computerName\":\"ip-\(priv.split(separator: ".").joined(separator: "-")).\(domain)\",\"agentStatus\":\"Active\",\"availabilityZone\":\"\(region)\(azLetters[k % 3])\",\"availabilityZoneId\":\"\(azID)\"}")
                var p = assumed(appRole, session: String(decoding: iid, as: UTF8.self), ips: [pub], ec2: true, sessionHours: 6)
                p.instance = (Int32(r), Int32(k))
                inst.principal = add(p)
                res.instancePrincipals.append(inst.principal)
                res.instances.append(inst)
            }
            res.securityGroups = (0..<5).map { _ in hexID("sg-0", 16) }
            res.vpc = hexID("vpc-0", 16)
            res.networkAcl = hexID("acl-0", 16)
            res.routeTables = (0..<3).map { _ in hexID("rtb-0", 16) }
            res.internetGateway = hexID("igw-0", 16)
            res.natGateway = hexID("nat-0", 16)
            res.kmsKeys = (0..<3).map { _ in b(rng.uuid().text) }
            res.targetGroups = ["web", "api"].map { b("arn:aws:elasticloadbalancing:\(region):\(id):targetgroup/\($0)-tg/" + rng.characters(16, from: hexDigits)) }
            regional.append(res)
        }
        for (k, f) in functions.enumerated() {
            // Lambda egress uses the home region's address; good enough for "top IPs".
            var p = assumed(lambdaRoles[k], session: f, ips: [regional[0].lambdaIP])
            p.client = .sdkJs
            lambdaPrincipals.append(add(p))
        }
        let servicePrincipals = ["ec2.amazonaws.com", "lambda.amazonaws.com", "ecs-tasks.amazonaws.com"].map { add(service($0)) }

        let policies = ["AppDataReadWrite", "CiDeployPolicy", "BreakGlassAdmin", "LogShipping"].map {
            (name: b($0), arn: b("arn:aws:iam::\(id):policy/\($0)"))
        }
        return Account(
            index: a, id: id, idBytes: idB, alias: alias, regional: regional,
            buckets: ["assets", "logs", "backups", "data-lake", "terraform-state"].map { b("\(alias)-\($0)") },
            roles: roles,
            users: ["alice", "bob", "carol", "ci-deployer", "jenkins-legacy"].map { b($0) },
            policies: policies,
            functions: functions.map { b($0) },
            secrets: ["app/db-password", "app/stripe-api-key", "reporting/warehouse"].map { b("\(alias.split(separator: "-").last!)/\($0)") },
            parameters: ["db-host", "feature-flags", "queue-url", "cache-endpoint"].map { b("/app/\(alias.split(separator: "-").last!)/\($0)") },
            logGroups: functions.map { b("/aws/lambda/\($0)") } + [b("/ecs/web"), b("/app/api")],
            tables: ["orders", "sessions", "inventory"].map { b($0) },
            trailName: b("management-events"),
            trailARN: b("arn:aws:cloudtrail:\(regions[homeRegion]):\(id):trail/management-events"),
            principals: principals, named: named,
            lambdaPrincipals: lambdaPrincipals, servicePrincipals: servicePrincipals,
            writableRoles: roles.indices.filter { !String(decoding: roles[$0].arn, as: UTF8.self).contains(":role/aws-") },
            appRole: roles.firstIndex { $0.arn == appRole.arn }!,
            lambdaRoles: lambdaRoles.map { r in roles.firstIndex { $0.arn == r.arn }! },
            deployRole: roles.firstIndex { $0.name == b("terraform-deploy-role") }!)
    }
}
