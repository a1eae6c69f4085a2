import Testing
import TrailJSON
@testable import InsightsQuery

/// §5.1 numeric, §5.2 datetime and §5.3 general functions.
@Suite struct FunctionsNumericDateTests {
    @Test func absCeilFloor() throws {
        #expect(try value(Q.call("abs", Q.num(-3.5))) == .number(3.5))
        #expect(try value(Q.call("ceil", Q.num(2.1))) == .number(3))
        #expect(try value(Q.call("floor", Q.num(-2.1))) == .number(-3))
        #expect(try value(Q.call("ceil", Q.num(2))) == .number(2))
    }

    @Test func greatestLeastIgnoreNulls() throws {
        #expect(try value(Q.call("greatest", Q.num(1), Q.str("7"), Q.field("missing"), Q.num(3))) == .number(7))
        #expect(try value(Q.call("least", Q.num(1), Q.num(-2), Q.num(3))) == .number(-2))
        #expect(try value(Q.call("greatest", Q.field("missing"))) == .null)
    }

    @Test func logAndSqrtOutsideDomainAreNull() throws {
        #expect(try value(Q.call("log", Q.num(1))) == .number(0))
        #expect(try value(Q.call("sqrt", Q.num(16))) == .number(4))
        #expect(try value(Q.call("sqrt", Q.num(-1))) == .null)
        #expect(try value(Q.call("log", Q.num(0))) == .null)
    }

    @Test func roundHalfAwayFromZero() throws {
        #expect(try value(Q.call("round", Q.num(2.5))) == .number(3))
        #expect(try value(Q.call("round", Q.num(-2.5))) == .number(-3))
        #expect(try value(Q.call("round", Q.num(3.14159), Q.num(2))) == .number(3.14))
    }

    @Test func haversineKilometres() throws {
        // Paris → London, about 344 km.
        let d = try value(Q.call("haversine", Q.num(48.8566), Q.num(2.3522), Q.num(51.5074), Q.num(-0.1278))).numeric!
        #expect(abs(d - 343.5) < 1.5)
    }

    @Test func conversions() throws {
        #expect(try value(Q.call("toNumber", Q.str("42.5"))) == .number(42.5))
        #expect(try value(Q.call("toInt", Q.str("42.9"))) == .number(42))
        #expect(try value(Q.call("toInt", Q.str("3000000000"))) == .null)
        #expect(try value(Q.call("toLong", Q.str("3000000000"))) == .number(3_000_000_000))
        #expect(try value(Q.call("toDouble", Q.str("abc"))) == .null)
    }

    @Test func arithmeticOperatorsDocumentedExamples() throws {
        #expect(try value(Q.bin(.power, Q.num(2), Q.num(3))) == .number(8))
        #expect(try value(Q.bin(.modulo, Q.num(10), Q.num(3))) == .number(1))
        #expect(try value(Q.bin(.divide, Q.num(1), Q.num(0))) == .null)
        #expect(try value(Q.bin(.add, Q.str("2"), Q.num(3))) == .number(5))
        #expect(try value(Q.bin(.multiply, Q.str("x"), Q.num(3))) == .null)
        #expect(try value(.unary(.negate, Q.num(4))) == .number(-4))
    }

    @Test func powerIsRightAssociativeWhenNestedThatWay() throws {
        // 2 ^ (3 ^ 2) = 512: the parser builds the right-nested tree; the evaluator honours it.
        #expect(try value(Q.bin(.power, Q.num(2), Q.bin(.power, Q.num(3), Q.num(2)))) == .number(512))
    }

    @Test func toMillisDocumentedExample() throws {
        #expect(try value(Q.call("toMillis", Q.str("2022-01-14T13:18:31.000-08:00"))) == .number(1_642_195_111_000))
        let r = JSONRecord(json: ["eventTime": "2022-01-14T21:18:31Z"])
        #expect(try value(Q.call("toMillis", Q.field("@timestamp")), r) == .number(1_642_195_111_000))
    }

