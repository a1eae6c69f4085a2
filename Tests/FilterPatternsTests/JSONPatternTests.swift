import Testing
@testable import FilterPatterns

/// `{ … }` patterns: selectors, every operator, the value rules, and the walk's edge cases.
@Suite struct JSONPatternTests {
    let event = #"{"eventType":"UpdateTrail","sourceIPAddress":"111.111.111.111","latency":50,"errorCode":"404","code":404,"#
        + #""ThisFlag":true,"ThatFlag":false,"SomeObject":null,"users":[{"id":2},{"id":3}],"nested":{"inner":{"deep":"x"}},"#
        + #""numbers":[0.001,1000,42],"processes":[{},{},{},{},{"averageRuntime":55.5}],"cluster.name":"prod","#
        + #""ratio":-2.5e1}"#

    @Test func equalityUnquotedAndQuoted() {
        #expect(matches(#"{ $.eventType = "UpdateTrail" }"#, event))
        #expect(matches("{ $.eventType = UpdateTrail }", event))
        #expect(matches("{$.eventType=UpdateTrail}", event))
        #expect(!matches("{ $.eventType = updatetrail }", event))
        #expect(!matches("{ $.eventType = Update }", event))
        #expect(matches("{ $.eventType != CreateTrail }", event))
        #expect(!matches("{ $.eventType != UpdateTrail }", event))
    }

    @Test func unquotedDottedValues() {
        let r = cloudTrailRecord(["eventSource": "kms.amazonaws.com"])
        #expect(matches("{($.eventSource=kms.amazonaws.com)}", r))
        #expect(!matches("{($.eventSource=s3.amazonaws.com)}", r))
        #expect(matches("{ $.sourceIPAddress != 123.123.* }", event))
        #expect(!matches("{ $.sourceIPAddress != 111.111.* }", event))
    }

    @Test func stringWildcardsAtTheEndsOnly() {
        let e = #"{"a":"PutEvent","b":"EventId","c":"Ev*ent","d":"EvXent"}"#
        #expect(matches("{ $.a = *Event }", e))
        #expect(matches("{ $.b = Event* }", e))
        #expect(matches(#"{ $.a = "*tEv*" }"#, #"{"a":"PutEvent"}"#))
        #expect(matches("{ $.c = Ev*ent }", e))
        #expect(!matches("{ $.d = Ev*ent }", e))
        #expect(matches(#"{ $.a = "*" }"#, e))
        #expect(matches("{ $.a = ** }", e))
        #expect(!matches(#"{ $.missing = "*" }"#, e))
        #expect(matches(#"{ $.a != "*Id" }"#, e))
    }

    @Test func starMatchesNumbersToo() {
        #expect(matches("{ $.latency = * }", event))
        #expect(matches("{ $.code = 4* }", event))
        #expect(!matches("{ $.code = 5* }", event))
        #expect(!matches("{ $.users = * }", event))
        #expect(!matches("{ $.ThisFlag = * }", event))
        #expect(!matches("{ $.SomeObject = * }", event))
    }

    @Test func numericComparisons() {
        #expect(matches("{ $.latency >= 50 }", event))
        #expect(matches("{ $.latency > 49.9 }", event))
        #expect(!matches("{ $.latency > 50 }", event))
        #expect(matches("{ $.latency <= 50 }", event))
        #expect(matches("{ $.latency < 10e3 }", event))
        #expect(!matches("{ $.latency < 10e-3 }", event))
        #expect(matches("{ $.numbers[0] < 10e-3 }", event))
        #expect(matches("{ $.numbers[0] = 1e-3 }", event))
        #expect(!matches("{ $.numbers[1] != 1e+3 }", event))
        #expect(matches("{ $.numbers[2] != 1e+3 }", event))
        #expect(matches("{ $.processes[4].averageRuntime <= 55.5 }", event))
        #expect(matches("{ $.code = 404 }", event))
        #expect(matches("{ $.code != 500 }", event))
        #expect(matches("{ $.latency > +10 }", event))
        #expect(matches("{ $.ratio = -25 }", event))
        #expect(matches("{ $.ratio < -2.4E1 }", event))
    }

