/// What one record is about; everything else is filled in by `RecordRenderer`.
struct EventSpec: Sendable {
    var time: Int64
    /// Order inside the delivered file: eventTime plus a little jitter (real files are not
    /// perfectly sorted).
    var sortKey: Int64
    var account: Int32
    var region: Int32
    var principal: Int32
    var template: Int32
    var ip: Int32
    var client: Client
    var error: ErrorKind = .none
    /// Resource to act on (instance index, …); -1 lets the renderer pick.
    var target: Int32 = -1
    /// An attacker's payload (e.g. an `Action: *` policy document) instead of a routine one.
    var hostile = false
    var eventID: UUIDBits
}

enum ErrorKind: UInt8, Sendable {
    case none
    /// AccessDenied, or Client.UnauthorizedOperation for EC2.
    case denied
    /// ThrottlingException, or Client.RequestLimitExceeded for EC2.
    case throttled
    case noSuchBucketPolicy
    /// ConsoleLogin with a wrong password.
    case failedAuthentication
    /// ConsoleLogin with an unknown user name.
    case noSuchUser
}

/// Turns an `EventSpec` into CloudTrail record JSON, appending bytes. Everything that does not
/// depend on the event (sources, names, user agents, host headers, identities) is pre-rendered
/// once per trail.
struct RecordRenderer {
    let population: Population
    let catalog: EventCatalog
    private let sourceBytes: [[UInt8]]
    private let nameBytes: [[UInt8]]
    private let versionBytes: [[UInt8]]
    private let actionBytes: [[UInt8]]
    /// [template][region]
    private let hostBytes: [[[UInt8]]]
    /// [client][template]
    private let userAgents: [[[UInt8]]]
    private let consoleLoginID: Int
    private let getBucketPolicyID: Int

    // Scratch buffers reused across records.
    private var response: [UInt8] = []
    private var resources: [UInt8] = []
    private var additional: [UInt8] = []
    private var requestID: [UInt8] = []
    private var host: [UInt8] = []

    init(population: Population, catalog: EventCatalog) {
        self.population = population
        self.catalog = catalog
        let t = catalog.templates
        sourceBytes = t.map { Array($0.service.eventSource.utf8) }
        nameBytes = t.map { Array($0.name.utf8) }
        versionBytes = t.map { Array($0.service.eventVersion.utf8) }
        actionBytes = t.map { Array("\($0.service.iamPrefix):\($0.action)".utf8) }
        hostBytes = t.map { tpl in population.regions.map { Array(tpl.service.host(region: $0).utf8) } }
        userAgents = Client.allCases.map { client in t.map { Array(RecordRenderer.userAgent(client, $0).utf8) } }
        consoleLoginID = catalog.id("ConsoleLogin")
        getBucketPolicyID = catalog.id("GetBucketPolicy")
    }

    static func userAgent(_ client: Client, _ t: Template) -> String {
        switch client {
        case .console:
            return t.service == .s3
                ? "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.750 Linux/5.10.225-191.878.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/25.412-b09 java/1.8.0_412 vendor/Oracle_Corporation cfg/retry-mode/standard]"
                : "AWS Internal"
        case .cliLinux:
            return "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.5.0-1024-aws md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#\(t.service.cliGroup).\(t.cliCommand)"
        case .cliMac:
            return "aws-cli/2.15.58 md/awscrt#0.19.19 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#\(t.service.cliGroup).\(t.cliCommand)"
        case .terraform:
            return "APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.67.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.30.5 ua/2.1 os/linux lang/go#1.22.6 md/GOOS#linux md/GOARCH#amd64 api/\(t.service.sdkName)#1.40.2"
        case .boto3:
            return "Boto3/1.35.24 md/Botocore#1.35.24 ua/2.0 os/linux#5.15.0-1068-aws md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.24"
        case .datadog:
            return "aws-sdk-go/1.55.5 (go1.22.7; linux; amd64)"
        case .sdkJs:
            return "aws-sdk-js/3.654.0 ua/2.1 os/linux#5.10.225-234.878.amzn2.x86_64 lang/js md/nodejs#20.17.0 api/\(t.service.sdkName.replacingUnderscores)#3.654.0 exec-env/AWS_Lambda_nodejs20.x"
        case .sdkJava:
            return "aws-sdk-java/2.28.11 Linux/6.1.109-118.189.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/21.0.4+7-LTS Java/21.0.4 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy"
        case .ssmAgent:
            return "aws-sdk-go/1.54.20 (go1.22.7; linux; amd64) amazon-ssm-agent/3.3.859.0"
        case .service:
            return ""  // the invoking service's name, taken from the principal
        case .browser:
            return "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36"
        }
    }

    // MARK: - Records