    @Test func fromMillisIsATimestamp() throws {
        #expect(try value(Q.call("fromMillis", Q.num(1_642_195_111_000))) == .timestamp(1_642_195_111_000))
        #expect(try text(Q.call("fromMillis", Q.num(1_642_195_111_000))) == "2022-01-14 21:18:31.000")
    }

    @Test func nowIsEpochSecondsFromContext() throws {
        let ctx = QueryContext(nowMillis: 1_700_000_123_456)
        #expect(try value(Q.call("now"), context: ctx) == .number(1_700_000_123))
    }

    @Test func queryWindowFunctions() throws {
        let ctx = QueryContext(window: TimeWindow(startMillis: 1000, endMillis: 61_000), nowMillis: 0)
        let r = JSONRecord(message: "m", timestampMillis: 5000)
        #expect(try value(Q.call("queryStartTime"), r, context: ctx) == .number(1000))
        #expect(try value(Q.call("queryEndTime"), r, context: ctx) == .number(61_000))
        #expect(try value(Q.call("queryTimeRange"), r, context: ctx) == .number(60_000))
    }

    @Test func binFloorsTimestamp() throws {
        let r = JSONRecord(message: "m", timestampMillis: utc("2023-05-01T10:07:31.250Z"))
        #expect(try text(Q.call("bin", Q.period(5, .minute)), r) == "2023-05-01 10:05:00.000")
        #expect(try text(Q.call("bin", Q.period(1, .hour)), r) == "2023-05-01 10:00:00.000")
        #expect(try text(Q.call("bin", Q.period(1, .day)), r) == "2023-05-01 00:00:00.000")
        #expect(try text(Q.call("bin", Q.period(100, .millisecond)), r) == "2023-05-01 10:07:31.200")
    }

    @Test func binCapsPerUnit() throws {
        let r = JSONRecord(message: "m", timestampMillis: utc("2023-05-01T10:07:31.250Z"))
        #expect(try value(Q.call("bin", Q.period(300, .second)), r) == value(Q.call("bin", Q.period(60, .second)), r))
        #expect(try text(Q.call("bin", Q.period(300, .second)), r) == "2023-05-01 10:07:00.000")
        #expect(try value(Q.call("bin", Q.period(90, .minute)), r) == value(Q.call("bin", Q.period(1, .hour)), r))
        #expect(try value(Q.call("bin", Q.period(48, .hour)), r) == value(Q.call("bin", Q.period(1, .day)), r))
        #expect(try value(Q.call("bin", Q.period(5000, .millisecond)), r) == value(Q.call("bin", Q.period(1, .second)), r))
    }

    @Test func binCalendarUnits() throws {
        let r = JSONRecord(message: "m", timestampMillis: utc("2023-05-17T10:07:31Z"))
        #expect(try text(Q.call("bin", Q.period(1, .month)), r) == "2023-05-01 00:00:00.000")
        #expect(try text(Q.call("bin", Q.period(1, .quarter)), r) == "2023-04-01 00:00:00.000")
        #expect(try text(Q.call("bin", Q.period(1, .year)), r) == "2023-01-01 00:00:00.000")
        #expect(try text(Q.call("bin", Q.period(1, .week)), r) == "2023-05-11 00:00:00.000")  // Epoch weeks start Thursday.
    }

    @Test func datefloorAndDateceil() throws {
        let r = JSONRecord(message: "m", timestampMillis: utc("2023-05-01T10:07:31Z"))
        #expect(try text(Q.call("datefloor", Q.field("@timestamp"), Q.period(1, .hour)), r) == "2023-05-01 10:00:00.000")
        #expect(try text(Q.call("dateceil", Q.field("@timestamp"), Q.period(1, .hour)), r) == "2023-05-01 11:00:00.000")
        #expect(try text(Q.call("dateceil", Q.field("@timestamp"), Q.period(1, .month)), r) == "2023-06-01 00:00:00.000")
    }