    /// A number literal compares only with JSON numbers, a plain string only with JSON strings.
    @Test func numbersAndStringsDoNotMix() {
        #expect(!matches("{ $.errorCode = 404 }", event))
        #expect(!matches("{ $.errorCode != 404 }", event))
        #expect(matches(#"{ $.errorCode = "404" }"#, event))
        #expect(!matches(#"{ $.code = "404" }"#, event))
        #expect(!matches("{ $.eventType > 5 }", event))
        // Scientific notation is a number even in quotes ("strings don't support scientific notation").
        #expect(matches(#"{ $.numbers[1] = "1e3" }"#, event))
        #expect(!matches(#"{ $.x = "1e3" }"#, #"{"x":"1e3"}"#))
    }

    @Test func isNullNotExistsIsTrueIsFalse() {
        #expect(matches("{ $.SomeObject IS NULL }", event))
        #expect(!matches("{ $.eventType IS NULL }", event))
        #expect(!matches("{ $.Missing IS NULL }", event))
        #expect(matches("{ $.SomeOtherObject NOT EXISTS }", event))
        #expect(!matches("{ $.SomeObject NOT EXISTS }", event))
        #expect(!matches("{ $.users NOT EXISTS }", event))
        #expect(matches("{ $.nested.inner.nope NOT EXISTS }", event))
        #expect(matches("{ $.eventType.child NOT EXISTS }", event))
        #expect(matches("{ $.ThisFlag IS TRUE }", event))
        #expect(!matches("{ $.ThisFlag IS FALSE }", event))
        #expect(matches("{ $.ThatFlag IS FALSE }", event))
        #expect(!matches("{ $.eventType IS TRUE }", event))
    }

    /// Every comparison on a missing property is false, `!=` included.
    @Test func missingPropertyComparisonsAreFalse() {
        for op in ["=", "!=", "<", ">", "<=", ">="] {
            #expect(!matches("{ $.nothing \(op) 1 }", event))
        }
        #expect(!matches("{ $.nothing != abc }", event))
        #expect(!matches("{ $.nothing != %abc% }", event))
    }

    /// "both {$.users = 1} and {$.users != 1} will fail to match a log event where users is an array"
    @Test func objectsArraysBooleansAndNullNeverCompare() {
        #expect(!matches("{ $.users = 1 }", event))
        #expect(!matches("{ $.users != 1 }", event))
        #expect(!matches("{ $.nested != x }", event))
        #expect(!matches("{ $.ThisFlag = true }", event))
        #expect(!matches("{ $.ThisFlag != false }", event))
        #expect(!matches("{ $.SomeObject = null }", event))
        #expect(!matches("{ $.SomeObject != null }", event))
    }

    @Test func precedenceAndParentheses() {
        let t = "$.eventType = UpdateTrail", f = "$.eventType = Nope"
        #expect(matches("{ \(t) || \(f) && \(f) }", event))   // t || (f && f)
        #expect(!matches("{ (\(t) || \(f)) && \(f) }", event))
        #expect(!matches("{ \(f) && \(t) || \(f) }", event))  // (f && t) || f
        #expect(matches("{ \(f) && \(f) || \(t) }", event))
        #expect(matches("{ \(f) || (\(t) && (\(f) || \(t))) }", event))
        #expect(matches("{ ((((\(t))))) }", event))
    }

