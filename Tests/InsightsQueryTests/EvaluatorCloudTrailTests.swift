import Testing
import TrailJSON
@testable import InsightsQuery

/// The spec's §11 CloudTrail sample queries over a handful of hand-written CloudTrail records.
@Suite struct EvaluatorCloudTrailTests {
    static func event(_ name: String, source: String, region: String, at time: String, account: String = "111122223333",
                      errorCode: String? = nil, errorMessage: String? = nil, tls: String? = nil, cipher: String = "ECDHE-RSA-AES128-GCM-SHA256",
                      agent: String = "aws-cli/2.0", extra: [(String, JSONValue)] = []) -> JSONRecord {
        var pairs: [(String, JSONValue)] = [
            ("eventVersion", "1.08"),
            ("userIdentity", ["type": "IAMUser", "accountId": .string(account), "userName": "Alice",
                              "arn": .string("arn:aws:iam::\(account):user/Alice")]),
            ("eventTime", .string(time)), ("eventSource", .string(source)), ("eventName", .string(name)),
            ("awsRegion", .string(region)), ("sourceIPAddress", "198.51.100.1"), ("userAgent", .string(agent)),
            ("recipientAccountId", .string(account)),
        ]
        if let errorCode { pairs.append(("errorCode", .string(errorCode))) }
        if let errorMessage { pairs.append(("errorMessage", .string(errorMessage))) }
        if let tls { pairs.append(("tlsDetails", ["tlsVersion": .string(tls), "cipherSuite": .string(cipher)])) }
        pairs += extra
        return JSONRecord(json: .object(JSONObject(pairs)), logStream: "\(account)_CloudTrail_\(region)", log: "\(account):CloudTrail/DefaultLogGroup")
    }

    static let events: [JSONRecord] = [
        event("StartInstances", source: "ec2.amazonaws.com", region: "us-east-2", at: "2023-05-01T10:00:00Z", tls: "TLSv1.2",
              extra: [("requestParameters", ["instancesSet": ["items": [["instanceId": "i-abcde123"]]]])]),
        event("StopInstances", source: "ec2.amazonaws.com", region: "us-east-2", at: "2023-05-01T10:05:00Z", tls: "TLSv1"),
        event("StopInstances", source: "ec2.amazonaws.com", region: "eu-west-1", at: "2023-05-01T10:06:00Z", tls: "TLSv1.1", agent: "Boto3/1.9"),
        event("CreateUser", source: "iam.amazonaws.com", region: "us-east-1", at: "2023-05-01T10:07:00Z", tls: "TLSv1",
              extra: [("requestParameters", ["userName": "bob"]), ("responseElements", ["user": ["arn": "arn:aws:iam::111122223333:user/bob"]])]),
        event("UpdateTrail", source: "cloudtrail.amazonaws.com", region: "us-east-1", at: "2023-05-01T10:08:00Z",
              errorCode: "AccessDenied", errorMessage: "User is not authorized"),
        event("UpdateTrail", source: "cloudtrail.amazonaws.com", region: "us-east-1", at: "2023-05-01T10:09:00Z",
              errorCode: "AccessDenied", errorMessage: "User is not authorized"),
        event("UpdateTrail", source: "cloudtrail.amazonaws.com", region: "us-east-1", at: "2023-05-01T10:10:00Z",
              errorCode: "TrailNotFoundException", errorMessage: "Unknown trail"),
        event("UpdateTrail", source: "cloudtrail.amazonaws.com", region: "us-east-1", at: "2023-05-01T10:11:00Z", tls: "TLSv1.1"),
        event("StartInstances", source: "ec2.amazonaws.com", region: "us-east-2", at: "2023-05-01T10:12:00Z", account: "444455556666", tls: "TLSv1"),
    ]

