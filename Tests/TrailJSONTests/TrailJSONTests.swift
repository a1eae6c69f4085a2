import Testing
@testable import TrailJSON

@Suite struct ParserTests {
    @Test func parsesEveryKind() throws {
        let v = try JSONValue.parse(#"{"a":1,"b":[true,false,null],"c":"x","d":{"e":-1.5e2},"f":0.25}"#)
        #expect(v["a"] == .number(1))
        #expect(v["b"] == .array([.bool(true), .bool(false), .null]))
        #expect(v["c"]?.stringValue == "x")
        #expect(v["d"]?["e"]?.doubleValue == -150)
        #expect(v["f"]?.doubleValue == 0.25)
        #expect(v["missing"] == nil)
    }

    @Test func keepsKeyOrderAndFirstDuplicateWins() throws {
        let v = try JSONValue.parse(#"{"z":1,"a":2,"z":3}"#)
        #expect(v.objectValue?.keys == ["z", "a", "z"])
        #expect(v["z"] == .number(1))
    }

    @Test func decodesEscapesAndUnicode() throws {
        let v = try JSONValue.parse(#"["a\"b\\c\/d\n\t", "\u00e9\u4e2d", "\ud83d\ude00", "é中😀"]"#)
        #expect(v[0]?.stringValue == "a\"b\\c/d\n\t")
        #expect(v[1]?.stringValue == "é中")
        #expect(v[2]?.stringValue == "😀")
        #expect(v[3]?.stringValue == "é中😀")
    }

    @Test func loneSurrogateBecomesReplacementCharacter() throws {
        #expect(try JSONValue.parse(#""\ud800x""#).stringValue == "\u{FFFD}x")
    }

    @Test func numbers() throws {
        #expect(try JSONValue.parse("123456789012345").intValue == 123_456_789_012_345)
        #expect(try JSONValue.parse("-0").doubleValue == 0)
        #expect(try JSONValue.parse("1E3").doubleValue == 1000)
        #expect(try JSONValue.parse("12345678901234567890").doubleValue == 12345678901234567890.0)
        #expect(try JSONValue.parse("0.1").doubleValue == 0.1)
    }

    @Test(arguments: [
        ("{\"a\":1", JSONError.Kind.unexpectedEnd, 6),
        ("{\"a\" 1}", .expected("':'"), 5),
        ("[1,]", .unexpectedByte(UInt8(ascii: "]")), 3),
        ("tru", .invalidLiteral, 0),
        ("01", .trailingData, 1),
        ("1.", .invalidNumber, 0),
        ("-", .invalidNumber, 0),
        ("\"a\\x\"", .invalidEscape, 2),
        ("\"\\u12g4\"", .invalidUnicodeEscape, 1),
        ("\"a\u{01}\"", .controlCharacterInString, 2),
        ("{1:2}", .expected("a string key"), 1),
        ("[1 2]", .expected("',' or ']'"), 3),
        ("{} x", .trailingData, 3),
        ("", .unexpectedEnd, 0),
    ])
    func rejectsWithKindAndOffset(input: String, kind: JSONError.Kind, offset: Int) {
        do {
            _ = try JSONValue.parse(input)
            Issue.record("accepted invalid JSON \(input)")
        } catch {
            #expect(error.kind == kind, "\(input)")
            #expect(error.offset == offset, "\(input)")
        }
    }

    @Test func rejectsInvalidUTF8() {
        let bad: [UInt8] = [0x22, 0x61, 0xC3, 0x28, 0x22]  // truncated 2-byte sequence
        #expect(throws: JSONError(.invalidUTF8, at: 2)) { try JSONValue.parse(bad) }
        let overlong: [UInt8] = [0x22, 0xC0, 0xAF, 0x22]
        #expect(throws: JSONError(.invalidUTF8, at: 1)) { try JSONValue.parse(overlong) }
        let surrogateEncoded: [UInt8] = [0x22, 0xED, 0xA0, 0x80, 0x22]
        #expect(throws: JSONError(.invalidUTF8, at: 1)) { try JSONValue.parse(surrogateEncoded) }
    }

    @Test func limitsNesting() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONError.self) { try JSONValue.parse(deep) }
        let ok = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect((try? JSONValue.parse(ok)) != nil)
    }

    @Test func errorDescriptionNamesWhatAndWhere() {
        #expect(JSONError(.unexpectedByte(UInt8(ascii: "x")), at: 7).description == "unexpected character 'x' at byte 7")
    }
}

@Suite struct WriterTests {
    @Test func roundTrips() throws {
        let text = #"{"b":[1,2.5,"q\"\n\u0001"],"a":{"x":null,"y":true}}"#
        let v = try JSONValue.parse(text)
        #expect(v.jsonText() == #"{"b":[1,2.5,"q\"\n\u0001"],"a":{"x":null,"y":true}}"#)
        #expect(try JSONValue.parse(v.jsonText(pretty: true)) == v)
        #expect(v.jsonText(sortedKeys: true).hasPrefix(#"{"a":"#))
    }
}

@Suite struct PathTests {
    let doc: JSONValue = [
        "userIdentity": ["sessionContext": ["sessionIssuer": ["userName": "ops"]]],
        "requestParameters": ["instancesSet": ["items": [["instanceId": "i-1"], ["instanceId": "i-2"]]]],
        "odd key": ["0": "zero-key"],
    ]