    @Test func arraySelectors() {
        #expect(matches("{ $.users[0].id = 2 }", event))
        #expect(matches("{ $.users[1].id = 3 }", event))
        #expect(!matches("{ $.users[2].id = 3 }", event))
        #expect(matches("{ $.users[2] NOT EXISTS }", event))
        // "If arrayKey is not an array this will be false."
        #expect(!matches("{ $.eventType[0] = U }", event))
        #expect(matches(#"{ $.m[0][1] = 5 }"#, #"{"m":[[4,5],[6,7]]}"#))
        #expect(matches(#"{ $.m[1][0] = 6 }"#, #"{"m":[[4,5],[6,7]]}"#))
    }

    @Test func bracketNotationForDottedKeys() {
        #expect(matches("{ $.['cluster.name'] = prod }", event))
        #expect(matches(#"{ $["cluster.name"] = prod }"#, event))
        #expect(!matches("{ $.cluster.name = prod }", event))
    }

    @Test func wildcardSelectors() {
        #expect(matches(#"{ $.* = %111\.111\.111\.1[0-9]{1,2}% }"#, event))
        #expect(!matches(#"{ $.* = %222\.% }"#, event))
        #expect(matches("{ $.users[*].id = 3 }", event))
        #expect(!matches("{ $.users[*].id = 4 }", event))
        #expect(matches("{ $.users[*].id > 2 }", event))
        // Any selected value may satisfy `!=`.
        #expect(matches("{ $.users[*].id != 2 }", event))
        #expect(!matches(#"{ $.users[*].id != 2 }"#, #"{"users":[{"id":2},{"id":2}]}"#))
        #expect(matches("{ $.nested.*.deep = x }", event))
        #expect(matches("{ $.users[*].name NOT EXISTS }", event))
        #expect(!matches("{ $.users[*].id NOT EXISTS }", event))
        // A literal path and a wildcard through the same key.
        #expect(matches("{ $.users[0].id = 2 && $.users[*].id = 3 }", event))
        #expect(matches("{ $.*.inner.deep = x && $.nested.inner.deep = x }", event))
    }

    @Test func regexValues() {
        #expect(matches("{ $.eventType = %Trail% }", event))
        #expect(!matches("{ $.eventType = %^Trail% }", event))
        #expect(matches("{ $.eventType != %^Trail% }", event))
        #expect(matches("{ $.latency = %^5% }", event))
        #expect(!matches("{ $.users = %.% }", event))
    }

    @Test func escapedStringsAndKeys() {
        let e = #"{"msg":"say \"hi\"","u":"\u0041BC","k\u0065y":"v","path":"C:\\tmp"}"#
        #expect(matches(#"{ $.msg = "say \"hi\"" }"#, e))
        #expect(matches("{ $.u = ABC }", e))
        #expect(matches("{ $.key = v }", e))
        #expect(matches(#"{ $.path = "C:\\tmp" }"#, e))
        #expect(matches(#"{ $.path = "C:\tmp" }"#, e))
    }

    @Test func duplicateKeysFirstWins() {
        let e = #"{"a":"first","a":"second"}"#
        #expect(matches("{ $.a = first }", e))
        #expect(!matches("{ $.a = second }", e))
        #expect(matches(#"{ $.o.b = 1 }"#, #"{"o":{"b":1},"o":{"b":2}}"#))
    }

    @Test func valueAfterALargeSkippedSubtree() {
        var big = "{\"blob\":{"
        for k in 0..<200 { big += "\"k\(k)\":[1,{\"x\":\"}]\\\"\"},\"s\"]," }
        big += "\"end\":true},\"eventName\":\"Target\"}"
        #expect(matches("{ $.eventName = Target }", big))
        #expect(matches("{ $.blob.k199[1].x = \"}]\\\"\" }", big))
    }

    @Test func whitespaceAndPrettyPrintedEvents() {
        let pretty = "{\n  \"a\" : {\n    \"b\" : [ 1 ,\t2 ]\n  } ,\n  \"c\" : \"d\"\n}\n"
        #expect(matches("{ $.a.b[1] = 2 }", pretty))
        #expect(matches("{ $.c = d }", pretty))
        #expect(matches("  {  (  $.c  =  d  )  &&  ( $.a.b[0] >= 1 )  }  ", pretty))
    }

