/// The API calls the generator can emit: service metadata plus one entry per (service, event
/// name) with the shape of its requestParameters/responseElements (`Body`).

enum Service: Int, CaseIterable, Sendable {
    case ec2, s3, iam, sts, kms, lambda, cloudtrail, logs, signin, monitoring, config, ssm, secretsmanager, dynamodb, elb, autoscaling

    var eventSource: String {
        switch self {
        case .elb: return "elasticloadbalancing.amazonaws.com"
        default: return "\(iamPrefix).amazonaws.com"
        }
    }

    /// The action prefix in IAM policies and AccessDenied messages.
    var iamPrefix: String {
        switch self {
        case .ec2: "ec2"
        case .s3: "s3"
        case .iam: "iam"
        case .sts: "sts"
        case .kms: "kms"
        case .lambda: "lambda"
        case .cloudtrail: "cloudtrail"
        case .logs: "logs"
        case .signin: "signin"
        case .monitoring: "monitoring"
        case .config: "config"
        case .ssm: "ssm"
        case .secretsmanager: "secretsmanager"
        case .dynamodb: "dynamodb"
        case .elb: "elasticloadbalancing"
        case .autoscaling: "autoscaling"
        }
    }

    /// AWS CLI command group, for the `md/command#…` part of CLI user agents.
    var cliGroup: String {
        switch self {
        case .s3: "s3api"
        case .monitoring: "cloudwatch"
        case .config: "configservice"
        case .elb: "elbv2"
        default: iamPrefix
        }
    }

    /// SDK API identifier (Terraform and JS SDK user agents name it).
    var sdkName: String {
        switch self {
        case .elb: "elastic_load_balancing_v2"
        case .monitoring: "cloudwatch"
        case .secretsmanager: "secrets_manager"
        case .logs: "cloudwatch_logs"
        case .config: "config_service"
        default: iamPrefix
        }
    }

    /// Recorded in us-east-1 whatever region the caller used.
    var isGlobal: Bool { self == .iam || self == .signin }

    var eventVersion: String {
        switch self {
        case .ec2, .iam, .sts, .s3, .signin, .cloudtrail, .kms: "1.09"
        default: "1.08"
        }
    }

    /// `clientProvidedHostHeader` for a region.
    func host(region: String) -> String {
        switch self {
        case .iam: "iam.amazonaws.com"
        case .signin: "signin.aws.amazon.com"
        case .s3: "s3.amazonaws.com"
        default: "\(iamPrefix).\(region).amazonaws.com"
        }
    }
}

/// requestParameters / responseElements / resources / additionalEventData shapes.
enum Body: Sendable {
    case none
    case ec2Sets([String])
    case ec2DescribeInstances, ec2DescribeInstanceStatus, ec2DescribeTags
    case ec2Stop, ec2Start, ec2CreateTags
    case ec2AuthorizeIngress, ec2RevokeIngress, ec2CreateSecurityGroup, ec2DeleteSecurityGroup
    case ec2NaclEntry, ec2Route, ec2DeleteRoute, ec2CreateInternetGateway, ec2AttachInternetGateway, ec2ModifyVpc
    case s3ListBuckets
    case s3Bucket(String)
    case s3PutBucketPolicy, s3PutLifecycle
    case iamUserName, iamRoleName, iamListPolicies, iamPolicyArn, iamPolicyVersion
    case iamAttachRolePolicy, iamPutRolePolicy, iamPutUserPolicy, iamAttachUserPolicy
    case iamCreatePolicy, iamCreatePolicyVersion, iamCreateAccessKey, iamCreateUser
    case stsAssumeRole
    case kmsDecrypt, kmsGenerateDataKey, kmsKeyId, kmsScheduleDeletion
    case lambdaFunction, lambdaUpdateCode
    case ctDescribeTrails, ctTrailName, ctEventSelectors, ctLookupEvents, ctUpdateTrail
    case logsCreateStream, logsDescribeGroups, logsGroup, logsFilter, logsRetention
    case consoleLogin
    case cwDescribeAlarms, cwPutMetricAlarm
    case configPutRecorder, configPutDeliveryChannel
    case ssmUpdateInstanceInformation, ssmInstanceId, ssmGetParameter, ssmGetParameters
    case secretId
    case ddbTable
    case elbTargetHealth
}

