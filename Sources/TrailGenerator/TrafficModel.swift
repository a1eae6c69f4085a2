import Foundation

/// A kind of caller with its own rhythm and API mix ("the monitoring tool", "engineers in the
/// console", "CI running Terraform", …). Normal traffic is a weighted mix of personas.
struct Persona: Sendable {
    enum Shape: Sendable {
        /// 24/7 service activity.
        case flat
        /// Follows the business-hours curve and the weekly cycle; volume scales with
        /// --events-per-day.
        case business
        /// Business-hours curve, but a volume that grows only with the square root of
        /// --events-per-day: sensitive changes and sign-ins are people-bound, not traffic-bound.
        case people(perDay: Double, minimum: Double, maximum: Double)
    }
    enum Who: Sendable {
        case role(PrincipalRole)
        case instances, lambdas, services
    }

    var name: String
    var shape: Shape
    /// Share of its component (flat or business); unused for `.people`.
    var share: Double
    var who: [(Who, Double)]
    var templates: [(String, Double)]
    var deniedRate: Double = 0
    var throttledRate: Double = 0
    /// Calls arrive in tight runs (a Terraform plan is hundreds of calls in a minute).
    var bursty = false
    /// Sign-ins use a morning-shifted curve.
    var morning = false
    /// Forces the client for all of this persona's calls (the SSM agent, the console).
    var client: Client? = nil
    /// People without a fixed client use the console for half of these calls, else the CLI.
    var halfInConsole = false
}

