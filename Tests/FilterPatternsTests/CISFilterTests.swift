import Testing
import TrailJSON
@testable import FilterPatterns

/// The 15 CIS / Security Hub CloudWatch metric filters of `shared/specs/cis-metric-filters.json`:
/// each compiles, matches a record written to trigger it, and does not match a near miss.
@Suite struct CISFilterTests {
    typealias Record = [String: JSONValue]

    /// Per control: a record that must match and a near miss that must not.
    static let records: [String: (match: Record, miss: Record)] = [
        "CloudWatch.1": (["userIdentity.type": "Root", "eventType": "AwsApiCall"],
                         ["userIdentity.type": "Root", "userIdentity.invokedBy": "support.amazonaws.com"]),
        "CloudWatch.2": (["errorCode": "Client.UnauthorizedOperation"], ["errorCode": "ThrottlingException"]),
        "CloudWatch.3": (["eventName": "ConsoleLogin", "additionalEventData.MFAUsed": "No",
                          "responseElements.ConsoleLogin": "Success"],
                         ["eventName": "ConsoleLogin", "additionalEventData.MFAUsed": "Yes",
                          "responseElements.ConsoleLogin": "Success"]),
        "CloudWatch.4": (["eventName": "PutRolePolicy"], ["eventName": "GetRolePolicy"]),
        "CloudWatch.5": (["eventName": "StopLogging", "eventSource": "cloudtrail.amazonaws.com"],
                         ["eventName": "DescribeTrails", "eventSource": "cloudtrail.amazonaws.com"]),
        "CloudWatch.6": (["eventName": "ConsoleLogin", "errorMessage": "Failed authentication"],
                         ["eventName": "ConsoleLogin", "errorMessage": "Failed authentication, MFA"]),
        "CloudWatch.7": (["eventSource": "kms.amazonaws.com", "eventName": "ScheduleKeyDeletion"],
                         ["eventSource": "kms.amazonaws.com", "eventName": "Decrypt"]),
        "CloudWatch.8": (["eventSource": "s3.amazonaws.com", "eventName": "PutBucketPolicy"],
                         ["eventSource": "ec2.amazonaws.com", "eventName": "PutBucketPolicy"]),
        "CloudWatch.9": (["eventSource": "config.amazonaws.com", "eventName": "StopConfigurationRecorder"],
                         ["eventSource": "config.amazonaws.com", "eventName": "DescribeConfigurationRecorders"]),
        "CloudWatch.10": (["eventName": "AuthorizeSecurityGroupIngress"], ["eventName": "DescribeSecurityGroups"]),
        "CloudWatch.11": (["eventName": "CreateNetworkAclEntry"], ["eventName": "DescribeNetworkAcls"]),
        "CloudWatch.12": (["eventName": "AttachInternetGateway"], ["eventName": "DescribeInternetGateways"]),
        "CloudWatch.13": (["eventName": "ReplaceRoute"], ["eventName": "DescribeRouteTables"]),
        "CloudWatch.14": (["eventName": "CreateVpcPeeringConnection"], ["eventName": "DescribeVpcs"]),
        "CIS-4.15": (["eventSource": "organizations.amazonaws.com", "eventName": "CreateAccount"],
                     ["eventSource": "organizations.amazonaws.com", "eventName": "DescribeOrganization"]),
    ]

    static func controls() -> [(id: String, pattern: String, variants: [(pattern: String, parses: Bool)])] {
        guard let spec = loadSpec("cis-metric-filters.json")?.arrayValue else { return [] }
        return spec.map { c in
            (c["id"]?.stringValue ?? "?", c["filterPattern"]?.stringValue ?? "",
             (c["variants"]?.arrayValue ?? []).map { ($0["filterPattern"]?.stringValue ?? "", $0["parses"]?.boolValue ?? true) })
        }
    }

    @Test func fifteenControlsWithRecordsForEach() {
        let controls = CISFilterTests.controls()
        #expect(controls.count == 15)
        #expect(Set(controls.map(\.id)) == Set(CISFilterTests.records.keys))
    }

