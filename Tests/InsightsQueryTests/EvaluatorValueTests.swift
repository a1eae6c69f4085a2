import Testing
import TrailJSON
@testable import InsightsQuery

/// §8 rendering, §4.5 natural sort, §9 JSON records.
@Suite struct EvaluatorValueTests {
    @Test func renderingOfEachType() {
        #expect(InsightsValue.number(3).text == "3")
        #expect(InsightsValue.number(-0.5).text == "-0.5")
        #expect(InsightsValue.number(0.1 + 0.2).text == "0.30000000000000004")
        #expect(InsightsValue.number(1e20).text == "1e+20")
        #expect(InsightsValue.timestamp(1_642_195_111_007).text == "2022-01-14 21:18:31.007")
        #expect(InsightsValue.timestamp(-1).text == "1969-12-31 23:59:59.999")
        #expect(InsightsValue.bool(true).text == "1")
        #expect(InsightsValue.bool(false).text == "0")
        #expect(InsightsValue.null.text == nil)
        #expect(InsightsValue.list([.number(1), .string("a"), .bool(true)]).text == "[1,\"a\",true]")
        #expect(InsightsValue.map(InsightsMap(keys: ["k"], values: [.null])).text == "{\"k\":null}")
    }

    @Test func jsonOutputValues() {
        #expect(InsightsValue.number(2).jsonValue == .number(2))
        #expect(InsightsValue.bool(true).jsonValue == .number(1))
        #expect(InsightsValue.timestamp(0).jsonValue == .string("1970-01-01 00:00:00.000"))
        #expect(InsightsValue.null.jsonValue == .null)
    }

    @Test func fromJSONLeaves() {
        #expect(InsightsValue.fromJSON(.null) == .null)
        #expect(InsightsValue.fromJSON(.bool(false)) == .string("false"))
        #expect(InsightsValue.fromJSON(.number(1.5)) == .number(1.5))
        #expect(InsightsValue.fromJSON(.string("x")) == .string("x"))
        #expect(InsightsValue.fromJSON(["a": 1]) == .null)
        #expect(InsightsValue.fromJSON([1, 2]) == .null)
    }

    @Test func documentedNaturalSortOrder() {
        let expected = ["!:", "#", "*%04", "0#", "5A", "111A", "2345_", "@", "@_", "A", "A9876fghj", "a12345hfh", "0", "01", "1", "2", "3"]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<5 {
            let sorted = expected.shuffled(using: &rng).sorted { NaturalSort.compare(.string($0), .string($1)) < 0 }
            #expect(sorted == expected)
        }
    }

    @Test func documentedNaturalSortThroughSortCommand() throws {
        let expected = ["!:", "#", "*%04", "0#", "5A", "111A", "2345_", "@", "@_", "A", "A9876fghj", "a12345hfh", "0", "01", "1", "2", "3"]
        let recs = expected.reversed().enumerated().map { record(["v": .string($0.element)], at: Int64($0.offset)) }
        let asc = try run(Q.sort(("v", false)), Q.display(Q.proj(Q.field("v"))), over: recs)
        #expect(cells(asc).map { $0[0] } == expected)
        let desc = try run(Q.sort(("v", true)), Q.display(Q.proj(Q.field("v"))), over: recs)
        #expect(cells(desc).map { $0[0] } == expected.reversed())
    }

    @Test func numbersSortNumericallyAfterText() {
        let vals: [InsightsValue] = [.number(10), .string("9"), .string("b"), .number(-1), .null, .timestamp(5)]
        let sorted = vals.sorted { NaturalSort.compare($0, $1) < 0 }
        #expect(sorted == [.string("b"), .number(-1), .timestamp(5), .string("9"), .number(10), .null])
    }

    static let trail: JSONValue = [
        "eventVersion": "1.08", "eventTime": "2023-05-01T10:00:00Z", "eventSource": "ec2.amazonaws.com",
        "eventName": "StartInstances", "readOnly": false, "requestParameters": ["instancesSet": ["items": [["instanceId": "i-abcde123"]]]],
        "userIdentity": ["type": "AssumedRole", "sessionContext": ["sessionIssuer": ["userName": "Admin"]]],
        "responseElements": .null, "@example.com": "at", "a.b": "dotted", "n": 42,
    ]