enum Personas {
    static let all: [Persona] = [
        // MARK: flat, 24/7
        Persona(name: "monitoring", shape: .flat, share: 0.34, who: [(.role(.datadog), 1)], templates: [
            ("DescribeInstances", 10), ("DescribeInstanceStatus", 6), ("DescribeVolumes", 4), ("DescribeSecurityGroups", 3),
            ("DescribeAddresses", 1), ("DescribeNetworkInterfaces", 1), ("DescribeLoadBalancers", 3), ("DescribeTargetHealth", 3),
            ("DescribeTargetGroups", 2), ("DescribeAutoScalingGroups", 2), ("DescribeAlarms", 4), ("ListFunctions20150331", 2),
            ("ListBuckets", 1), ("GetBucketLocation", 1), ("GetBucketTagging", 1), ("ListTables", 1), ("DescribeTable", 2),
            ("ListKeys", 0.3), ("ListAliases", 0.3), ("DescribeTrails", 0.3), ("ListRoles", 0.3), ("ListUsers", 0.2),
        ], deniedRate: 0.003, throttledRate: 0.004),
        Persona(name: "config-recorder", shape: .flat, share: 0.14, who: [(.role(.configRecorder), 1)], templates: [
            ("DescribeInstances", 3), ("DescribeSecurityGroups", 3), ("DescribeVpcs", 1), ("DescribeSubnets", 1),
            ("DescribeNetworkAcls", 1), ("DescribeRouteTables", 1), ("DescribeVolumes", 1), ("GetBucketAcl", 1),
            ("GetBucketPolicy", 1), ("GetBucketVersioning", 1), ("GetBucketEncryption", 1), ("GetBucketPublicAccessBlock", 1),
            ("GetRole", 1), ("ListAttachedRolePolicies", 1), ("GetPolicy", 0.5), ("GetUser", 0.5), ("DescribeKey", 0.5),
            ("DescribeConfigurationRecorders", 0.2), ("DescribeConfigurationRecorderStatus", 0.2), ("GetFunction20150331v2", 0.5),
        ]),
        Persona(name: "ssm-agent", shape: .flat, share: 0.24, who: [(.instances, 1)], templates: [
            ("UpdateInstanceInformation", 6), ("ListInstanceAssociations", 3),
        ], client: .ssmAgent),
        Persona(name: "aws-services", shape: .flat, share: 0.10, who: [(.services, 1)], templates: [("AssumeRole", 1)]),
        Persona(name: "workloads-steady", shape: .flat, share: 0.18, who: [(.instances, 2), (.lambdas, 1)], templates: workloadMix,
                deniedRate: 0.003),

        // MARK: business hours, volume-driven
        Persona(name: "workloads", shape: .business, share: 0.33, who: [(.instances, 2), (.lambdas, 1.5)], templates: workloadMix,
                deniedRate: 0.003),
        Persona(name: "console", shape: .business, share: 0.20, who: [
            (.role(.ssoAdmin), 1), (.role(.ssoPowerErin), 1.2), (.role(.ssoReadGrace), 0.8), (.role(.ssoReadHugo), 0.6),
            (.role(.alice), 0.8), (.role(.carol), 0.5),
        ], templates: [
            ("DescribeInstances", 8), ("DescribeInstanceStatus", 3), ("DescribeSecurityGroups", 3), ("DescribeVolumes", 2),
            ("DescribeVpcs", 2), ("DescribeSubnets", 2), ("DescribeAddresses", 1), ("DescribeTags", 1), ("DescribeRegions", 1),
            ("ListBuckets", 3), ("GetBucketLocation", 2), ("GetBucketPolicy", 1), ("GetBucketAcl", 1), ("GetBucketVersioning", 1),
            ("GetBucketEncryption", 1), ("GetBucketPublicAccessBlock", 1), ("GetBucketTagging", 1),
            ("ListRoles", 1), ("GetRole", 1), ("ListPolicies", 1), ("ListUsers", 1), ("GetAccountSummary", 0.5),
            ("ListAttachedRolePolicies", 1), ("ListMFADevices", 0.3), ("ListAccountAliases", 0.3),
            ("ListFunctions20150331", 2), ("GetFunction20150331v2", 1), ("DescribeLogGroups", 2), ("DescribeLogStreams", 2),
            ("GetLogEvents", 2), ("FilterLogEvents", 1), ("LookupEvents", 2), ("DescribeTrails", 0.5), ("GetTrailStatus", 0.5),
            ("DescribeAlarms", 2), ("DescribeAlarmHistory", 0.5), ("ListTables", 1), ("DescribeTable", 1), ("ListAliases", 1),
            ("DescribeKey", 0.5), ("ListSecrets", 1), ("DescribeSecret", 0.5), ("DescribeInstanceInformation", 0.5),
            ("DescribeLoadBalancers", 1), ("DescribeComplianceByConfigRule", 0.5), ("DescribeAutoScalingGroups", 0.5),
        ], deniedRate: 0.006, client: .console),
        Persona(name: "cli", shape: .business, share: 0.15, who: [
            (.role(.bob), 1), (.role(.ssoPowerErin), 1), (.role(.ssoPowerFarid), 1.3),
        ], templates: [
            ("GetCallerIdentity", 6), ("DescribeInstances", 6), ("DescribeSecurityGroups", 1), ("ListBuckets", 3),
            ("GetBucketLocation", 1), ("FilterLogEvents", 3), ("DescribeLogStreams", 1), ("GetLogEvents", 1),
            ("GetFunction20150331v2", 1), ("ListFunctions20150331", 1), ("GetFunctionConfiguration20150331v2", 1),
            ("GetRole", 1), ("ListRoles", 1), ("ListUsers", 0.5), ("ListAccessKeys", 0.3), ("GetParameter", 1),
            ("GetSecretValue", 0.5), ("LookupEvents", 1), ("DescribeTable", 1), ("Decrypt", 0.5), ("DescribeKey", 0.3),
        ], deniedRate: 0.02),
        Persona(name: "ci", shape: .business, share: 0.32, who: [(.role(.ciDeployer), 1)], templates: [
            ("DescribeInstances", 4), ("DescribeSecurityGroups", 4), ("DescribeVpcs", 2), ("DescribeSubnets", 2),
            ("DescribeRouteTables", 2), ("DescribeNetworkAcls", 1), ("DescribeImages", 1), ("DescribeTags", 2),
            ("DescribeVolumes", 1), ("DescribeAddresses", 1), ("GetRole", 3), ("ListRolePolicies", 2),
            ("ListAttachedRolePolicies", 2), ("GetPolicy", 2), ("GetPolicyVersion", 2), ("GetUser", 1),
            ("GetBucketPolicy", 2), ("GetBucketAcl", 1), ("GetBucketVersioning", 1), ("GetBucketEncryption", 1),
            ("GetBucketTagging", 1), ("GetBucketLocation", 1), ("GetBucketPublicAccessBlock", 1),
            ("GetFunction20150331v2", 2), ("GetFunctionConfiguration20150331v2", 1), ("DescribeKey", 1),
            ("GetKeyRotationStatus", 1), ("DescribeLogGroups", 1), ("DescribeTable", 1), ("GetCallerIdentity", 2),
            ("AssumeRole", 0.5), ("DescribeTrails", 0.5), ("GetEventSelectors", 0.3), ("GetTrailStatus", 0.3),
            ("DescribeAlarms", 1), ("DescribeTargetGroups", 1), ("GetParameter", 1), ("CreateTags", 0.3),
        ], deniedRate: 0.002, throttledRate: 0.003, bursty: true),

        // MARK: people-bound
        Persona(name: "changes", shape: .people(perDay: 0.4, minimum: 6, maximum: 80), share: 0, who: [
            (.role(.ssoAdmin), 2), (.role(.ssoPowerErin), 2), (.role(.ssoPowerFarid), 1), (.role(.alice), 1),
            (.role(.ciDeployer), 2), (.role(.bob), 1),
        ], templates: [
            ("StopInstances", 8), ("StartInstances", 8), ("CreateTags", 6), ("AuthorizeSecurityGroupIngress", 2),
            ("RevokeSecurityGroupIngress", 1.5), ("CreateSecurityGroup", 0.7), ("DeleteSecurityGroup", 0.5),
            ("CreateNetworkAclEntry", 0.3), ("ReplaceNetworkAclEntry", 0.2), ("CreateRoute", 0.3), ("ReplaceRoute", 0.2),
            ("DeleteRoute", 0.2), ("CreateInternetGateway", 0.06), ("AttachInternetGateway", 0.06), ("ModifyVpcAttribute", 0.1),
            ("AttachRolePolicy", 0.6), ("DetachRolePolicy", 0.3), ("PutRolePolicy", 0.5), ("CreatePolicyVersion", 0.3),
            ("CreatePolicy", 0.2), ("PutBucketPolicy", 0.3), ("PutBucketLifecycle", 0.2), ("DeleteBucketPolicy", 0.05),
            ("EnableKeyRotation", 0.2), ("DisableKey", 0.3), ("ScheduleKeyDeletion", 0.2), ("PutConfigurationRecorder", 0.04),
            ("PutDeliveryChannel", 0.04), ("UpdateTrail", 0.2), ("UpdateFunctionCode20150331v2", 2),
            ("PutRetentionPolicy", 0.3), ("PutMetricAlarm", 0.5),
        ], deniedRate: 0.03, halfInConsole: true),
        Persona(name: "sign-in", shape: .people(perDay: 0.12, minimum: 4, maximum: 30), share: 0, who: [
            (.role(.ssoAdmin), 1), (.role(.ssoPowerErin), 1), (.role(.ssoPowerFarid), 1), (.role(.ssoReadGrace), 1),
            (.role(.ssoReadHugo), 1), (.role(.alice), 1.2), (.role(.carol), 0.8), (.role(.root), 0.03),
        ], templates: [("ConsoleLogin", 1)], morning: true, client: .browser),
    ]

