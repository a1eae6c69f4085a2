import Foundation
import Testing
import TrailJSON
@testable import FilterPatterns

/// `pattern` compiled and applied to `message`; a pattern that fails to compile fails the test.
func matches(_ pattern: String, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
    do {
        return try FilterPattern(pattern).matches(message)
    } catch {
        Issue.record("pattern did not compile: \(error)", sourceLocation: sourceLocation)
        return false
    }
}

/// The error a pattern is rejected with; records an issue when it compiles.
func rejection(_ pattern: String, sourceLocation: SourceLocation = #_sourceLocation) -> FilterPatternError? {
    do {
        _ = try FilterPattern(pattern)
        Issue.record("accepted invalid pattern \(pattern)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// Expects `pattern` to be rejected with exactly `message` at `column`.
func expectRejection(_ pattern: String, _ message: String, column: Int, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let e = rejection(pattern, sourceLocation: sourceLocation) else { return }
    #expect(e.message == message, "\(pattern)", sourceLocation: sourceLocation)
    #expect(e.column == column, "\(pattern)", sourceLocation: sourceLocation)
}

/// `../shared/specs` beside the repository: Tests/FilterPatternsTests/<file> is three levels
/// below the repository root.
func specFile(_ name: String) -> URL {
    URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/specs/\(name)").standardizedFileURL
}

/// The spec file parsed, or nil with a failed test naming the missing file: the data-driven
/// suites must not pass by skipping.
func loadSpec(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> JSONValue? {
    let url = specFile(name)
    guard let data = FileManager.default.contents(atPath: url.path) else {
        Issue.record("spec file missing: \(url.path) (expected the shared specs directory beside the repository)",
                     sourceLocation: sourceLocation)
        return nil
    }
    do {
        return try JSONValue.parse(data)
    } catch {
        Issue.record("spec file \(url.path) is not valid JSON: \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// A CloudTrail record (about 1.3 KB, the shape the service writes) with fields overridden.
func cloudTrailRecord(_ overrides: [String: JSONValue] = [:], removing: [String] = []) -> String {
    let template: JSONValue = [
        "eventVersion": "1.08",
        "userIdentity": [
            "type": "IAMUser",
            "principalId": "AIDAJ45Q7YFFAREXAMPLE",
            "arn": "arn:aws:iam::123456789012:user/Alice",
            "accountId": "123456789012",
            "accessKeyId": "AKIAIOSFODNN7EXAMPLE",
            "userName": "Alice",
            "sessionContext": [
                "sessionIssuer": [:],
                "webIdFederationData": [:],
                "attributes": ["creationDate": "2026-10-01T08:00:00Z", "mfaAuthenticated": "false"],
            ],
        ],
        "eventTime": "2026-10-01T08:15:42Z",
        "eventSource": "ec2.amazonaws.com",
        "eventName": "DescribeInstances",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.7",
        "userAgent": "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.debian.12 prompt/off command/ec2.describe-instances",
        "requestParameters": [
            "instancesSet": [:],
            "filterSet": ["items": [["name": "instance-state-name", "valueSet": ["items": [["value": "running"]]]]]],
        ],
        "responseElements": nil,
        "requestID": "3e4f7c1a-8b2d-4e6f-9a0b-1c2d3e4f5a6b",
        "eventID": "b7d2c9e4-1f3a-4b5c-8d6e-7f8a9b0c1d2e",
        "readOnly": true,
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": "123456789012",
        "eventCategory": "Management",
        "tlsDetails": [
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": "ec2.us-east-1.amazonaws.com",
        ],
    ]
    var record = template.objectValue!
    for key in removing { record[key] = nil }
    for (path, value) in overrides {
        let parts = path.split(separator: ".").map(String.init)
        record = setting(record, parts[...], value)
    }
    return JSONValue.object(record).jsonText()
}

private func setting(_ object: JSONObject, _ path: ArraySlice<String>, _ value: JSONValue) -> JSONObject {
    var object = object
    let key = path.first!
    if path.count == 1 {
        object[key] = value
    } else {
        object[key] = .object(setting(object[key]?.objectValue ?? JSONObject(), path.dropFirst(), value))
    }
    return object
}

extension FilterEvaluator {
    func outcomes(_ message: String) -> [FilterOutcome] {
        var out: [FilterOutcome] = []
        var message = message
        message.withUTF8 { evaluate(UnsafeRawBufferPointer($0), into: &out) }
        return out
    }
}