    @Test func countByEventSourceNameRegion() throws {
        let r = try run(Q.stats([Q.proj(Q.call("count", .star), name: "count(*)")],
                                by: [Q.proj(Q.field("eventSource")), Q.proj(Q.field("eventName")), Q.proj(Q.field("awsRegion"))]),
                        over: Self.events)
        #expect(r.columns == ["eventSource", "eventName", "awsRegion", "count(*)"])
        #expect(cells(r) == [
            ["cloudtrail.amazonaws.com", "UpdateTrail", "us-east-1", "4"],
            ["ec2.amazonaws.com", "StartInstances", "us-east-2", "2"],
            ["ec2.amazonaws.com", "StopInstances", "eu-west-1", "1"],
            ["ec2.amazonaws.com", "StopInstances", "us-east-2", "1"],
            ["iam.amazonaws.com", "CreateUser", "us-east-1", "1"],
        ])
        #expect(r.recordsMatched == 9)
    }

    @Test func startOrStopInUsEast2() throws {
        let cond = Q.bin(.and, Q.bin(.or, Q.eq("eventName", "StartInstances"), Q.eq("eventName", "StopInstances")), Q.eq("awsRegion", "us-east-2"))
        let r = try run(.filter(cond), over: Self.events)
        #expect(r.columns == ["@timestamp", "@message"])
        #expect(cells(r).map { $0[0] } == ["2023-05-01 10:12:00.000", "2023-05-01 10:05:00.000", "2023-05-01 10:00:00.000"])
        #expect(r.recordsMatched == 3)
    }

    @Test func createUserFields() throws {
        let r = try run(.filter(Q.eq("eventName", "CreateUser")),
                        Q.fields(Q.proj(Q.field("awsRegion")), Q.proj(Q.field("requestParameters.userName")), Q.proj(Q.field("responseElements.user.arn"))),
                        over: Self.events)
        #expect(r.columns == ["awsRegion", "requestParameters.userName", "responseElements.user.arn"])
        #expect(cells(r) == [["us-east-1", "bob", "arn:aws:iam::111122223333:user/bob"]])
    }

    @Test func updateTrailErrors() throws {
        let r = try run(.filter(Q.bin(.and, Q.eq("eventName", "UpdateTrail"), Q.call("ispresent", Q.field("errorCode")))),
                        Q.stats([Q.proj(Q.call("count", .star), name: "count(*)")], by: [Q.proj(Q.field("errorCode")), Q.proj(Q.field("errorMessage"))]),
                        over: Self.events)
        #expect(cells(r) == [["AccessDenied", "User is not authorized", "2"], ["TrailNotFoundException", "Unknown trail", "1"]])
    }

    static let outdatedTLS = Q.bin(.in, Q.field("tlsDetails.tlsVersion"), Q.array(Q.str("TLSv1"), Q.str("TLSv1.1")))

    @Test func outdatedTLSDetailed() throws {
        let groups = ["userIdentity.accountId", "recipientAccountId", "eventSource", "eventName", "awsRegion", "tlsDetails.tlsVersion",
                      "tlsDetails.cipherSuite", "userAgent"].map { Q.proj(Q.field($0)) }
        let r = try run(.filter(Self.outdatedTLS), Q.stats([Q.proj(Q.call("count", .star), as: "numOutdatedTlsCalls")], by: groups),
                        .sort(["eventSource", "eventName", "awsRegion", "tlsDetails.tlsVersion"].map { SortKey(expr: Q.field($0), name: $0) }),
                        over: Self.events)
        #expect(r.columns.last == "numOutdatedTlsCalls")
        #expect(cells(r).map { [$0[2], $0[3], $0[4], $0[5], $0[0], $0[8]] } == [
            ["cloudtrail.amazonaws.com", "UpdateTrail", "us-east-1", "TLSv1.1", "111122223333", "1"],
            ["ec2.amazonaws.com", "StartInstances", "us-east-2", "TLSv1", "444455556666", "1"],
            ["ec2.amazonaws.com", "StopInstances", "eu-west-1", "TLSv1.1", "111122223333", "1"],
            ["ec2.amazonaws.com", "StopInstances", "us-east-2", "TLSv1", "111122223333", "1"],
            ["iam.amazonaws.com", "CreateUser", "us-east-1", "TLSv1", "111122223333", "1"],
        ])
    }

    @Test func outdatedTLSBySource() throws {
        let r = try run(.filter(Self.outdatedTLS), Q.stats([Q.proj(Q.call("count", .star), as: "numOutdatedTlsCalls")], by: [Q.proj(Q.field("eventSource"))]),
                        Q.sort(("numOutdatedTlsCalls", true)), over: Self.events)
        #expect(cells(r) == [["ec2.amazonaws.com", "3"], ["cloudtrail.amazonaws.com", "1"], ["iam.amazonaws.com", "1"]])
    }

    @Test func flattenedArrayFilterDocumentedQuery() throws {
        let r = try run(Q.fields(Q.proj(Q.field("@timestamp")), Q.proj(Q.field("@message"))),
                        .filter(Q.eq("requestParameters.instancesSet.items.0.instanceId", "i-abcde123")), Q.sort(("@timestamp", true)),
                        over: Self.events)
        #expect(r.rows.count == 1)
        #expect(r.rows[0][0] == .timestamp(utc("2023-05-01T10:00:00Z")))
    }

    @Test func statsByBinOfFilteredEvents() throws {
        let r = try run(.filter(Q.eq("eventName", "StopInstances")),
                        Q.stats([Q.proj(Q.call("count", .star), name: "count(*)")], by: [Q.proj(Q.call("bin", Q.period(5, .minute)), name: "bin(5m)")]),
                        over: Self.events)
        #expect(cells(r) == [["2023-05-01 10:05:00.000", "2"]])
    }

    @Test func systemFieldsOfCloudTrailEvents() throws {
        let r = try run(.filter(Q.eq("eventName", "CreateUser")), Q.display(Q.proj(Q.field("@logStream")), Q.proj(Q.field("@log"))), over: Self.events)
        #expect(cells(r) == [["111122223333_CloudTrail_us-east-1", "111122223333:CloudTrail/DefaultLogGroup"]])
    }

    @Test func messageLikeOverRecordJSON() throws {
        let r = try run(.filter(Q.bin(.like, Q.field("@message"), Q.str("\"errorCode\":\"AccessDenied\""))),
                        Q.stats([Q.proj(Q.call("count", .star), as: "n")]), over: Self.events)
        #expect(cells(r) == [["2"]])
    }

    @Test func topPrincipalsByErrors() throws {
        let r = try run(.filter(Q.call("ispresent", Q.field("errorCode"))),
                        Q.stats([Q.proj(Q.call("count", .star), as: "n"), Q.proj(Q.call("count_distinct", Q.field("errorCode")), as: "codes"),
                                 Q.proj(Q.call("latest", Q.field("errorCode")), as: "last")],
                                by: [Q.proj(Q.field("userIdentity.arn"))]),
                        over: Self.events)
        #expect(cells(r) == [["arn:aws:iam::111122223333:user/Alice", "3", "2", "TrailNotFoundException"]])
    }
}
