import Testing
import TrailJSON
@testable import InsightsQuery

/// §5.4 string functions, with the spec's documented examples.
@Suite struct FunctionsStringTests {
    typealias E = Expr

    @Test func ltrimWithCharacterSet() throws {
        #expect(try text(Q.call("ltrim", Q.str("xyZxyfooxyZ"), Q.str("xyZ"))) == "fooxyZ")
    }

    @Test func rtrimWithCharacterSet() throws {
        #expect(try text(Q.call("rtrim", Q.str("xyZfooxyxyZ"), Q.str("xyZ"))) == "xyZfoo")
        #expect(try text(Q.call("rtrim", Q.str("xyZfooxyZ"), Q.str("xyZ"))) == "xyZfoo")
    }

    @Test func trimWithCharacterSet() throws {
        #expect(try text(Q.call("trim", Q.str("xyZxyfooxyxyZ"), Q.str("xyZ"))) == "foo")
        #expect(try text(Q.call("trim", Q.str("xyZfooxyZ"), Q.str("xyZ"))) == "foo")
    }

    @Test func trimWhitespaceByDefault() throws {
        #expect(try text(Q.call("trim", Q.str("  a b \t"))) == "a b")
        #expect(try text(Q.call("ltrim", Q.str("  a "))) == "a ")
        #expect(try text(Q.call("rtrim", Q.str("  a "))) == "  a")
    }

    @Test func substrIsZeroBased() throws {
        #expect(try text(Q.call("substr", Q.str("xyZfooxyZ"), Q.num(3), Q.num(3))) == "foo")
        #expect(try text(Q.call("substr", Q.str("xyZfooxyZ"), Q.num(3))) == "fooxyZ")
    }

    @Test func substrOutOfRangeIsClamped() throws {
        #expect(try text(Q.call("substr", Q.str("abc"), Q.num(10))) == "")
        #expect(try text(Q.call("substr", Q.str("abc"), Q.num(1), Q.num(100))) == "bc")
        #expect(try text(Q.call("substr", Q.str("abc"), Q.num(-2), Q.num(2))) == "ab")
    }

    @Test func replaceAllOccurrences() throws {
        #expect(try text(Q.call("replace", Q.str("foo"), Q.str("o"), Q.str("0"))) == "f00")
    }

    @Test func concatSkipsNulls() throws {
        #expect(try text(Q.call("concat", Q.str("a"), Q.str("-"), Q.num(200), Q.field("missing"))) == "a-200")
    }

    @Test func strlenCountsCodePoints() throws {
        #expect(try value(Q.call("strlen", Q.str("héllo✓"))) == .number(6))
    }

    @Test func caseConversion() throws {
        #expect(try text(Q.call("toupper", Q.str("abC"))) == "ABC")
        #expect(try text(Q.call("tolower", Q.str("AbC"))) == "abc")
    }

    @Test func isemptyAndIsblank() throws {
        #expect(try value(Q.call("isempty", Q.field("missing"))) == .bool(true))
        #expect(try value(Q.call("isempty", Q.str(""))) == .bool(true))
        #expect(try value(Q.call("isempty", Q.str(" "))) == .bool(false))
        #expect(try value(Q.call("isblank", Q.str(" \t"))) == .bool(true))
        #expect(try value(Q.call("isblank", Q.str(" x"))) == .bool(false))
        #expect(try text(Q.call("isblank", Q.field("missing"))) == "1")
    }

    @Test func strcontainsOptionallyCaseInsensitive() throws {
        #expect(try value(Q.call("strcontains", Q.str("Hello"), Q.str("ell"))) == .bool(true))
        #expect(try value(Q.call("strcontains", Q.str("Hello"), Q.str("ELL"))) == .bool(false))
        #expect(try value(Q.call("strcontains", Q.str("Hello"), Q.str("ELL"), Q.num(1))) == .bool(true))
    }

    @Test func startsAndEndsWith() throws {
        #expect(try value(Q.call("startsWith", Q.str("arn:aws:iam"), Q.str("arn:"))) == .bool(true))
        #expect(try value(Q.call("endsWith", Q.str("file.json"), Q.str(".json"))) == .bool(true))
        #expect(try value(Q.call("endsWith", Q.str("file.json"), Q.str(".gz"))) == .bool(false))
    }

    @Test func regexReplaceWithGroups() throws {
        #expect(try text(Q.call("regexReplace", Q.str("user=alice id=7"), Q.str("(\\w+)=(\\w+)"), Q.str("$2:$1"))) == "alice:user 7:id")
        #expect(try text(Q.call("regexReplace", Q.str("a1b22"), Q.regex("\\d+"), Q.str("#"))) == "a#b#")
    }

    @Test func urlEncodeDecode() throws {
        #expect(try text(Q.call("urlencode", Q.str("a b&c=d/é"))) == "a%20b%26c%3Dd%2F%C3%A9")
        #expect(try text(Q.call("urldecode", Q.str("a%20b%26c+d"))) == "a b&c d")
        #expect(try value(Q.call("urldecode", Q.str("%zz"))) == .null)
    }

    @Test func base64RoundTrip() throws {
        #expect(try text(Q.call("base64encode", Q.str("Hello"))) == "SGVsbG8=")
        #expect(try text(Q.call("base64decode", Q.str("SGVsbG8="))) == "Hello")
        #expect(try text(Q.call("base64decode", Q.str("SGVsbG8"))) == "Hello")
    }

    @Test func splitIntoList() throws {
        #expect(try value(Q.call("split", Q.str("a,b,,c"), Q.str(","))) == .list([.string("a"), .string("b"), .string(""), .string("c")]))
        #expect(try text(Q.call("split", Q.str("a b"), Q.str(" "))) == "[\"a\",\"b\"]")
    }

    @Test func hexConversions() throws {
        #expect(try text(Q.call("hexToAscii", Q.str("48656c6c6f"))) == "Hello")
        #expect(try value(Q.call("hexToDec", Q.str("0xff"))) == .number(255))
        #expect(try value(Q.call("hexToDec", Q.str("FF"))) == .number(255))
        #expect(try text(Q.call("decToHex", Q.num(255))) == "0xff")
        #expect(try text(Q.call("decToHex", Q.num(-255))) == "-0xff")
        #expect(try text(Q.call("decToHex", Q.num(255.9))) == "0xff")
        #expect(try value(Q.call("hexToAscii", Q.str("4"))) == .null)
    }

    @Test func stringFunctionsReadNumbersAsText() throws {
        #expect(try value(Q.call("strlen", Q.num(12345))) == .number(5))
        #expect(try text(Q.call("concat", Q.num(1.5), Q.str("x"))) == "1.5x")
    }

    @Test func stringFunctionsOnNullAreNull() throws {
        #expect(try value(Q.call("toupper", Q.field("missing"))) == .null)
        #expect(try value(Q.call("substr", Q.field("missing"), Q.num(0))) == .null)
    }

    @Test func hashesAreLowercaseHex() throws {
        #expect(try text(Q.call("md5", Q.str("hello"))) == "5d41402abc4b2a76b9719d911017c592")
        #expect(try text(Q.call("sha256", Q.str("hello"))) == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
    }

    @Test func unmaskIsIdentity() throws {
        #expect(try text(Q.call("unmask", Q.str("secret"))) == "secret")
    }

    @Test func messageSizeIsUTF8Bytes() throws {
        #expect(try value(Q.call("messageSize", Q.str("é"))) == .number(2))
    }
}
