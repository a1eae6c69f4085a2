import Testing
import TrailJSON
@testable import TrailGenerator

@Suite struct TrafficTests {
    @Test func weekdaysOutnumberWeekendsAndAfternoonsOutnumberNights() throws {
        var perDay = [Int](repeating: 0, count: 7)
        var afternoon = 0, night = 0
        let start = CivilDate(parsing: weekTrail.config.start)!.dayNumber
        for r in quietWeek.records {
            let t = try #require(epoch(r["eventTime"]!.stringValue!))
            let day = Int(t / 86_400) - start
            let hour = Int(t % 86_400) / 3600
            perDay[day] += 1
            if (13..<16).contains(hour) { afternoon += 1 }
            if (1..<4).contains(hour) { night += 1 }
        }
        // 2026-10-01 is a Thursday: days 2 and 3 are the weekend.
        #expect(CivilDate(parsing: "2026-10-01")!.weekday == 3)
        let weekend = Double(perDay[2] + perDay[3]) / 2
        let weekday = Double(perDay[0] + perDay[1] + perDay[4] + perDay[5] + perDay[6]) / 5
        #expect(weekend / weekday > 0.2 && weekend / weekday < 0.5, "weekend/weekday = \(weekend / weekday)")
        #expect(afternoon > 3 * night, "afternoon \(afternoon) vs night \(night)")
        #expect(night > 0, "the 24/7 background is missing")
    }

    @Test func eventsPerDayIsTheMean() {
        let total = quietWeek.summary.events
        let expected = quietWeek.config.days * quietWeek.config.eventsPerDay
        #expect(abs(Double(total - expected)) < 0.08 * Double(expected), "\(total) events for \(expected) expected")
    }

    @Test func principalsAndIPsComeFromASmallPopulation() {
        var principals = Set<String>(), ips = Set<String>()
        for r in quietWeek.records {
            principals.insert(r["userIdentity"]?["arn"]?.stringValue ?? r["userIdentity"]?["invokedBy"]?.stringValue ?? "")
            ips.insert(r["sourceIPAddress"]!.stringValue!)
        }
        #expect(principals.count < 80)
        #expect(ips.count < 60)
        #expect(ips.isDisjoint(with: Population.incidentIPs))
    }

    /// Normal traffic feeds the CIS monitoring filters, so their baselines are not empty.
    @Test func normalTrafficIncludesCISFilterMatchesAtLowRates() {
        var hits: [String: Int] = [:]
        let iamPolicy: Set = ["PutRolePolicy", "AttachRolePolicy", "DetachRolePolicy", "CreatePolicy", "CreatePolicyVersion", "PutUserPolicy"]
        let securityGroup: Set = ["AuthorizeSecurityGroupIngress", "RevokeSecurityGroupIngress", "CreateSecurityGroup", "DeleteSecurityGroup"]
        for r in quietWeek.records {
            let name = r["eventName"]!.stringValue!
            if let code = r["errorCode"]?.stringValue, code.hasPrefix("AccessDenied") || code.hasSuffix("UnauthorizedOperation") { hits["unauthorized", default: 0] += 1 }
            if name == "ConsoleLogin", r["userIdentity"]?["type"]?.stringValue == "IAMUser",
               r["additionalEventData"]?["MFAUsed"]?.stringValue != "Yes", r["responseElements"]?["ConsoleLogin"]?.stringValue == "Success" {
                hits["loginWithoutMFA", default: 0] += 1
            }
            if iamPolicy.contains(name) { hits["iamPolicy", default: 0] += 1 }
            if securityGroup.contains(name) { hits["securityGroup", default: 0] += 1 }
            if name == "StopInstances" || name == "StartInstances" { hits["stopStart", default: 0] += 1 }
        }
        for key in ["unauthorized", "loginWithoutMFA", "iamPolicy", "securityGroup", "stopStart"] {
            #expect((hits[key] ?? 0) > 0, "no \(key) events in a week of normal traffic")
        }
        #expect((hits["unauthorized"] ?? 0) < quietWeek.summary.events / 50)
    }

    @Test func civilTimeHelpers() {
        #expect(CivilDate(parsing: "2026-02-29") == nil)
        #expect(CivilDate(parsing: "2028-02-29") != nil)
        #expect(CivilDate(parsing: "2026-13-01") == nil)
        #expect(CivilDate(dayNumber: CivilDate(parsing: "2026-10-01")!.dayNumber).text == "2026-10-01")
        #expect(UTC.iso(0) == "1970-01-01T00:00:00Z")
        #expect(UTC.parseISO("2026-10-09T03:00:00Z").map(UTC.iso) == "2026-10-09T03:00:00Z")
        #expect(UTC.parseISO("2026-10-09T03:00Z").map(UTC.iso) == "2026-10-09T03:00:00Z")
        #expect(UTC.parseISO("2026-10-09 03:00:00") == nil)
        var b: [UInt8] = []
        UTC.appendJavaMedium(&b, UTC.parseISO("2026-10-09T14:05:07Z")!)
        #expect(String(decoding: b, as: UTF8.self) == "Oct 9, 2026, 2:05:07 PM")
    }
}

let quietWeek: GeneratedTrail = try! GeneratedTrail.make(GeneratorConfig(days: 7, eventsPerDay: 500, seed: 77, anomalies: .none))