    mutating func render(_ e: EventSpec, rng: inout Xoshiro256, into out: inout [UInt8]) {
        let ti = Int(e.template)
        let tpl = catalog.templates[ti]
        let account = population.accounts[Int(e.account)]
        let principal = account.principals[Int(e.principal)]
        let region = Int(e.region)
        let isLogin = ti == consoleLoginID

        response.removeAll(keepingCapacity: true)
        resources.removeAll(keepingCapacity: true)
        additional.removeAll(keepingCapacity: true)
        requestID.removeAll(keepingCapacity: true)
        host.removeAll(keepingCapacity: true)
        if !isLogin {
            if tpl.service == .s3 { rng.characters(16, from: upperAlnum, into: &requestID) } else { rng.uuid().append(to: &requestID) }
        }

        out.lit("{\"eventVersion\":\""); out += versionBytes[ti]
        out.lit("\",\"userIdentity\":")
        if isLogin && e.error == .noSuchUser {
            out.lit("{\"type\":\"IAMUser\",\"accountId\":\""); out += account.idBytes
            out.lit("\",\"accessKeyId\":\"\",\"userName\":\"HIDDEN_DUE_TO_SECURITY_REASONS\"}")
        } else {
            writeIdentity(isLogin ? principal.loginIdentity : principal.segments, principal, e.time, into: &out)
        }
        out.lit(",\"eventTime\":\""); UTC.appendISO(&out, e.time)
        out.lit("\",\"eventSource\":\""); out += sourceBytes[ti]
        out.lit("\",\"eventName\":\""); out += nameBytes[ti]
        out.lit("\",\"awsRegion\":\""); out += population.regionBytes[region]
        out.lit("\",\"sourceIPAddress\":\""); out += population.ips[Int(e.ip)]
        out.lit("\",\"userAgent\":\"")
        if e.client == .service { out += principal.invokedBy } else { out += userAgents[e.client.rawValue][ti] }
        out.lit("\"")
        writeError(e, tpl, principal, account, into: &out)

        out.lit(",\"requestParameters\":")
        writeBody(e, tpl, account, principal, rng: &rng, into: &out)
        out.lit(",\"responseElements\":")
        if e.error != .none && !isLogin || response.isEmpty { out.lit("null") } else { out += response }
        if !additional.isEmpty { out.lit(",\"additionalEventData\":"); out += additional }
        if !requestID.isEmpty { out.lit(",\"requestID\":\""); out += requestID; out.lit("\"") }
        out.lit(",\"eventID\":\""); e.eventID.append(to: &out)
        out.lit(tpl.readOnly ? "\",\"readOnly\":true" : "\",\"readOnly\":false")
        if !resources.isEmpty { out.lit(",\"resources\":"); out += resources }
        out.lit(isLogin ? ",\"eventType\":\"AwsConsoleSignIn\"" : ",\"eventType\":\"AwsApiCall\"")
        out.lit(",\"managementEvent\":true,\"recipientAccountId\":\""); out += account.idBytes
        out.lit("\",\"eventCategory\":\"Management\"")
        if e.client == .console && principal.sessionSeconds > 0 { out.lit(",\"sessionCredentialFromConsole\":\"true\"") }
        if e.client != .service {
            switch e.client {
            case .terraform, .datadog, .ssmAgent: out.lit(",\"tlsDetails\":{\"tlsVersion\":\"TLSv1.2\",\"cipherSuite\":\"ECDHE-RSA-AES128-GCM-SHA256\",\"clientProvidedHostHeader\":\"")
            default: out.lit(",\"tlsDetails\":{\"tlsVersion\":\"TLSv1.3\",\"cipherSuite\":\"TLS_AES_128_GCM_SHA256\",\"clientProvidedHostHeader\":\"")
            }
            if host.isEmpty { out += hostBytes[ti][region] } else { out += host }
            out.lit("\"}")
        }
        out.lit("}")
    }

    private func writeIdentity(_ segments: [IdentitySegment], _ p: Principal, _ t: Int64, into out: inout [UInt8]) {
        // Sessions are aligned to a per-principal phase so consecutive events share a key and
        // creationDate until the session expires, as real credentials do.
        let session = p.sessionSeconds > 0 ? (t + p.sessionPhase) / p.sessionSeconds : 0
        for seg in segments {
            switch seg {
            case .bytes(let b): out += b
            case .sessionKey:
                out.lit("ASIA")
                var h = splitMix64(p.keySalt ^ UInt64(bitPattern: session))
                for _ in 0..<16 { out.append(base32Upper[Int(h & 31)]); h = h >> 5 | h << 59 }
            case .creationDate:
                UTC.appendISO(&out, session * p.sessionSeconds - p.sessionPhase)
            case .eventTime:
                UTC.appendISO(&out, t)
            }
        }
    }

    private func writeError(_ e: EventSpec, _ tpl: Template, _ p: Principal, _ account: Account, into out: inout [UInt8]) {
        let ec2 = tpl.service == .ec2
        switch e.error {
        case .none: return
        case .denied:
            if ec2 {
                out.lit(",\"errorCode\":\"Client.UnauthorizedOperation\",\"errorMessage\":\"You are not authorized to perform this operation. User: ")
            } else if tpl.service == .s3 {
                out.lit(",\"errorCode\":\"AccessDenied\",\"errorMessage\":\"Access Denied\"")
                return
            } else {
                out.lit(",\"errorCode\":\"AccessDenied\",\"errorMessage\":\"User: ")
            }
            out.appendEscaped(p.kind == .awsService ? Array(p.invokedBy) : Array(p.arn.utf8))
            out.lit(" is not authorized to perform: "); out += actionBytes[Int(e.template)]
            out.lit(" because no identity-based policy allows the "); out += actionBytes[Int(e.template)]
            out.lit(" action\"")
        case .throttled:
            out.lit(ec2 ? ",\"errorCode\":\"Client.RequestLimitExceeded\",\"errorMessage\":\"Request limit exceeded.\""
                        : ",\"errorCode\":\"ThrottlingException\",\"errorMessage\":\"Rate exceeded\"")
        case .noSuchBucketPolicy:
            out.lit(",\"errorCode\":\"NoSuchBucketPolicy\",\"errorMessage\":\"The bucket policy does not exist\"")
        case .failedAuthentication:
            out.lit(",\"errorMessage\":\"Failed authentication\"")
        case .noSuchUser:
            out.lit(",\"errorMessage\":\"No username found in supplied account\"")
        }
    }