    @Test func nonJSONAndMalformedEventsDoNotMatch() {
        let p = "{ $.a NOT EXISTS }"
        #expect(!matches(p, "plain text line"))
        #expect(!matches(p, ""))
        #expect(!matches(p, "{not json}"))
        #expect(!matches("{ $.a = 1 }", #"{"b":[1,"a":1}"#))
        #expect(!matches("{ $.a = 1 }", #"{"b":1 "a":1}"#))
        #expect(!matches("{ $.a = 1 }", #"{"a":01}"#))
        #expect(!matches("{ $.a = 1 }", #"{"a" 1}"#))
        #expect(!matches("{ $.a = x }", #"{"a":"x"#))
        #expect(!matches("{ $.a IS TRUE }", #"{"a":tru}"#))
        #expect(matches(p, "{}"))
    }

    /// The walk stops once every selected field is settled, so bytes after that point are not
    /// checked: records come validated from ingest, and reading the tail would cost the speed.
    @Test func bytesAfterTheLastSelectedFieldAreNotValidated() {
        #expect(matches("{ $.a = 1 }", #"{"a":1"#))
        #expect(matches("{ $.a = 1 }", #"{"a":1,"b":tru"#))
        #expect(!matches("{ $.a = 1 && $.z NOT EXISTS }", #"{"a":1,"b":tru"#))
    }

    @Test func arrayRootDocuments() {
        #expect(matches("{ $[1].a = 2 }", #"[{"a":1},{"a":2}]"#))
        #expect(!matches("{ $.a = 2 }", #"[{"a":1},{"a":2}]"#))
    }

    @Test func quotas() {
        #expect(rejection("{ $.a.* = 1 || $.b[*] = 1 || $.*.c = 1 || $.d[*] = 1 }")?.message
            == "at most 3 wildcard selectors are allowed in one pattern")
        #expect(rejection("{ $.*.b[*] = 1 }")?.message == "a selector may contain only one wildcard")
        #expect(rejection("{ $.a = %a% || $.b = %b% || $.c = %c% }")?.message
            == "at most 2 regular expressions are allowed in one pattern")
        #expect(matches("{ $.a.* = 1 || $.b[*] = 1 || $.*.c = 1 }", #"{"b":[0,1]}"#))
    }

    @Test func keywordsAreUppercase() {
        #expect(rejection("{ $.a is null }")?.message == "expected an operator (=, !=, <, <=, >, >=, IS, NOT EXISTS)")
        #expect(rejection("{ $.a NOT exists }")?.message == "expected EXISTS after NOT")
    }

    /// A selector that is a prefix of another: both see the same walk.
    @Test func nestedSelectorsOfOneField() {
        #expect(matches("{ $.nested.inner.deep = x && $.nested.inner = * }", event) == false)
        #expect(matches("{ $.nested.inner.deep = x && $.nested NOT EXISTS }", event) == false)
        #expect(matches("{ $.nested.inner.deep = x && $.nested.inner.other NOT EXISTS }", event))
        #expect(matches("{ $.users[1].id = 3 && $.users[0] = * }", event) == false)
    }

    @Test func unsupportedOperators() {
        #expect(rejection("{ $.a IS NOT NULL }")?.message == "IS NOT is not supported; use != or NOT EXISTS")
        #expect(rejection("{ $.a EXISTS }")?.message == "EXISTS is not supported; use NOT EXISTS, or = * for a value that is present")
        #expect(rejection("{ $.a == 1 }")?.message == "unknown operator; use one of =, !=, <, <=, >, >=")
        #expect(rejection("{ $.a < abc }")?.message == "this comparison needs a number")
        #expect(rejection("{ $.a > %x% }")?.message == "a regex can only be compared with = or !=")
    }
}