struct Template: Sendable {
    var service: Service
    var name: String
    var readOnly: Bool
    var body: Body
    /// Only ever called in the home region (trail administration).
    var homeOnly = false

    var isGlobal: Bool { service.isGlobal || homeOnly }

    /// The IAM action, without the API-version suffixes Lambda puts in event names.
    var action: String {
        guard service == .lambda, let cut = name.firstIndex(where: { $0.isNumber }) else { return name }
        return String(name[..<cut])
    }

    /// `describe-instances` style CLI command name.
    var cliCommand: String {
        var out = ""
        for (i, ch) in action.enumerated() {
            if ch.isUppercase, i > 0 { out.append("-") }
            out += ch.lowercased()
        }
        return out
    }
}

/// The catalog, indexed by event name (unique across the services we model).
struct EventCatalog: Sendable {
    let templates: [Template]
    private let byName: [String: Int]

    init() {
        var t: [Template] = []
        func add(_ s: Service, _ name: String, _ readOnly: Bool, _ body: Body, homeOnly: Bool = false) {
            t.append(Template(service: s, name: name, readOnly: readOnly, body: body, homeOnly: homeOnly))
        }
        // EC2
        add(.ec2, "DescribeInstances", true, .ec2DescribeInstances)
        add(.ec2, "DescribeInstanceStatus", true, .ec2DescribeInstanceStatus)
        add(.ec2, "DescribeSecurityGroups", true, .ec2Sets(["securityGroupSet", "securityGroupIdSet", "filterSet"]))
        add(.ec2, "DescribeVolumes", true, .ec2Sets(["volumeSet", "filterSet"]))
        add(.ec2, "DescribeSubnets", true, .ec2Sets(["subnetSet", "filterSet"]))
        add(.ec2, "DescribeVpcs", true, .ec2Sets(["vpcSet", "filterSet"]))
        add(.ec2, "DescribeRouteTables", true, .ec2Sets(["routeTableIdSet", "filterSet"]))
        add(.ec2, "DescribeNetworkAcls", true, .ec2Sets(["networkAclIdSet", "filterSet"]))
        add(.ec2, "DescribeNetworkInterfaces", true, .ec2Sets(["networkInterfaceIdSet", "filterSet"]))
        add(.ec2, "DescribeAddresses", true, .ec2Sets(["publicIpsSet", "allocationIdsSet", "filterSet"]))
        add(.ec2, "DescribeImages", true, .ec2Sets(["executableBySet", "imagesSet", "ownersSet", "filterSet"]))
        add(.ec2, "DescribeRegions", true, .ec2Sets(["regionSet"]))
        add(.ec2, "DescribeTags", true, .ec2DescribeTags)
        add(.ec2, "StopInstances", false, .ec2Stop)
        add(.ec2, "StartInstances", false, .ec2Start)
        add(.ec2, "CreateTags", false, .ec2CreateTags)
        add(.ec2, "AuthorizeSecurityGroupIngress", false, .ec2AuthorizeIngress)
        add(.ec2, "RevokeSecurityGroupIngress", false, .ec2RevokeIngress)
        add(.ec2, "CreateSecurityGroup", false, .ec2CreateSecurityGroup)
        add(.ec2, "DeleteSecurityGroup", false, .ec2DeleteSecurityGroup)
        add(.ec2, "CreateNetworkAclEntry", false, .ec2NaclEntry)
        add(.ec2, "ReplaceNetworkAclEntry", false, .ec2NaclEntry)
        add(.ec2, "CreateRoute", false, .ec2Route)
        add(.ec2, "ReplaceRoute", false, .ec2Route)
        add(.ec2, "DeleteRoute", false, .ec2DeleteRoute)
        add(.ec2, "CreateInternetGateway", false, .ec2CreateInternetGateway)
        add(.ec2, "AttachInternetGateway", false, .ec2AttachInternetGateway)
        add(.ec2, "ModifyVpcAttribute", false, .ec2ModifyVpc)
        // S3 (bucket-level management events)
        add(.s3, "ListBuckets", true, .s3ListBuckets)
        add(.s3, "GetBucketLocation", true, .s3Bucket("location"))
        add(.s3, "GetBucketAcl", true, .s3Bucket("acl"))
        add(.s3, "GetBucketPolicy", true, .s3Bucket("policy"))
        add(.s3, "GetBucketVersioning", true, .s3Bucket("versioning"))
        add(.s3, "GetBucketTagging", true, .s3Bucket("tagging"))
        add(.s3, "GetBucketEncryption", true, .s3Bucket("encryption"))
        add(.s3, "GetBucketPublicAccessBlock", true, .s3Bucket("publicAccessBlock"))
        add(.s3, "PutBucketPolicy", false, .s3PutBucketPolicy)
        add(.s3, "PutBucketLifecycle", false, .s3PutLifecycle)
        add(.s3, "DeleteBucketPolicy", false, .s3Bucket("policy"))
        // IAM
        add(.iam, "GetUser", true, .iamUserName)
        add(.iam, "ListUsers", true, .none)
        add(.iam, "ListRoles", true, .none)
        add(.iam, "GetRole", true, .iamRoleName)
        add(.iam, "ListAttachedRolePolicies", true, .iamRoleName)
        add(.iam, "ListRolePolicies", true, .iamRoleName)
        add(.iam, "ListPolicies", true, .iamListPolicies)
        add(.iam, "GetPolicy", true, .iamPolicyArn)
        add(.iam, "GetPolicyVersion", true, .iamPolicyVersion)
        add(.iam, "ListAccessKeys", true, .iamUserName)
        add(.iam, "ListMFADevices", true, .iamUserName)
        add(.iam, "GetAccountSummary", true, .none)
        add(.iam, "ListAccountAliases", true, .none)
        add(.iam, "GetAccountAuthorizationDetails", true, .none)
        add(.iam, "AttachRolePolicy", false, .iamAttachRolePolicy)
        add(.iam, "DetachRolePolicy", false, .iamAttachRolePolicy)
        add(.iam, "PutRolePolicy", false, .iamPutRolePolicy)
        add(.iam, "PutUserPolicy", false, .iamPutUserPolicy)
        add(.iam, "AttachUserPolicy", false, .iamAttachUserPolicy)
        add(.iam, "CreatePolicy", false, .iamCreatePolicy)
        add(.iam, "CreatePolicyVersion", false, .iamCreatePolicyVersion)
        add(.iam, "CreateAccessKey", false, .iamCreateAccessKey)
        add(.iam, "CreateUser", false, .iamCreateUser)
        // STS
        add(.sts, "GetCallerIdentity", true, .none)
        add(.sts, "AssumeRole", true, .stsAssumeRole)
        // KMS
        add(.kms, "Decrypt", true, .kmsDecrypt)
        add(.kms, "GenerateDataKey", true, .kmsGenerateDataKey)
        add(.kms, "DescribeKey", true, .kmsKeyId)
        add(.kms, "GetKeyRotationStatus", true, .kmsKeyId)
        add(.kms, "ListAliases", true, .none)
        add(.kms, "ListKeys", true, .none)
        add(.kms, "EnableKeyRotation", false, .kmsKeyId)
        add(.kms, "DisableKey", false, .kmsKeyId)
        add(.kms, "ScheduleKeyDeletion", false, .kmsScheduleDeletion)
        // Lambda
        add(.lambda, "ListFunctions20150331", true, .none)
        add(.lambda, "GetFunction20150331v2", true, .lambdaFunction)
        add(.lambda, "GetFunctionConfiguration20150331v2", true, .lambdaFunction)
        add(.lambda, "UpdateFunctionCode20150331v2", false, .lambdaUpdateCode)
        // CloudTrail
        add(.cloudtrail, "DescribeTrails", true, .ctDescribeTrails)
        add(.cloudtrail, "GetTrailStatus", true, .ctTrailName)
        add(.cloudtrail, "ListTrails", true, .none)
        add(.cloudtrail, "GetEventSelectors", true, .ctEventSelectors)
        add(.cloudtrail, "LookupEvents", true, .ctLookupEvents)
        add(.cloudtrail, "UpdateTrail", false, .ctUpdateTrail, homeOnly: true)
        add(.cloudtrail, "StopLogging", false, .ctTrailName, homeOnly: true)
        add(.cloudtrail, "StartLogging", false, .ctTrailName, homeOnly: true)
        add(.cloudtrail, "DeleteTrail", false, .ctTrailName, homeOnly: true)
        // CloudWatch Logs
        add(.logs, "CreateLogStream", false, .logsCreateStream)
        add(.logs, "DescribeLogGroups", true, .logsDescribeGroups)
        add(.logs, "DescribeLogStreams", true, .logsGroup)
        add(.logs, "GetLogEvents", true, .logsGroup)
        add(.logs, "FilterLogEvents", true, .logsFilter)
        add(.logs, "PutRetentionPolicy", false, .logsRetention)
        // Sign-in
        add(.signin, "ConsoleLogin", false, .consoleLogin)
        // CloudWatch
        add(.monitoring, "DescribeAlarms", true, .cwDescribeAlarms)
        add(.monitoring, "DescribeAlarmHistory", true, .cwDescribeAlarms)
        add(.monitoring, "PutMetricAlarm", false, .cwPutMetricAlarm)
        // Config
        add(.config, "DescribeConfigurationRecorders", true, .none)
        add(.config, "DescribeConfigurationRecorderStatus", true, .none)
        add(.config, "DescribeComplianceByConfigRule", true, .none)
        add(.config, "PutConfigurationRecorder", false, .configPutRecorder)
        add(.config, "PutDeliveryChannel", false, .configPutDeliveryChannel)
        // Systems Manager
        add(.ssm, "UpdateInstanceInformation", false, .ssmUpdateInstanceInformation)
        add(.ssm, "ListInstanceAssociations", true, .ssmInstanceId)
        add(.ssm, "DescribeInstanceInformation", true, .none)
        add(.ssm, "GetParameter", true, .ssmGetParameter)
        add(.ssm, "GetParameters", true, .ssmGetParameters)
        // Secrets Manager
        add(.secretsmanager, "GetSecretValue", true, .secretId)
        add(.secretsmanager, "DescribeSecret", true, .secretId)
        add(.secretsmanager, "ListSecrets", true, .none)
        // DynamoDB, ELB, Auto Scaling
        add(.dynamodb, "DescribeTable", true, .ddbTable)
        add(.dynamodb, "ListTables", true, .none)
        add(.elb, "DescribeLoadBalancers", true, .none)
        add(.elb, "DescribeTargetGroups", true, .none)
        add(.elb, "DescribeTargetHealth", true, .elbTargetHealth)
        add(.autoscaling, "DescribeAutoScalingGroups", true, .none)
        templates = t
        var index: [String: Int] = [:]
        for (i, tpl) in t.enumerated() {
            precondition(index[tpl.name] == nil, "duplicate template \(tpl.name)")
            index[tpl.name] = i
        }
        byName = index
    }

    /// Index of a template; the names are literals in this module, so a miss is a programming error.
    func id(_ name: String) -> Int {
        guard let i = byName[name] else { preconditionFailure("unknown event template \(name)") }
        return i
    }
}