    static let workloadMix: [(String, Double)] = [
        ("Decrypt", 6), ("GenerateDataKey", 3), ("GetSecretValue", 3), ("GetParameter", 3), ("GetParameters", 1),
        ("CreateLogStream", 2), ("GetCallerIdentity", 1), ("DescribeTable", 0.5),
    ]
}

/// Expected event counts per 5-minute slot: daily and weekly seasonality, a mild trend and
/// multiplicative day/hour noise on top of which counts are Poisson.
struct RateModel: Sendable {
    static let slotsPerDay = 288
    static let slotSeconds: Int64 = 300
    /// Flat (24/7) share of a weekday's volume.
    static let flatShare = 0.15
    static let weekendFactor = [1.0, 1, 1, 1, 1, 0.27, 0.23]

    let days: Int
    let startWeekday: Int
    /// Expected events per day of the volume-driven part, per unit of `raw(day)`.
    let scale: Double
    /// Business-hours curve normalised to sum 1 over a day's slots.
    let businessCurve: [Double]
    let morningCurve: [Double]
    let peoplePerDay: [Double]

    init(days: Int, eventsPerDay: Int, startWeekday: Int) {
        self.days = days
        self.startWeekday = startWeekday
        func curve(center: Double, width: Double, floor: Double) -> [Double] {
            let raw = (0..<RateModel.slotsPerDay).map { s -> Double in
                let hour = (Double(s) + 0.5) / 12
                let z = (hour - center) / width
                return floor + exp(-0.5 * z * z)
            }
            let sum = raw.reduce(0, +)
            return raw.map { $0 / sum }
        }
        // Peak mid-afternoon UTC (Europe's afternoon overlapping the US morning).
        businessCurve = curve(center: 14.5, width: 3.3, floor: 0.04)
        morningCurve = curve(center: 10.5, width: 3.0, floor: 0.02)
        let n = Double(eventsPerDay)
        peoplePerDay = Personas.all.map {
            if case .people(let k, let lo, let hi) = $0.shape { return min(hi, max(lo, k * n.squareRoot())) }
            return 0
        }
        // Choose the volume scale so the expected total over the period is exactly
        // days × eventsPerDay, after the people-bound personas took their share.
        var rawSum = 0.0, peopleSum = 0.0
        for d in 0..<days {
            rawSum += RateModel.raw(day: d, days: days, weekday: (startWeekday + d) % 7)
            peopleSum += peoplePerDay.reduce(0, +) * RateModel.weekendFactor[(startWeekday + d) % 7]
        }
        scale = max(n * Double(days) * 0.5, n * Double(days) - peopleSum) / rawSum
    }

    static func trend(day: Int, days: Int) -> Double {
        min(1.25, max(0.75, 1 + 0.004 * (Double(day) - Double(days - 1) / 2)))
    }

    static func raw(day: Int, days: Int, weekday: Int) -> Double {
        flatShare + (1 - flatShare) * weekendFactor[weekday] * trend(day: day, days: days)
    }

    func weekday(_ day: Int) -> Int { (startWeekday + day) % 7 }

    /// Expected flat-component events in one slot (whole organisation).
    var flatPerSlot: Double { scale * RateModel.flatShare / Double(RateModel.slotsPerDay) }

    /// Expected business-component events in one slot, before noise.
    func businessPerSlot(day: Int, slot: Int) -> Double {
        scale * (1 - RateModel.flatShare) * RateModel.weekendFactor[weekday(day)]
            * RateModel.trend(day: day, days: days) * businessCurve[slot]
    }

    func peoplePerSlot(persona: Int, day: Int, slot: Int, morning: Bool) -> Double {
        peoplePerDay[persona] * RateModel.weekendFactor[weekday(day)] * (morning ? morningCurve[slot] : businessCurve[slot])
    }
}