    @Test func dateceilOnBoundaryIsUnchanged() throws {
        let r = JSONRecord(message: "m", timestampMillis: utc("2023-05-01T10:00:00Z"))
        #expect(try text(Q.call("dateceil", Q.field("@timestamp"), Q.period(10, .minute)), r) == "2023-05-01 10:00:00.000")
    }

    @Test func binBeforeEpochFloorsDown() throws {
        let r = JSONRecord(message: "m", timestampMillis: -1)
        #expect(try value(Q.call("bin", Q.period(1, .second)), r) == .timestamp(-1000))
        #expect(try text(Q.call("bin", Q.period(1, .month)), r) == "1969-12-01 00:00:00.000")
    }

    @Test func formatDateStrftime() throws {
        let r = JSONRecord(message: "m", timestampMillis: utc("2023-05-01T10:07:31.250Z"))
        #expect(try text(Q.call("formatDate", Q.field("@timestamp"), Q.str("%Y-%m-%d %H:%M:%S.%L")), r) == "2023-05-01 10:07:31.250")
        #expect(try text(Q.call("strftime", Q.field("@timestamp"), Q.str("%a %b %e %j")), r) == "Mon May  1 121")
        #expect(try text(Q.call("formatDate", Q.field("@timestamp"), Q.str("%H:%M %z"), Q.str("+05:30")), r) == "15:37 +0530")
    }

    @Test func parseDateJavaPatterns() throws {
        #expect(try value(Q.call("parseDate", Q.str("2023-05-01 10:07:31"), Q.str("yyyy-MM-dd HH:mm:ss"))) == .number(Double(utc("2023-05-01T10:07:31Z"))))
        #expect(try value(Q.call("parseDate", Q.str("01/May/2023:10:07:31 +0200"), Q.str("dd/MMM/yyyy:HH:mm:ss Z"))) == .number(Double(utc("2023-05-01T08:07:31Z"))))
        #expect(try value(Q.call("parseDate", Q.str("20230501"), Q.str("yyyyMMdd"))) == .number(Double(utc("2023-05-01T00:00:00Z"))))
        #expect(try value(Q.call("parseDate", Q.str("2023-05-01T10:00:00.5"), Q.str("yyyy-MM-dd'T'HH:mm:ss.S"), Q.str("-01:00"))) == .number(Double(utc("2023-05-01T11:00:00.500Z"))))
        #expect(try value(Q.call("parseDate", Q.str("garbage"), Q.str("yyyy"))) == .null)
    }

    @Test func ispresentCoalesceIfCase() throws {
        let r = record(["a": "x", "n": 3])
        #expect(try value(Q.call("ispresent", Q.field("a")), r) == .bool(true))
        #expect(try value(Q.call("ispresent", Q.field("b")), r) == .bool(false))
        #expect(try text(Q.call("coalesce", Q.field("b"), Q.field("a")), r) == "x")
        #expect(try text(Q.call("if", Q.bin(.greater, Q.field("n"), Q.num(2)), Q.str("big"), Q.str("small")), r) == "big")
        #expect(try text(Q.call("case", Q.bin(.less, Q.field("n"), Q.num(2)), Q.str("lt2"),
                                Q.bin(.less, Q.field("n"), Q.num(5)), Q.str("lt5"), Q.str("other")), r) == "lt5")
        #expect(try value(Q.call("case", Q.bin(.less, Q.field("n"), Q.num(2)), Q.str("lt2")), r) == .null)
    }

    @Test func isNumeric() throws {
        #expect(try value(Q.call("isNumeric", Q.str("12.5"))) == .bool(true))
        #expect(try value(Q.call("isNumeric", Q.str("12a"))) == .bool(false))
        #expect(try value(Q.call("isNumeric", Q.str("nan"))) == .bool(false))
    }
}