    @Test func jsonPathSyntax() throws {
        #expect(try JSONPath(parsing: "$.userIdentity.sessionContext.sessionIssuer.userName").value(in: doc) == "ops")
        #expect(try JSONPath(parsing: "$.requestParameters.instancesSet.items[1].instanceId").value(in: doc) == "i-2")
        #expect(try JSONPath(parsing: "$[\"odd key\"].0").value(in: doc) == "zero-key")
        #expect(try JSONPath(parsing: "$").value(in: doc) == doc)
    }

    @Test func dottedSyntaxIndexesArraysOrDigitKeys() throws {
        #expect(try JSONPath(parsing: "requestParameters.instancesSet.items.0.instanceId").value(in: doc) == "i-1")
        #expect(try JSONPath(parsing: "requestParameters.instancesSet.items.5.instanceId").value(in: doc) == nil)
        #expect(try JSONPath(parsing: "userIdentity.nope").value(in: doc) == nil)
    }

    @Test func rejectsMalformedPaths() {
        #expect(throws: JSONPath.ParseError.self) { try JSONPath(parsing: "$.a..b") }
        #expect(throws: JSONPath.ParseError.self) { try JSONPath(parsing: "$.a[x]") }
        #expect(throws: JSONPath.ParseError.self) { try JSONPath(parsing: "a..b") }
        #expect(throws: JSONPath.ParseError.self) { try JSONPath(parsing: "") }
    }

    @Test func rawLookupMatchesTreeLookup() throws {
        let raw = Array(doc.jsonText().utf8)
        for p in ["userIdentity.sessionContext.sessionIssuer.userName", "requestParameters.instancesSet.items.1",
                  "$[\"odd key\"]", "requestParameters.instancesSet.items.9", "missing.path"] {
            let path = try JSONPath(parsing: p)
            let viaRaw = raw.withUnsafeBytes { path.value(in: $0) }
            #expect(viaRaw == path.value(in: doc), "\(p)")
        }
    }

    @Test func rawLookupSkipsStringsWithEscapedQuotesAndBrackets() throws {
        let text = #"{"a":"x\"}]{[\\","b\"k":{"c":[1,"]"]},"d":{"e":"found"}}"#
        let raw = Array(text.utf8)
        let path = try JSONPath(parsing: "d.e")
        #expect(raw.withUnsafeBytes { path.value(in: $0) } == "found")
        // The raw key is written with an escape; the lookup compares decoded keys.
        let escapedKey = try JSONPath(parsing: #"$['b"k'].c[1]"#)
        #expect(raw.withUnsafeBytes { escapedKey.value(in: $0) } == "]")
    }
}

@Suite struct FieldScannerTests {
    let scanner = JSONFieldScanner(paths: [["eventName"], ["userIdentity", "arn"], ["userIdentity", "type"], ["readOnly"], ["n"], ["obj"]])

    func scan(_ text: String) throws -> (fields: [JSONFieldScanner.Field?], bytes: [UInt8]) {
        let bytes = Array(text.utf8)
        var fields: [JSONFieldScanner.Field?] = []
        try bytes.withUnsafeBytes { (b: UnsafeRawBufferPointer) throws in try scanner.scan(b, into: &fields) }
        return (fields, bytes)
    }

    func string(_ f: JSONFieldScanner.Field?, _ bytes: [UInt8]) -> String? {
        guard let f else { return nil }
        return String(decoding: bytes[f.range], as: UTF8.self)
    }

    @Test func picksSelectedFieldsAnywhereInTheObject() throws {
        let (f, b) = try scan(#"{"x":[{"eventName":"inner"}],"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/r/s"},"eventName":"StopInstances","readOnly":false,"n":42,"obj":{"k":[1]}}"#)
        #expect(string(f[0], b) == "StopInstances")
        #expect(string(f[1], b) == "arn:aws:sts::1:assumed-role/r/s")
        #expect(string(f[2], b) == "AssumedRole")
        #expect(f[3]?.kind == .bool && f[3]?.boolValue == false)
        #expect(f[4]?.kind == .number && string(f[4], b) == "42")
        #expect(f[5]?.kind == .object && string(f[5], b) == #"{"k":[1]}"#)
    }

    @Test func absentAndNullFields() throws {
        let (f, _) = try scan(#"{"userIdentity":null,"eventName":null}"#)
        #expect(f[0]?.kind == .null)
        #expect(f[1] == nil && f[2] == nil && f[3] == nil)
    }

    @Test func reportsEscapes() throws {
        let (f, _) = try scan(#"{"eventName":"a\"b"}"#)
        #expect(f[0]?.hasEscapes == true)
    }

    @Test func matchesEscapedKeys() throws {
        let (f, b) = try scan(#"{"event\u004eame":"X"}"#)
        #expect(string(f[0], b) == "X")
    }

    @Test func validatesTheWholeRecord() {
        #expect(throws: JSONError.self) { try scan(#"{"eventName":"ok","other":tru}"#) }
        #expect(throws: JSONError.self) { try scan(#"{"eventName":"ok"} trailing"#) }
        #expect(throws: JSONError(.expected("a JSON object"), at: 0)) { try scan("[1]") }
        #expect(throws: JSONError.self) { try scan(#"{"userIdentity":{"arn":"x",}}"#) }
    }
}