    // MARK: - Bodies

    /// Writes requestParameters into `out`, and fills the response/resources/additional scratch
    /// buffers, which `render` places later in the record.
    private mutating func writeBody(_ e: EventSpec, _ tpl: Template, _ a: Account, _ p: Principal,
                                    rng: inout Xoshiro256, into out: inout [UInt8]) {
        let region = Int(e.region)
        let res = a.regional[region]
        func pick(_ n: Int) -> Int { e.target >= 0 ? Int(e.target) % n : rng.below(n) }
        func okResponse() { response.lit("{\"requestId\":\""); response += requestID; response.lit("\",\"_return\":true}") }
        func regionB() -> [UInt8] { population.regionBytes[region] }

        switch tpl.body {
        case .none:
            out.lit("null")
        case .ec2Sets(let sets):
            out.lit("{")
            for (i, s) in sets.enumerated() {
                if i > 0 { out.lit(",") }
                out.lit("\""); out.append(contentsOf: s.utf8); out.lit("\":{}")
            }
            out.lit("}")
        case .ec2DescribeInstances:
            if rng.chance(0.5) {
                out.lit("{\"instancesSet\":{\"items\":[{\"instanceId\":\""); out += res.instances[pick(res.instances.count)].id
                out.lit("\"}]},\"filterSet\":{}}")
            } else {
                out.lit("{\"instancesSet\":{},\"filterSet\":{}}")
            }
        case .ec2DescribeInstanceStatus:
            out.lit("{\"instancesSet\":{},\"filterSet\":{},\"includeAllInstances\":false}")
        case .ec2DescribeTags:
            out.lit("{\"filterSet\":{\"items\":[{\"name\":\"resource-id\",\"valueSet\":{\"items\":[{\"value\":\"")
            out += res.instances[pick(res.instances.count)].id
            out.lit("\"}]}}]}}")
        case .ec2Stop, .ec2Start:
            let id = res.instances[pick(res.instances.count)].id
            let stop: Bool
            if case .ec2Stop = tpl.body { stop = true } else { stop = false }
            out.lit("{\"instancesSet\":{\"items\":[{\"instanceId\":\""); out += id
            out.lit(stop ? "\"}]},\"force\":false}" : "\"}]}}")
            response.lit("{\"requestId\":\""); response += requestID
            response.lit("\",\"instancesSet\":{\"items\":[{\"instanceId\":\""); response += id
            response.lit(stop ? "\",\"currentState\":{\"code\":64,\"name\":\"stopping\"},\"previousState\":{\"code\":16,\"name\":\"running\"}}]}}"
                              : "\",\"currentState\":{\"code\":0,\"name\":\"pending\"},\"previousState\":{\"code\":80,\"name\":\"stopped\"}}]}}")
        case .ec2CreateTags:
            out.lit("{\"resourcesSet\":{\"items\":[{\"resourceId\":\""); out += res.instances[pick(res.instances.count)].id
            out.lit("\"}]},\"tagSet\":{\"items\":[{\"key\":\"")
            let tag = rng.below(4)
            switch tag {
            case 0: out.lit("Owner\",\"value\":\"platform-team")
            case 1: out.lit("CostCenter\",\"value\":\"cc-1042")
            case 2: out.lit("Patch Group\",\"value\":\"linux-weekly")
            default: out.lit("Backup\",\"value\":\"daily")
            }
            out.lit("\"}]}}")
            okResponse()
        case .ec2AuthorizeIngress, .ec2RevokeIngress:
            let sg = res.securityGroups[pick(res.securityGroups.count)]
            let ports = [443, 22, 5432, 8080, 3389]
            let port = ports[rng.below(ports.count)]
            let cidrs: [StaticString] = ["10.0.0.0/16", "10.20.0.0/16", "203.0.113.0/24", "192.0.2.140/32", "0.0.0.0/0"]
            let cidr = cidrs[rng.below(port == 443 ? 5 : 4)]
            out.lit("{\"groupId\":\""); out += sg
            out.lit("\",\"ipPermissions\":{\"items\":[{\"ipProtocol\":\"tcp\",\"fromPort\":"); appendInt(&out, port)
            out.lit(",\"toPort\":"); appendInt(&out, port)
            out.lit(",\"groups\":{},\"ipRanges\":{\"items\":[{\"cidrIp\":\""); out.lit(cidr)
            out.lit("\"}]},\"ipv6Ranges\":{},\"prefixListIds\":{}}]}}")
            if case .ec2RevokeIngress = tpl.body { okResponse(); break }
            response.lit("{\"requestId\":\""); response += requestID
            response.lit("\",\"_return\":true,\"securityGroupRuleSet\":{\"items\":[{\"groupOwnerId\":\""); response += a.idBytes
            response.lit("\",\"groupId\":\""); response += sg
            response.lit("\",\"securityGroupRuleId\":\"sgr-0"); response.hex(rng.next(), digits: 16)
            response.lit("\",\"isEgress\":false,\"ipProtocol\":\"tcp\",\"fromPort\":"); appendInt(&response, port)
            response.lit(",\"toPort\":"); appendInt(&response, port)
            response.lit(",\"cidrIpv4\":\""); response.lit(cidr); response.lit("\"}]}}")
        case .ec2CreateSecurityGroup:
            out.lit("{\"groupName\":\"")
            switch rng.below(3) {
            case 0: out.lit("tmp-debug-"); out.hex(rng.next(), digits: 4)
            case 1: out.lit("batch-workers")
            default: out.lit("alb-internal")
            }
            out.lit("\",\"groupDescription\":\"Managed by Terraform\",\"vpcId\":\""); out += res.vpc; out.lit("\"}")
            response.lit("{\"requestId\":\""); response += requestID
            response.lit("\",\"_return\":true,\"groupId\":\"sg-0"); response.hex(rng.next(), digits: 16); response.lit("\"}")
        case .ec2DeleteSecurityGroup:
            out.lit("{\"groupId\":\""); out += res.securityGroups[pick(res.securityGroups.count)]; out.lit("\"}")
            okResponse()
        case .ec2NaclEntry:
            out.lit("{\"networkAclId\":\""); out += res.networkAcl
            out.lit("\",\"ruleNumber\":"); appendInt(&out, 100 + 10 * rng.below(10))
            out.lit(",\"egress\":false,\"ruleAction\":\"allow\",\"icmpTypeCode\":{},\"portRange\":{\"from\":443,\"to\":443},\"aclProtocol\":\"6\",\"cidrBlock\":\"10.0.0.0/16\"}")
            okResponse()
        case .ec2Route, .ec2DeleteRoute:
            out.lit("{\"routeTableId\":\""); out += res.routeTables[pick(res.routeTables.count)]
            out.lit("\",\"destinationCidrBlock\":\"10."); appendInt(&out, 20 + rng.below(40))
            if case .ec2Route = tpl.body {
                out.lit(".0.0/16\",\"natGatewayId\":\""); out += res.natGateway; out.lit("\"}")
            } else {
                out.lit(".0.0/16\"}")
            }
            okResponse()
        case .ec2CreateInternetGateway:
            out.lit("{}")
            response.lit("{\"requestId\":\""); response += requestID
            response.lit("\",\"internetGateway\":{\"internetGatewayId\":\"igw-0"); response.hex(rng.next(), digits: 16)
            response.lit("\",\"ownerId\":\""); response += a.idBytes; response.lit("\",\"attachmentSet\":{},\"tagSet\":{}}}")
        case .ec2AttachInternetGateway:
            out.lit("{\"internetGatewayId\":\""); out += res.internetGateway
            out.lit("\",\"vpcId\":\""); out += res.vpc; out.lit("\"}")
            okResponse()
        case .ec2ModifyVpc:
            out.lit("{\"vpcId\":\""); out += res.vpc; out.lit("\",\"enableDnsHostnames\":{\"value\":true}}")
            okResponse()

        case .s3ListBuckets:
            out.lit("{\"Host\":\"s3.amazonaws.com\"}")
            s3Additional(bytesIn: 0, bytesOut: 300 + 90 * a.buckets.count, rng: &rng)
        case .s3Bucket(let key):
            let bucket = a.buckets[pick(a.buckets.count)]
            s3BucketHead(bucket, into: &out)
            out.lit(",\""); out.append(contentsOf: key.utf8); out.lit("\":\"\"}")
            s3Resource(bucket, a)
            s3Additional(bytesIn: 0, bytesOut: e.error == .none ? 180 + rng.below(400) : 243, rng: &rng)
        case .s3PutBucketPolicy:
            let bucket = a.buckets[pick(a.buckets.count)]
            out.lit("{\"bucketPolicy\":{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"DenyInsecureTransport\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::")
            out += bucket; out.lit("\",\"arn:aws:s3:::"); out += bucket
            out.lit("/*\"],\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]},\"bucketName\":\"")
            out += bucket; out.lit("\",\"Host\":\""); out += bucket; out.lit(".s3.amazonaws.com\",\"policy\":\"\"}")
            host += bucket; host.lit(".s3.amazonaws.com")
            s3Resource(bucket, a)
            s3Additional(bytesIn: 310, bytesOut: 0, rng: &rng)
        case .s3PutLifecycle:
            let bucket = a.buckets[pick(a.buckets.count)]
            s3BucketHead(bucket, into: &out)
            out.lit(",\"lifecycle\":\"\",\"LifecycleConfiguration\":{\"xmlns\":\"http://s3.amazonaws.com/doc/2006-03-01/\",\"Rule\":{\"ID\":\"expire-tmp\",\"Status\":\"Enabled\",\"Filter\":{\"Prefix\":\"tmp/\"},\"Expiration\":{\"Days\":30}}}}")
            s3Resource(bucket, a)
            s3Additional(bytesIn: 260, bytesOut: 0, rng: &rng)

        case .iamUserName:
            out.lit("{\"userName\":\""); out += a.users[pick(a.users.count)]; out.lit("\"}")
        case .iamRoleName:
            out.lit("{\"roleName\":\""); out += a.roles[pick(a.roles.count)].name; out.lit("\"}")
        case .iamListPolicies:
            out.lit("{\"scope\":\"Local\",\"onlyAttached\":false,\"policyUsageFilter\":\"PermissionsPolicy\"}")
        case .iamPolicyArn:
            out.lit("{\"policyArn\":\""); writePolicyArn(a, rng: &rng, into: &out); out.lit("\"}")
        case .iamPolicyVersion:
            out.lit("{\"policyArn\":\""); writePolicyArn(a, rng: &rng, into: &out)
            out.lit("\",\"versionId\":\"v"); appendInt(&out, 1 + rng.below(6)); out.lit("\"}")
        case .iamAttachRolePolicy:
            out.lit("{\"roleName\":\""); out += a.roles[a.writableRoles[pick(a.writableRoles.count)]].name
            out.lit("\",\"policyArn\":\""); writePolicyArn(a, rng: &rng, into: &out); out.lit("\"}")
        case .iamPutRolePolicy:
            out.lit("{\"roleName\":\""); out += a.roles[a.writableRoles[pick(a.writableRoles.count)]].name
            out.lit("\",\"policyName\":\"inline-"); out.hex(rng.next(), digits: 6)
            out.lit("\",\"policyDocument\":"); out += policyDocument(e, rng: &rng); out.lit("}")
        case .iamPutUserPolicy:
            out.lit("{\"userName\":\""); out += a.users[pick(a.users.count)]
            out.lit("\",\"policyName\":\"inline-"); out.hex(rng.next(), digits: 6)
            out.lit("\",\"policyDocument\":"); out += policyDocument(e, rng: &rng); out.lit("}")
        case .iamAttachUserPolicy:
            out.lit("{\"userName\":\""); out += a.users[pick(a.users.count)]
            out.lit("\",\"policyArn\":\""); writePolicyArn(a, rng: &rng, into: &out); out.lit("\"}")
        case .iamCreatePolicy:
            let name = a.policies[pick(a.policies.count)]
            out.lit("{\"policyName\":\""); out += name.name
            out.lit("\",\"policyDocument\":"); out += policyDocument(e, rng: &rng)
            out.lit(",\"description\":\"Managed by Terraform\"}")
            response.lit("{\"policy\":{\"policyName\":\""); response += name.name
            response.lit("\",\"policyId\":\"ANPA"); rng.characters(17, from: upperAlnum, into: &response)
            response.lit("\",\"arn\":\""); response += name.arn
            response.lit("\",\"path\":\"/\",\"defaultVersionId\":\"v1\",\"attachmentCount\":0,\"permissionsBoundaryUsageCount\":0,\"isAttachable\":true,\"createDate\":\"")
            UTC.appendJavaMedium(&response, e.time); response.lit("\",\"updateDate\":\"")
            UTC.appendJavaMedium(&response, e.time); response.lit("\"}}")
        case .iamCreatePolicyVersion:
            out.lit("{\"policyArn\":\""); out += a.policies[pick(a.policies.count)].arn
            out.lit("\",\"policyDocument\":"); out += policyDocument(e, rng: &rng)
            out.lit(",\"setAsDefault\":true}")
            response.lit("{\"policyVersion\":{\"versionId\":\"v"); appendInt(&response, 2 + rng.below(4))
            response.lit("\",\"isDefaultVersion\":true,\"createDate\":\""); UTC.appendJavaMedium(&response, e.time)
            response.lit("\"}}")
        case .iamCreateAccessKey:
            let user: [UInt8] = p.kind == .root ? [] : (p.kind == .iamUser && e.target < 0 ? Array(p.userName.utf8) : a.users[pick(a.users.count)])
            if user.isEmpty { out.lit("null") } else { out.lit("{\"userName\":\""); out += user; out.lit("\"}") }
            response.lit("{\"accessKey\":{")
            if !user.isEmpty { response.lit("\"userName\":\""); response += user; response.lit("\",") }
            response.lit("\"accessKeyId\":\"AKIA"); rng.characters(16, from: upperAlnum, into: &response)
            response.lit("\",\"status\":\"Active\",\"createDate\":\""); UTC.appendJavaMedium(&response, e.time)
            response.lit("\"}}")
        case .iamCreateUser:
            let names: [StaticString] = ["svc-backup", "support-admin", "temp-migration"]
            let name = names[pick(names.count)]
            out.lit("{\"userName\":\""); out.lit(name); out.lit("\"}")
            response.lit("{\"user\":{\"path\":\"/\",\"userName\":\""); response.lit(name)
            response.lit("\",\"userId\":\"AIDA"); rng.characters(17, from: upperAlnum, into: &response)
            response.lit("\",\"arn\":\"arn:aws:iam::"); response += a.idBytes; response.lit(":user/"); response.lit(name)
            response.lit("\",\"createDate\":\""); UTC.appendJavaMedium(&response, e.time); response.lit("\"}}")

        case .stsAssumeRole:
            let role: Role
            var session: [UInt8] = []
            if p.kind == .awsService {
                switch p.invokedBy.first {
                case UInt8(ascii: "l"):
                    let k = rng.below(a.lambdaRoles.count)
                    role = a.roles[a.lambdaRoles[k]]; session = a.functions[k]
                case UInt8(ascii: "e") where p.invokedBy.count > 18:  // ecs-tasks
                    role = a.roles[a.appRole]; session.hex(rng.next(), digits: 16); session.hex(rng.next(), digits: 16)
                default:
                    role = a.roles[a.appRole]; session = res.instances[rng.below(res.instances.count)].id
                }
            } else {
                role = a.roles[a.deployRole]
                session.lit("terraform-"); appendInt(&session, 1_700_000_000 + Int(e.time % 100_000_000))
            }
            out.lit("{\"roleArn\":\""); out += role.arn; out.lit("\",\"roleSessionName\":\""); out += session
            out.lit(p.kind == .awsService ? "\"}" : "\",\"durationSeconds\":3600}")
            response.lit("{\"credentials\":{\"accessKeyId\":\"ASIA"); rng.characters(16, from: upperAlnum, into: &response)
            response.lit("\",\"sessionToken\":\"IQoJb3JpZ2luX2VjE"); rng.characters(48, from: alnum, into: &response)
            response.lit("\",\"expiration\":\""); UTC.appendJavaMedium(&response, e.time + 3600)
            response.lit("\"},\"assumedRoleUser\":{\"assumedRoleId\":\""); response += role.id; response.lit(":"); response += session
            response.lit("\",\"arn\":\"arn:aws:sts::"); response += a.idBytes; response.lit(":assumed-role/"); response += role.name
            response.lit("/"); response += session; response.lit("\"}}")
            resources.lit("[{\"accountId\":\""); resources += a.idBytes
            resources.lit("\",\"type\":\"AWS::IAM::Role\",\"ARN\":\""); resources += role.arn; resources.lit("\"}]")

        case .kmsDecrypt:
            let key = res.kmsKeys[pick(res.kmsKeys.count)]
            if let fn = a.lambdaPrincipals.firstIndex(of: e.principal) {
                out.lit("{\"encryptionAlgorithm\":\"SYMMETRIC_DEFAULT\",\"encryptionContext\":{\"aws:lambda:FunctionArn\":\"arn:aws:lambda:")
                out += regionB(); out.lit(":"); out += a.idBytes; out.lit(":function:"); out += a.functions[fn]; out.lit("\"}}")
            } else {
                out.lit("{\"encryptionAlgorithm\":\"SYMMETRIC_DEFAULT\"}")
            }
            kmsResource(key, a, region)
        case .kmsGenerateDataKey:
            let k = pick(res.kmsKeys.count)
            out.lit("{\"keyId\":\"alias/")
            out.lit(k == 0 ? "app-data" : k == 1 ? "backups" : "secrets")
            out.lit("\",\"keySpec\":\"AES_256\"}")
            kmsResource(res.kmsKeys[k], a, region)
        case .kmsKeyId:
            let key = res.kmsKeys[pick(res.kmsKeys.count)]
            out.lit("{\"keyId\":\""); out += key; out.lit("\"}")
            kmsResource(key, a, region)
        case .kmsScheduleDeletion:
            let key = res.kmsKeys[pick(res.kmsKeys.count)]
            out.lit("{\"keyId\":\""); out += key; out.lit("\",\"pendingWindowInDays\":30}")
            response.lit("{\"keyId\":\"arn:aws:kms:"); response += regionB(); response.lit(":"); response += a.idBytes
            response.lit(":key/"); response += key; response.lit("\",\"deletionDate\":\"")
            UTC.appendJavaMedium(&response, (e.time / 86_400 + 31) * 86_400)
            response.lit("\",\"keyState\":\"PendingDeletion\",\"pendingWindowInDays\":30}")
            kmsResource(key, a, region)

        case .lambdaFunction:
            out.lit("{\"functionName\":\""); out += a.functions[pick(a.functions.count)]; out.lit("\"}")
        case .lambdaUpdateCode:
            let k = pick(a.functions.count)
            let fn = a.functions[k]
            let hash = rng.next()
            out.lit("{\"functionName\":\""); out += fn; out.lit("\",\"publish\":true,\"dryRun\":false,\"s3Bucket\":\"")
            out += a.buckets[0]; out.lit("\",\"s3Key\":\"lambda/"); out += fn; out.lit("/"); out.hex(hash, digits: 12); out.lit(".zip\"}")
            response.lit("{\"functionName\":\""); response += fn
            response.lit("\",\"functionArn\":\"arn:aws:lambda:"); response += regionB(); response.lit(":"); response += a.idBytes
            response.lit(":function:"); response += fn
            response.lit("\",\"runtime\":\"nodejs20.x\",\"role\":\""); response += a.roles[a.lambdaRoles[k]].arn
            response.lit("\",\"handler\":\"index.handler\",\"codeSize\":"); appendInt(&response, 200_000 + rng.below(3_000_000))
            response.lit(",\"description\":\"\",\"timeout\":30,\"memorySize\":512,\"lastModified\":\"")
            var iso: [UInt8] = []
            UTC.appendISO(&iso, e.time)
            response += iso.dropLast(); response.lit(".000+0000\",\"codeSha256\":\"")
            rng.characters(43, from: alnum, into: &response)
            response.lit("=\",\"version\":\""); appendInt(&response, 10 + rng.below(90))
            response.lit("\",\"tracingConfig\":{\"mode\":\"PassThrough\"},\"revisionId\":\""); rng.uuid().append(to: &response)
            response.lit("\",\"state\":\"Active\",\"lastUpdateStatus\":\"InProgress\",\"lastUpdateStatusReason\":\"The function is being created.\",\"lastUpdateStatusReasonCode\":\"Creating\",\"packageType\":\"Zip\",\"architectures\":[\"arm64\"],\"ephemeralStorage\":{\"size\":512},\"snapStart\":{\"applyOn\":\"None\",\"optimizationStatus\":\"Off\"}}")

        case .ctDescribeTrails:
            out.lit("{\"trailNameList\":[],\"includeShadowTrails\":true}")
        case .ctTrailName:
            out.lit("{\"name\":\""); out += a.trailARN; out.lit("\"}")
            resources.lit("[{\"accountId\":\""); resources += a.idBytes
            resources.lit("\",\"type\":\"AWS::CloudTrail::Trail\",\"ARN\":\""); resources += a.trailARN; resources.lit("\"}]")
        case .ctEventSelectors:
            out.lit("{\"trailName\":\""); out += a.trailName; out.lit("\"}")
        case .ctLookupEvents:
            let names: [StaticString] = ["ConsoleLogin", "StopInstances", "AuthorizeSecurityGroupIngress", "CreateUser", "DeleteBucket"]
            out.lit("{\"lookupAttributes\":[{\"attributeKey\":\"EventName\",\"attributeValue\":\"")
            out.lit(names[rng.below(names.count)]); out.lit("\"}],\"maxResults\":50}")
        case .ctUpdateTrail:
            out.lit("{\"name\":\""); out += a.trailName; out.lit("\",\"isMultiRegionTrail\":true,\"enableLogFileValidation\":true}")
            response.lit("{\"name\":\""); response += a.trailName; response.lit("\",\"s3BucketName\":\"")
            response += a.buckets[1]; response.lit("\",\"includeGlobalServiceEvents\":true,\"isMultiRegionTrail\":true,\"trailARN\":\"")
            response += a.trailARN; response.lit("\",\"logFileValidationEnabled\":true,\"isOrganizationTrail\":false}")
            resources.lit("[{\"accountId\":\""); resources += a.idBytes
            resources.lit("\",\"type\":\"AWS::CloudTrail::Trail\",\"ARN\":\""); resources += a.trailARN; resources.lit("\"}]")

        case .logsCreateStream:
            // Functions write to their own group; other workloads to the non-Lambda groups.
            if let fn = a.lambdaPrincipals.firstIndex(of: e.principal) {
                out.lit("{\"logGroupName\":\"/aws/lambda/"); out += a.functions[fn]
            } else {
                let others = a.logGroups.count - a.functions.count
                out.lit("{\"logGroupName\":\""); out += a.logGroups[a.functions.count + rng.below(others)]
            }
            out.lit("\",\"logStreamName\":\"")
            var iso: [UInt8] = []
            UTC.appendISO(&iso, e.time)
            out += iso[0..<4]; out.lit("/"); out += iso[5..<7]; out.lit("/"); out += iso[8..<10]
            out.lit("/[$LATEST]"); out.hex(rng.next(), digits: 16); out.hex(rng.next(), digits: 16); out.lit("\"}")
        case .logsDescribeGroups:
            out.lit(rng.chance(0.5) ? "{\"logGroupNamePrefix\":\"/aws/lambda/\"}" : "{\"limit\":50}")
        case .logsGroup:
            out.lit("{\"logGroupName\":\""); out += a.logGroups[pick(a.logGroups.count)]; out.lit("\",\"limit\":50}")
        case .logsFilter:
            out.lit("{\"logGroupName\":\""); out += a.logGroups[pick(a.logGroups.count)]
            out.lit("\",\"startTime\":"); appendInt(&out, Int(e.time - 3600) * 1000)
            out.lit(",\"endTime\":"); appendInt(&out, Int(e.time) * 1000)
            out.lit(",\"filterPattern\":\"ERROR\",\"interleaved\":true}")
        case .logsRetention:
            out.lit("{\"logGroupName\":\""); out += a.logGroups[pick(a.logGroups.count)]; out.lit("\",\"retentionInDays\":90}")

        case .consoleLogin:
            out.lit("null")
            let success = e.error == .none
            response.lit(success ? "{\"ConsoleLogin\":\"Success\"}" : "{\"ConsoleLogin\":\"Failure\"}")
            additional.lit("{\"LoginTo\":\"https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_")
            additional += regionB(); additional.lit("_"); additional.hex(rng.next(), digits: 16)
            additional.lit("\",\"MobileVersion\":\"No\",")
            if success && p.usesMFA {
                additional.lit("\"MFAIdentifier\":\""); additional += p.mfaDevice; additional.lit("\",\"MFAUsed\":\"Yes\"}")
            } else {
                additional.lit("\"MFAUsed\":\"No\"}")
            }

        case .cwDescribeAlarms:
            out.lit(rng.chance(0.5) ? "{\"stateValue\":\"ALARM\"}" : "{\"maxRecords\":100}")
        case .cwPutMetricAlarm:
            out.lit("{\"alarmName\":\"high-cpu-"); out += res.instances[pick(res.instances.count)].id
            out.lit("\",\"metricName\":\"CPUUtilization\",\"namespace\":\"AWS/EC2\",\"statistic\":\"Average\",\"period\":300,\"evaluationPeriods\":3,\"threshold\":80.0,\"comparisonOperator\":\"GreaterThanThreshold\",\"alarmActions\":[\"arn:aws:sns:")
            out += regionB(); out.lit(":"); out += a.idBytes; out.lit(":ops-alerts\"]}")

        case .configPutRecorder:
            out.lit("{\"configurationRecorder\":{\"name\":\"default\",\"roleARN\":\"arn:aws:iam::"); out += a.idBytes
            out.lit(":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig\",\"recordingGroup\":{\"allSupported\":true,\"includeGlobalResourceTypes\":true,\"resourceTypes\":[]}}}")
        case .configPutDeliveryChannel:
            out.lit("{\"deliveryChannel\":{\"name\":\"default\",\"s3BucketName\":\""); out += a.buckets[1]
            out.lit("\",\"configSnapshotDeliveryProperties\":{\"deliveryFrequency\":\"TwentyFour_Hours\"}}}")

        case .ssmUpdateInstanceInformation:
            let inst = p.instance.index >= 0 ? a.regional[Int(p.instance.region)].instances[Int(p.instance.index)]
                                             : res.instances[pick(res.instances.count)]
            out += inst.ssmHeartbeat
        case .ssmInstanceId:
            let id = p.instance.index >= 0 ? a.regional[Int(p.instance.region)].instances[Int(p.instance.index)].id
                                           : res.instances[pick(res.instances.count)].id
            out.lit("{\"instanceId\":\""); out += id; out.lit("\"}")
        case .ssmGetParameter:
            out.lit("{\"name\":\""); out += a.parameters[pick(a.parameters.count)]; out.lit("\",\"withDecryption\":true}")
        case .ssmGetParameters:
            let k = rng.below(a.parameters.count)
            out.lit("{\"names\":[\""); out += a.parameters[k]; out.lit("\",\"")
            out += a.parameters[(k + 1) % a.parameters.count]; out.lit("\"],\"withDecryption\":true}")
        case .secretId:
            out.lit("{\"secretId\":\""); out += a.secrets[pick(a.secrets.count)]; out.lit("\"}")
        case .ddbTable:
            out.lit("{\"tableName\":\""); out += a.tables[pick(a.tables.count)]; out.lit("\"}")
        case .elbTargetHealth:
            out.lit("{\"targetGroupArn\":\""); out += res.targetGroups[pick(res.targetGroups.count)]; out.lit("\"}")
        }
    }

    private func writePolicyArn(_ a: Account, rng: inout Xoshiro256, into out: inout [UInt8]) {
        if rng.chance(0.5) {
            out += a.policies[rng.below(a.policies.count)].arn
        } else {
            let managed: [StaticString] = ["ReadOnlyAccess", "AmazonS3ReadOnlyAccess", "CloudWatchLogsFullAccess", "AmazonSSMManagedInstanceCore", "AdministratorAccess"]
            out.lit("arn:aws:iam::aws:policy/"); out.lit(managed[rng.below(managed.count - 1)])
        }
    }

    /// Policy documents appear as JSON *strings* holding the submitted text, newlines and all.
    private func policyDocument(_ e: EventSpec, rng: inout Xoshiro256) -> [UInt8] {
        e.hostile ? RecordRenderer.adminDocument : RecordRenderer.documents[rng.below(RecordRenderer.documents.count)]
    }

    private static let documents: [[UInt8]] = [
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": [\"s3:GetObject\", \"s3:PutObject\"],\n      \"Resource\": \"arn:aws:s3:::*-assets/*\"\n    }\n  ]\n}",
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"logs:CreateLogStream\",\"logs:PutLogEvents\"],\"Resource\":\"*\"}]}",
        "{\n\t\"Version\": \"2012-10-17\",\n\t\"Statement\": [{\"Sid\": \"ReadSecrets\", \"Effect\": \"Allow\", \"Action\": \"secretsmanager:GetSecretValue\", \"Resource\": \"*\", \"Condition\": {\"StringEquals\": {\"aws:RequestedRegion\": \"us-east-1\"}}}]\n}",
    ].map { var b: [UInt8] = []; b.jsonString($0); return b }

    private static let adminDocument: [UInt8] = {
        var b: [UInt8] = []
        b.jsonString("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}")
        return b
    }()

    private mutating func s3BucketHead(_ bucket: [UInt8], into out: inout [UInt8]) {
        out.lit("{\"bucketName\":\""); out += bucket; out.lit("\",\"Host\":\""); out += bucket; out.lit(".s3.amazonaws.com\"")
        host += bucket; host.lit(".s3.amazonaws.com")
    }

    private mutating func s3Resource(_ bucket: [UInt8], _ a: Account) {
        resources.lit("[{\"accountId\":\""); resources += a.idBytes
        resources.lit("\",\"type\":\"AWS::S3::Bucket\",\"ARN\":\"arn:aws:s3:::"); resources += bucket; resources.lit("\"}]")
    }

    private mutating func s3Additional(bytesIn: Int, bytesOut: Int, rng: inout Xoshiro256) {
        additional.lit("{\"SignatureVersion\":\"SigV4\",\"CipherSuite\":\"TLS_AES_128_GCM_SHA256\",\"bytesTransferredIn\":")
        appendInt(&additional, bytesIn)
        additional.lit(",\"AuthenticationMethod\":\"AuthHeader\",\"x-amz-id-2\":\"")
        rng.characters(74, from: alnum, into: &additional)
        additional.lit("=\",\"bytesTransferredOut\":"); appendInt(&additional, bytesOut); additional.lit("}")
    }

    private mutating func kmsResource(_ key: [UInt8], _ a: Account, _ region: Int) {
        resources.lit("[{\"accountId\":\""); resources += a.idBytes
        resources.lit("\",\"type\":\"AWS::KMS::Key\",\"ARN\":\"arn:aws:kms:"); resources += population.regionBytes[region]
        resources.lit(":"); resources += a.idBytes; resources.lit(":key/"); resources += key; resources.lit("\"}]")
    }
}

extension String {
    fileprivate var replacingUnderscores: String { String(map { $0 == "_" ? "-" : $0 }) }
}
