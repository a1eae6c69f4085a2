import Testing
import TrailJSON
@testable import InsightsQuery

/// §5.5 IP, §5.6 JSON and structure access.
@Suite struct FunctionsIPJSONTests {
    @Test func validIPs() throws {
        #expect(try value(Q.call("isValidIp", Q.str("192.0.2.1"))) == .bool(true))
        #expect(try value(Q.call("isValidIp", Q.str("2001:db8::1"))) == .bool(true))
        #expect(try value(Q.call("isValidIpV4", Q.str("256.0.0.1"))) == .bool(false))
        #expect(try value(Q.call("isValidIpV4", Q.str("2001:db8::1"))) == .bool(false))
        #expect(try value(Q.call("isValidIpV6", Q.str("::ffff:192.0.2.1"))) == .bool(true))
        #expect(try value(Q.call("isValidIpV6", Q.str("1:2:3:4:5:6:7:8:9"))) == .bool(false))
        #expect(try value(Q.call("isValidIpV6", Q.str("1::2::3"))) == .bool(false))
    }

    @Test func subnets() throws {
        #expect(try value(Q.call("isIpInSubnet", Q.str("192.0.2.77"), Q.str("192.0.2.0/24"))) == .bool(true))
        #expect(try value(Q.call("isIpInSubnet", Q.str("192.0.3.1"), Q.str("192.0.2.0/24"))) == .bool(false))
        #expect(try value(Q.call("isIpInSubnet", Q.str("2001:db8:abcd::1"), Q.str("2001:db8::/32"))) == .bool(true))
        #expect(try value(Q.call("isIpv4InSubnet", Q.str("10.1.2.3"), Q.str("10.0.0.0/8"))) == .bool(true))
        #expect(try value(Q.call("isIpv4InSubnet", Q.str("2001:db8::1"), Q.str("2001:db8::/32"))) == .bool(false))
        #expect(try value(Q.call("isIpv6InSubnet", Q.str("2001:db8::1"), Q.str("2001:db8::/32"))) == .bool(true))
        #expect(try value(Q.call("isIpInSubnet", Q.str("172.20.0.1"), Q.str("172.16.0.0/12"))) == .bool(true))
        #expect(try value(Q.call("isIpInSubnet", Q.str("x"), Q.str("172.16.0.0/12"))) == .bool(false))
    }

    @Test func privatePublicReserved() throws {
        #expect(try value(Q.call("isPrivateIP", Q.str("10.0.0.1"))) == .bool(true))
        #expect(try value(Q.call("isPrivateIP", Q.str("192.168.1.1"))) == .bool(true))
        #expect(try value(Q.call("isPrivateIP", Q.str("8.8.8.8"))) == .bool(false))
        #expect(try value(Q.call("isPublicIP", Q.str("8.8.8.8"))) == .bool(true))
        #expect(try value(Q.call("isPublicIP", Q.str("127.0.0.1"))) == .bool(false))
        #expect(try value(Q.call("isReservedIP", Q.str("127.0.0.1"))) == .bool(true))
        #expect(try value(Q.call("isReservedIP", Q.str("198.51.100.7"))) == .bool(true))
        #expect(try value(Q.call("isReservedIP", Q.str("fe80::1"))) == .bool(true))
        #expect(try value(Q.call("isPublicIP", Q.str("2600:1f18::1"))) == .bool(true))
        #expect(try value(Q.call("isPublicIP", Q.str("AWS Internal"))) == .bool(false))
    }

    @Test func ipv4ToNumber() throws {
        #expect(try value(Q.call("ipv4ToNumber", Q.str("192.0.2.1"))) == .number(3_221_225_985))
        #expect(try value(Q.call("ipv4ToNumber", Q.str("::1"))) == .null)
    }

    @Test func jsonParseAndAccess() throws {
        let r = JSONRecord(message: "{\"status_code\":500,\"users\":[{\"action\":\"a0\"},{\"action\":\"a1\"}],\"user.id\":\"u7\",\"ok\":true}",
                           timestampMillis: 0)
        let q = Q.query(
            Q.fields(Q.proj(Q.call("jsonParse", Q.field("@message")), as: "j")),
            Q.display(Q.proj(Q.field("j.status_code")), Q.proj(.field(FieldRef(segments: ["j", "users", "1", "action"]))),
                      Q.proj(.field(FieldRef(segments: ["j", "user.id"])), name: "uid"), Q.proj(Q.field("j.ok")),
                      Q.proj(Q.field("j.nothing"))))
        let res = try run(q, [r])
        #expect(cells(res) == [["500", "a1", "u7", "true", ""]])
    }

    @Test func jsonParseNonStructureIsNull() throws {
        #expect(try value(Q.call("jsonParse", Q.str("42"))) == .null)
        #expect(try value(Q.call("jsonParse", Q.str("{bad"))) == .null)
    }

    @Test func jsonStringifyRoundTrip() throws {
        #expect(try text(Q.call("jsonStringify", Q.call("jsonParse", Q.str("{\"a\":[1,true,null,\"x\"]}")))) == "{\"a\":[1,true,null,\"x\"]}")
        #expect(try value(Q.call("jsonStringify", Q.str("x"))) == .null)
    }

    @Test func jsonArraySizeAndContains() throws {
        #expect(try value(Q.call("jsonArraySize", Q.str("[1,2,3]"))) == .number(3))
        #expect(try value(Q.call("jsonArraySize", Q.str("{}"))) == .null)
        #expect(try value(Q.call("jsonArrayContains", Q.str("[\"a\",\"B\"]"), Q.str("B"))) == .bool(true))
        #expect(try value(Q.call("jsonArrayContains", Q.str("[\"a\",\"B\"]"), Q.str("b"))) == .bool(false))
        #expect(try value(Q.call("jsonArrayContains", Q.str("[1,2]"), Q.num(2))) == .bool(true))
        #expect(try value(Q.call("jsonArrayContains", Q.str("nope"), Q.str("x"))) == .bool(false))
    }

    @Test func mapsAndListsCompareFalse() throws {
        let parsed = Q.call("jsonParse", Q.str("{\"a\":1}"))
        #expect(try value(Q.bin(.equal, parsed, Q.str("{\"a\":1}"))) == .bool(false))
        #expect(try value(Q.call("toupper", parsed)) == .null)
    }
}
