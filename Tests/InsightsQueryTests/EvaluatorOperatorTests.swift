import Testing
import TrailJSON
@testable import InsightsQuery

/// §3 operators: coercion, null semantics (three-valued), like / =~ / in.
@Suite struct EvaluatorOperatorTests {
    static let records: [JSONRecord] = [
        record(["id": "1", "status": 200, "f1": "An Exception here", "type": "foo"], at: 1000),
        record(["id": "2", "status": "404", "f1": "an exception", "type": "bar"], at: 2000),
        record(["id": "3", "status": "500", "f1": "fine", "type": "1"], at: 3000),
        record(["id": "4", "f1": "Exception", "type": "baz"], at: 4000),
    ]

    func ids(_ filter: Expr) throws -> [String] {
        let r = try run(.filter(filter), Q.sort(("id", false)), Q.display(Q.proj(Q.field("id"))), over: Self.records)
        return cells(r).map { $0[0] }
    }

    @Test func numericLookingStringsCompareNumerically() throws {
        #expect(try ids(Q.bin(.equal, Q.field("status"), Q.str("200"))) == ["1"])
        #expect(try ids(Q.bin(.equal, Q.field("status"), Q.num(404))) == ["2"])
        #expect(try ids(Q.bin(.greaterOrEqual, Q.field("status"), Q.num(400))) == ["2", "3"])
        #expect(try ids(Q.bin(.equal, Q.field("status"), Q.str("404.0"))) == ["2"])
    }

    @Test func nonNumericComparisonIsByString() throws {
        #expect(try ids(Q.bin(.less, Q.field("type"), Q.str("c"))) == ["2", "3", "4"])
        #expect(try ids(Q.bin(.notEqual, Q.field("type"), Q.str("foo"))) == ["2", "3", "4"])
    }

    @Test func comparisonWithMissingFieldIsNeverTrue() throws {
        #expect(try ids(Q.bin(.equal, Q.field("status"), Q.field("status"))) == ["1", "2", "3"])
        #expect(try ids(Q.bin(.notEqual, Q.field("status"), Q.num(1))) == ["1", "2", "3"])
        #expect(try ids(Q.bin(.less, Q.field("nothing"), Q.num(1))) == [])
    }

    @Test func notOfUnknownStaysUnknown() throws {
        // Record 4 has no status: `status = 200` is unknown there, and so is its negation.
        #expect(try ids(.unary(.not, Q.bin(.equal, Q.field("status"), Q.num(200)))) == ["2", "3"])
    }

    @Test func notLikeOnMissingFieldIsFalse() throws {
        #expect(try ids(Q.bin(.notLike, Q.field("nothing"), Q.str("x"))) == [])
        #expect(try ids(Q.bin(.notLike, Q.field("f1"), Q.str("Exception"))) == ["2", "3"])
    }

    @Test func kleeneAndOr() throws {
        let unknown = Q.bin(.equal, Q.field("status"), Q.num(200))  // unknown for record 4
        let isFour = Q.eq("id", "4")
        #expect(try ids(Q.bin(.or, unknown, isFour)) == ["1", "4"])
        #expect(try ids(Q.bin(.and, unknown, isFour)) == [])
        #expect(try value(Q.bin(.or, Q.bin(.equal, Q.field("x"), Q.num(1)), Q.bin(.equal, Q.num(1), Q.num(1)))) == .bool(true))
        #expect(try value(Q.bin(.and, Q.bin(.equal, Q.field("x"), Q.num(1)), Q.bin(.equal, Q.num(1), Q.num(2)))) == .bool(false))
    }

    @Test func likeStringIsCaseSensitiveSubstring() throws {
        #expect(try ids(Q.bin(.like, Q.field("f1"), Q.str("Exception"))) == ["1", "4"])
    }

    @Test func likeRegexAndMatches() throws {
        #expect(try ids(Q.bin(.like, Q.field("f1"), Q.regex("Exception"))) == ["1", "4"])
        #expect(try ids(Q.bin(.like, Q.field("f1"), Q.regex("(?i)Exception"))) == ["1", "2", "4"])
        #expect(try ids(Q.bin(.matches, Q.field("f1"), Q.regex("^(?i)Exception$"))) == ["4"])
        #expect(try ids(Q.bin(.like, Q.field("status"), Q.regex("2\\d\\d"))) == ["1"])
        #expect(try ids(Q.bin(.notLike, Q.field("status"), Q.regex("2\\d\\d"))) == ["2", "3"])
    }

    @Test func regexIsUnanchoredNotBeginsWith() throws {
        // The docs' prose says /E*/ means "begins with E"; real regex semantics match everything.
        #expect(try ids(Q.bin(.like, Q.field("f1"), Q.regex("E*"))) == ["1", "2", "3", "4"])
    }

    @Test func inComparesStringForms() throws {
        #expect(try ids(Q.bin(.in, Q.field("status"), Q.array(Q.num(300), Q.num(404), Q.num(500)))) == ["2", "3"])
        #expect(try ids(Q.bin(.notIn, Q.field("type"), Q.array(Q.str("foo"), Q.str("bar"), Q.num(1)))) == ["4"])
        #expect(try ids(Q.bin(.in, Q.field("type"), Q.array(Q.str("fo")))) == [])
    }

    @Test func inWithMissingFieldIsNeverTrue() throws {
        #expect(try ids(Q.bin(.notIn, Q.field("status"), Q.array(Q.num(1)))) == ["1", "2", "3"])
    }

    @Test func booleansProjectAsOneAndZero() throws {
        let r = try run(Q.fields(Q.proj(Q.call("ispresent", Q.field("status")), as: "has"),
                                 Q.proj(Q.bin(.equal, Q.field("type"), Q.str("foo")), as: "isFoo")),
                        Q.sort(("id", false)), over: Self.records)
        #expect(cells(r) == [["1", "1"], ["1", "0"], ["1", "0"], ["0", "0"]])
        #expect(r.columns == ["has", "isFoo"])
    }

    @Test func timestampArithmetic() throws {
        let r = JSONRecord(message: "m", timestampMillis: 10_000)
        #expect(try value(Q.bin(.add, Q.field("@timestamp"), Q.num(500)), r) == .timestamp(10_500))
        #expect(try value(Q.bin(.subtract, Q.field("@timestamp"), Q.call("fromMillis", Q.num(4000))), r) == .number(6000))
        #expect(try value(Q.bin(.greater, Q.field("@timestamp"), Q.call("fromMillis", Q.num(4000))), r) == .bool(true))
    }

    @Test func nowBasedTimeFilter() throws {
        let ctx = QueryContext(nowMillis: 10_000_000)
        let recent = JSONRecord(message: "new", timestampMillis: 9_000_000)
        let old = JSONRecord(message: "old", timestampMillis: 1_000_000)
        let cond = Q.bin(.greaterOrEqual, Q.call("toMillis", Q.field("@timestamp")),
                         Q.bin(.subtract, Q.bin(.multiply, Q.call("now"), Q.num(1000)), Q.num(7_200_000)))
        let r = try run(.filter(cond), Q.display(Q.proj(Q.field("@message"))), over: [recent, old], context: ctx)
        #expect(cells(r) == [["new"]])
    }

    @Test func fieldAsConditionUsesItsTruth() throws {
        #expect(try ids(Q.field("status")) == ["1", "2", "3"])
    }
}