    @Test func jsonRecordFlattenedPaths() {
        let r = JSONRecord(json: Self.trail, logStream: "123456789012_CloudTrail_us-east-1", log: "123456789012:trail",
                           ingestionTimeMillis: 5, ptr: "p1")
        #expect(r.value(of: FieldRef("userIdentity.sessionContext.sessionIssuer.userName")) == .string("Admin"))
        #expect(r.value(of: FieldRef("requestParameters.instancesSet.items.0.instanceId")) == .string("i-abcde123"))
        #expect(r.value(of: FieldRef("requestParameters.instancesSet.items.1.instanceId")) == .null)
        #expect(r.value(of: FieldRef("readOnly")) == .string("false"))
        #expect(r.value(of: FieldRef("responseElements")) == .null)
        #expect(r.value(of: FieldRef("userIdentity")) == .null)
        #expect(r.value(of: FieldRef("n")) == .number(42))
        #expect(r.value(of: FieldRef("a.b")) == .string("dotted"))
        #expect(r.value(of: FieldRef("@@example.com")) == .string("at"))
        #expect(r.value(of: FieldRef("@timestamp")) == .timestamp(utc("2023-05-01T10:00:00Z")))
        #expect(r.value(of: FieldRef("@logStream")) == .string("123456789012_CloudTrail_us-east-1"))
        #expect(r.value(of: FieldRef("@log")) == .string("123456789012:trail"))
        #expect(r.value(of: FieldRef("@ingestionTime")) == .timestamp(5))
        #expect(r.value(of: FieldRef("@ptr")) == .string("p1"))
        #expect(r.value(of: FieldRef("@unknown")) == .null)
        #expect(r.value(of: FieldRef("@message")) == .string(Self.trail.jsonText()))
    }

    @Test func plainTextRecordHasOnlySystemFields() {
        let r = JSONRecord(message: "2023-05-01 ERROR boom", timestampMillis: 7)
        #expect(r.value(of: FieldRef("@message")) == .string("2023-05-01 ERROR boom"))
        #expect(r.value(of: FieldRef("ERROR")) == .null)
        let j = JSONRecord(message: " {\"level\":\"warn\"}", timestampMillis: 7)
        #expect(j.value(of: FieldRef("level")) == .string("warn"))
    }

    @Test func arraySourceHonoursWindowInclusively() throws {
        let recs = (0..<10).map { JSONRecord(message: "m\($0)", timestampMillis: Int64($0) * 10) }
        let ctx = QueryContext(window: TimeWindow(startMillis: 20, endMillis: 50), nowMillis: 0)
        let r = try run(Q.stats([Q.proj(Q.call("count", .star), as: "c")]), over: recs, context: ctx)
        #expect(cells(r) == [["4"]])
        #expect(r.recordsScanned == 4)
    }

    @Test func iso8601Parsing() {
        #expect(parseISO8601Millis("2022-01-14T13:18:31.000-08:00") == 1_642_195_111_000)
        #expect(parseISO8601Millis("2022-01-14T21:18:31Z") == 1_642_195_111_000)
        #expect(parseISO8601Millis("2022-01-14 21:18:31.5") == 1_642_195_111_500)
        #expect(parseISO8601Millis("2022-01-14") == 1_642_118_400_000)
        #expect(parseISO8601Millis("2022-02-30") == nil)
        #expect(parseISO8601Millis("2022-01-14T13:18:031.000-08:00") == nil)
    }

    @Test func strictNumbers() {
        #expect(parseStrictNumber("200") == 200)
        #expect(parseStrictNumber("-1.5e3") == -1500)
        #expect(parseStrictNumber(".5") == 0.5)
        #expect(parseStrictNumber("nan") == nil)
        #expect(parseStrictNumber("0x10") == nil)
        #expect(parseStrictNumber("1e") == nil)
        #expect(parseStrictNumber("") == nil)
        #expect(parseStrictNumber("12 ") == nil)
    }
}