    @Test func eachPatternMatchesItsRecordAndNotTheNearMiss() throws {
        for control in CISFilterTests.controls() {
            let pattern = try FilterPattern(control.pattern)
            #expect(pattern.kind == .json)
            guard let records = CISFilterTests.records[control.id] else {
                Issue.record("no records written for \(control.id)")
                continue
            }
            #expect(pattern.matches(cloudTrailRecord(records.match)), "\(control.id) should match")
            #expect(!pattern.matches(cloudTrailRecord(records.miss)), "\(control.id) should not match the near miss")
            #expect(!pattern.matches(cloudTrailRecord()), "\(control.id) should not match a plain DescribeInstances")
        }
    }

    @Test func rootUsageByAServiceEventDoesNotCount() throws {
        let control = try #require(CISFilterTests.controls().first { $0.id == "CloudWatch.1" })
        let p = try FilterPattern(control.pattern)
        #expect(!p.matches(cloudTrailRecord(["userIdentity.type": "Root", "eventType": "AwsServiceEvent"])))
        #expect(p.matches(cloudTrailRecord(["userIdentity.type": "Root"], removing: [])))
    }

    @Test func unauthorizedCallsMatchBothWildcardShapes() throws {
        let control = try #require(CISFilterTests.controls().first { $0.id == "CloudWatch.2" })
        let p = try FilterPattern(control.pattern)
        #expect(p.matches(cloudTrailRecord(["errorCode": "AccessDenied"])))
        #expect(p.matches(cloudTrailRecord(["errorCode": "AccessDeniedException"])))
        #expect(p.matches(cloudTrailRecord(["errorCode": "UnauthorizedOperation"])))
        #expect(!p.matches(cloudTrailRecord(["errorCode": "UnauthorizedOperationX"])))
        #expect(!p.matches(cloudTrailRecord(["errorCode": "NotAccessDenied"])))
    }

    /// The benchmark transcriptions: the ones marked as not parsing (words broken by line
    /// wrapping, an unbalanced quote) are rejected; the others compile.
    @Test func variantsParseAsRecorded() {
        var rejected = 0
        for control in CISFilterTests.controls() {
            for variant in control.variants {
                do {
                    _ = try FilterPattern(variant.pattern)
                    #expect(variant.parses, "\(control.id) variant should have been rejected: \(variant.pattern)")
                } catch {
                    #expect(!variant.parses, "\(control.id) variant rejected: \(error)")
                    rejected += 1
                }
            }
        }
        #expect(rejected == 4)
    }

    @Test func allFifteenTogetherAgreeWithEachAlone() throws {
        let controls = CISFilterTests.controls()
        let filters = try controls.map {
            (pattern: try FilterPattern($0.pattern), transformation: try MetricTransformation(namespace: "CISBenchmark", name: $0.id.replacingOccurrences(of: ".", with: "_")))
        }
        let evaluator = FilterEvaluator(filters)
        var records = CISFilterTests.records.values.flatMap { [cloudTrailRecord($0.match), cloudTrailRecord($0.miss)] }
        records.append(cloudTrailRecord())
        records.append("not json")
        for record in records {
            let outcomes = evaluator.outcomes(record)
            #expect(outcomes.count == filters.count)
            for (i, f) in filters.enumerated() {
                let expected: FilterOutcome = f.pattern.matches(record) ? .match(value: 1, dimensions: []) : .noMatch
                #expect(outcomes[i] == expected, "\(controls[i].id) on \(record)")
            }
        }
        // Every control fires on its own record, and nothing fires on the plain one.
        for (i, control) in controls.enumerated() {
            let outcomes = evaluator.outcomes(cloudTrailRecord(CISFilterTests.records[control.id]!.match))
            #expect(outcomes[i] == .match(value: 1, dimensions: []), "\(control.id)")
        }
        #expect(evaluator.outcomes(cloudTrailRecord()).allSatisfy { $0 == .noMatch })
    }
}
