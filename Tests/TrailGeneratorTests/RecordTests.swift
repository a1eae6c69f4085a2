import Testing
import TrailJSON
@testable import TrailGenerator

@Suite struct RecordTests {
    static var uuid: Regex<AnyRegexOutput> { try! Regex(#"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"#) }
    static var time: Regex<AnyRegexOutput> { try! Regex(#"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"#) }

    func path(_ p: String) -> JSONPath { try! JSONPath(parsing: p) }

    @Test func everyRecordHasTheRequiredFieldsWithTheRightTypes() throws {
        var ids = Set<String>()
        for r in weekTrail.records {
            for key in ["eventVersion", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress", "userAgent",
                        "eventID", "eventType", "recipientAccountId", "eventCategory"] {
                #expect(r[key]?.stringValue != nil, "\(key) missing or not a string in \(r.jsonText())")
            }
            #expect(["1.08", "1.09"].contains(r["eventVersion"]!.stringValue!))
            #expect(r["eventTime"]!.stringValue!.wholeMatch(of: Self.time) != nil)
            #expect(r["eventSource"]!.stringValue!.hasSuffix(".amazonaws.com"))
            #expect(r["readOnly"]?.boolValue != nil, "readOnly must be a JSON bool")
            #expect(r["managementEvent"]?.boolValue == true)
            #expect(r["eventCategory"]?.stringValue == "Management")
            #expect(["AwsApiCall", "AwsConsoleSignIn"].contains(r["eventType"]!.stringValue!))
            let id = r["eventID"]!.stringValue!
            #expect(id.wholeMatch(of: Self.uuid) != nil, "eventID \(id) is not a v4 UUID")
            #expect(ids.insert(id).inserted, "duplicate eventID \(id)")
            #expect(r["requestParameters"] != nil && r["responseElements"] != nil)
            if let re = r["requestParameters"], !re.isNull { #expect(re.objectValue != nil) }
            #expect(r["userIdentity"]?.objectValue != nil)
            if r["errorCode"] != nil { #expect(r["responseElements"]?.isNull == true) }
        }
        #expect(ids.count == weekTrail.summary.events)
    }

    @Test func userIdentityVariantsAreShapedLikeCloudTrails() throws {
        var seen = Set<String>()
        var sso = false, ec2Role = false, consoleMFA = false
        for r in weekTrail.records {
            let ui = try #require(r["userIdentity"])
            let type = try #require(ui["type"]?.stringValue)
            seen.insert(type)
            let account = r["recipientAccountId"]!.stringValue!
            switch type {
            case "IAMUser":
                if r["eventName"]?.stringValue == "ConsoleLogin" { continue }
                #expect(ui["principalId"]?.stringValue?.hasPrefix("AIDA") == true)
                #expect(ui["arn"]?.stringValue?.hasPrefix("arn:aws:iam::\(account):user/") == true)
                let key = try #require(ui["accessKeyId"]?.stringValue)
                #expect(key.hasPrefix("AKIA") || key.hasPrefix("ASIA"))
                #expect(key.count == 20)
                if let mfa = path("sessionContext.attributes.mfaAuthenticated").value(in: ui) {
                    #expect(mfa.stringValue == "true" || mfa.stringValue == "false", "mfaAuthenticated must be a string")
                    if mfa.stringValue == "true" { consoleMFA = true }
                }
            case "AssumedRole":
                #expect(ui["principalId"]?.stringValue?.hasPrefix("AROA") == true)
                #expect(ui["arn"]?.stringValue?.hasPrefix("arn:aws:sts::\(account):assumed-role/") == true)
                let issuer = try #require(path("sessionContext.sessionIssuer.arn").value(in: ui)?.stringValue)
                #expect(issuer.hasPrefix("arn:aws:iam::\(account):role/"))
                #expect(path("sessionContext.sessionIssuer.type").value(in: ui)?.stringValue == "Role")
                let created = try #require(path("sessionContext.attributes.creationDate").value(in: ui)?.stringValue)
                #expect(created.wholeMatch(of: Self.time) != nil)
                #expect(path("sessionContext.attributes.mfaAuthenticated").value(in: ui)?.stringValue == "false")
                if r["eventName"]?.stringValue != "ConsoleLogin" {
                    #expect(try #require(epoch(created)) <= epoch(r["eventTime"]!.stringValue!)!)
                    #expect(ui["accessKeyId"]?.stringValue?.hasPrefix("ASIA") == true)
                }
                if issuer.contains("/aws-reserved/sso.amazonaws.com/AWSReservedSSO_") { sso = true }
                if path("sessionContext.ec2RoleDelivery").value(in: ui)?.stringValue == "2.0" {
                    ec2Role = true
                    #expect(ui["arn"]!.stringValue!.contains("/i-0"))
                }
            case "AWSService":
                let by = try #require(ui["invokedBy"]?.stringValue)
                #expect(by.hasSuffix(".amazonaws.com"))
                #expect(r["sourceIPAddress"]?.stringValue == by)
                #expect(r["tlsDetails"] == nil)
            case "Root":
                #expect(ui["arn"]?.stringValue == "arn:aws:iam::\(account):root")
                #expect(ui["principalId"]?.stringValue == account)
            default:
                Issue.record("unexpected userIdentity type \(type)")
            }
        }
        #expect(seen == ["IAMUser", "AssumedRole", "AWSService", "Root"])
        #expect(sso && ec2Role && consoleMFA)
    }

    @Test func ec2StopAndStartCarryInstanceStates() throws {
        var stops = 0, starts = 0
        for r in weekTrail.records where r["eventSource"]?.stringValue == "ec2.amazonaws.com" && r["errorCode"] == nil {
            let name = r["eventName"]!.stringValue!
            guard name == "StopInstances" || name == "StartInstances" else { continue }
            let requested = path("requestParameters.instancesSet.items.0.instanceId").value(in: r)?.stringValue
            #expect(requested?.hasPrefix("i-0") == true)
            #expect(path("responseElements.instancesSet.items.0.instanceId").value(in: r)?.stringValue == requested)
            let current = path("responseElements.instancesSet.items.0.currentState.name").value(in: r)?.stringValue
            let previous = path("responseElements.instancesSet.items.0.previousState.code").value(in: r)?.intValue
            if name == "StopInstances" {
                stops += 1
                #expect(current == "stopping" && previous == 16)
            } else {
                starts += 1
                #expect(current == "pending" && previous == 80)
            }
            #expect(path("responseElements.requestId").value(in: r)?.stringValue == r["requestID"]?.stringValue)
        }
        #expect(stops > 0 && starts > 0)
    }

    @Test func consoleLoginsLookLikeSignInEvents() throws {
        var success = 0, failure = 0
        for r in weekTrail.records where r["eventName"]?.stringValue == "ConsoleLogin" {
            #expect(r["eventSource"]?.stringValue == "signin.amazonaws.com")
            #expect(r["eventType"]?.stringValue == "AwsConsoleSignIn")
            #expect(r["requestParameters"]?.isNull == true)
            #expect(r["requestID"] == nil)
            let result = path("responseElements.ConsoleLogin").value(in: r)?.stringValue
            let mfa = path("additionalEventData.MFAUsed").value(in: r)?.stringValue
            #expect(mfa == "Yes" || mfa == "No")
            if result == "Success" {
                success += 1
                #expect(r["errorMessage"] == nil)
            } else {
                failure += 1
                #expect(result == "Failure")
                #expect(["Failed authentication", "No username found in supplied account"].contains(r["errorMessage"]?.stringValue ?? ""))
            }
        }
        #expect(success > 0 && failure > 0)
    }

    @Test func policyDocumentsAreEscapedJSONStrings() throws {
        var found = 0
        for r in weekTrail.records {
            guard let doc = path("requestParameters.policyDocument").value(in: r)?.stringValue else { continue }
            found += 1
            let parsed = try JSONValue.parse(doc)
            #expect(parsed["Version"]?.stringValue == "2012-10-17")
        }
        #expect(found > 0)
    }

    @Test func errorsIncludeAccessDeniedThrottlingAndEC2Unauthorized() throws {
        var codes = Set<String>()
        for r in weekTrail.records { if let c = r["errorCode"]?.stringValue { codes.insert(c) } }
        #expect(codes.isSuperset(of: ["AccessDenied", "Client.UnauthorizedOperation", "NoSuchBucketPolicy"]))
        let throttled = try GeneratedTrail.make(GeneratorConfig(days: 1, eventsPerDay: 3000, seed: 3, anomalies: .none))
        #expect(throttled.records.contains { $0["errorCode"]?.stringValue == "ThrottlingException" })
    }
}
