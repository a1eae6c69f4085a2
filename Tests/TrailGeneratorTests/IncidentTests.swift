import Testing
import TrailJSON
@testable import TrailGenerator

@Suite struct IncidentTests {
    @Test func defaultPlanLabelsEveryKindWithMatchingEvents() throws {
        let incidents = try #require(weekTrail.labels["incidents"]?.arrayValue)
        #expect(incidents.map { $0["kind"]!.stringValue! } == IncidentKind.allCases.map(\.rawValue))
        var byID: [String: JSONValue] = [:]
        for r in weekTrail.records { byID[r["eventID"]!.stringValue!] = r }
        for (i, inc) in incidents.enumerated() {
            #expect(inc["id"]?.stringValue == "inc-0\(i + 1)")
            let start = try #require(epoch(inc["start"]?.stringValue ?? "")), end = try #require(epoch(inc["end"]?.stringValue ?? ""))
            let ids = try #require(inc["eventIDs"]?.arrayValue).map { $0.stringValue! }
            let names = Set(try #require(inc["eventNames"]?.arrayValue).map { $0.stringValue! })
            #expect(inc["count"]?.intValue == ids.count)
            #expect(inc["description"]?.stringValue?.isEmpty == false)
            #expect(inc["principal"]?.stringValue?.hasPrefix("arn:aws:") == true)
            for id in ids {
                let r = try #require(byID[id], "\(inc["kind"]!.stringValue!): eventID \(id) not in the trail")
                let t = try #require(epoch(r["eventTime"]!.stringValue!))
                #expect(t >= start && t <= end)
                #expect(names.contains(r["eventName"]!.stringValue!))
                #expect(r["sourceIPAddress"]?.stringValue == inc["sourceIPAddress"]?.stringValue)
                #expect(r["recipientAccountId"]?.stringValue == inc["accountId"]?.stringValue)
                if let arn = r["userIdentity"]?["arn"]?.stringValue { #expect(arn == inc["principal"]?.stringValue) }
            }
        }
    }

    func events(_ kind: IncidentKind) throws -> [JSONValue] {
        let label = try #require(weekTrail.summary.incidents.first { $0.kind == kind })
        let ids = Set(label.eventIDs)
        return weekTrail.records.filter { ids.contains($0["eventID"]!.stringValue!) }
    }

    @Test func incidentsHaveTheirCharacteristicShape() throws {
        let offHours = try events(.offHoursStopStart)
        #expect(offHours.count == 24)
        #expect(offHours.allSatisfy { ($0["eventTime"]!.stringValue!.dropFirst(11).prefix(2)) == "03" })

        let denied = try events(.accessDeniedSpike)
        #expect(denied.filter { $0["errorCode"] != nil }.count > denied.count * 3 / 4)

        let root = try events(.rootConsoleLogin)
        #expect(root.contains { $0["eventName"]?.stringValue == "ConsoleLogin" && $0["additionalEventData"]?["MFAUsed"]?.stringValue == "No" })
        #expect(root.allSatisfy { $0["userIdentity"]?["type"]?.stringValue == "Root" })
        #expect(root.contains { $0["eventName"]?.stringValue == "CreateAccessKey" })

        let churn = try events(.instanceStopChurn)
        let stopped = churn.filter { $0["eventName"]?.stringValue == "StopInstances" }
            .compactMap { try? JSONPath(parsing: "requestParameters.instancesSet.items.0.instanceId").value(in: $0)?.stringValue }
        #expect(stopped.count >= 4 && Set(stopped).count == 1)
        #expect(Set(churn.map { $0["eventTime"]!.stringValue!.prefix(10) }).count == 1)

        let brute = try events(.consoleBruteForce)
        #expect(brute.allSatisfy { $0["eventName"]?.stringValue == "ConsoleLogin" && $0["responseElements"]?["ConsoleLogin"]?.stringValue == "Failure" })
        #expect(brute.contains { $0["errorMessage"]?.stringValue == "Failed authentication" })

        let tamper = try events(.cloudTrailTampering).map { $0["eventName"]!.stringValue! }
        #expect(tamper.contains("StopLogging") && tamper.contains("DeleteTrail"))

        let iam = try events(.iamPolicyChangeAtNight)
        #expect(iam.count == 8)
        #expect(iam.allSatisfy { Int($0["eventTime"]!.stringValue!.dropFirst(11).prefix(2))! < 5 })
    }

    @Test func noneInjectsNothing() throws {
        #expect(quietTrail.summary.incidents.isEmpty)
        #expect(quietTrail.labels["incidents"]?.arrayValue?.isEmpty == true)
        #expect(!quietTrail.records.contains { Population.incidentIPs.contains($0["sourceIPAddress"]!.stringValue!) })
        #expect(!quietTrail.records.contains { $0["userIdentity"]?["userName"]?.stringValue == "jenkins-legacy" })
    }

    @Test func shortPeriodsKeepOnlyIncidentsThatFit() {
        let start = CivilDate(parsing: "2026-10-01")!.dayNumber
        let oneDay = AnomalyPlan.defaultRequests(startDay: start, days: 1)
        #expect(oneDay.allSatisfy { $0.at >= Int64(start) * 86_400 && $0.at + Int64($0.durationMinutes) * 60 <= Int64(start + 1) * 86_400 })
        let month = AnomalyPlan.defaultRequests(startDay: start, days: 28)
        #expect(month.count == IncidentKind.allCases.count)
        // The first incident leaves a week of clean baseline.
        #expect(month.map(\.at).min()! >= Int64(start + 7) * 86_400)
    }

    @Test func anomaliesFileIsParsedAndValidated() throws {
        let file = #"{"incidents":[{"kind":"console-brute-force","at":"2026-10-01T05:00:00Z","count":12},{"kind":"cloudtrail-tampering","at":"2026-10-01T06:30Z","durationMinutes":3}]}"#
        let plan = try AnomalyPlan.parseFile(Array(file.utf8))
        #expect(plan == [
            IncidentRequest(kind: .consoleBruteForce, at: epoch("2026-10-01T05:00:00Z")!, count: 12),
            IncidentRequest(kind: .cloudTrailTampering, at: epoch("2026-10-01T06:30:00Z")!, durationMinutes: 3),
        ])
        let trail = try GeneratedTrail.make(GeneratorConfig(days: 1, eventsPerDay: 200, seed: 4, anomalies: .custom(plan), anomaliesSource: "plan.json"))
        #expect(trail.summary.incidents.map(\.count) == [12, 4])
        #expect(trail.labels["generator"]?["anomalies"]?["file"]?.stringValue == "plan.json")

        func rejects(_ text: String, _ fragment: String) {
            #expect {
                _ = try AnomalyPlan.parseFile(Array(text.utf8))
            } throws: { error in
                "\(error)".contains(fragment)
            }
        }
        rejects("[", "not valid JSON")
        rejects(#"{"events":[]}"#, "\"incidents\" array")
        rejects(#"{"incidents":[{"kind":"alien-invasion","at":"2026-10-01T05:00:00Z"}]}"#, "unknown kind")
        rejects(#"{"incidents":[{"kind":"console-brute-force","at":"yesterday"}]}"#, "\"at\" must look like")
        rejects(#"{"incidents":[{"kind":"instance-stop-churn","at":"2026-10-01T09:00:00Z","count":3}]}"#, "count in 7")
        rejects(#"{"incidents":[{"kind":"console-brute-force","at":"2026-10-01T09:00:00Z","cnt":3}]}"#, "unknown field")
        #expect(throws: GeneratorError.self) {
            _ = try TrailGenerator(config: GeneratorConfig(days: 1, anomalies: .custom([IncidentRequest(kind: .rootConsoleLogin, at: epoch("2026-11-01T00:00:00Z")!)])))
        }
    }

    @Test func labelsRecordTheGeneratorParameters() throws {
        let g = try #require(weekTrail.labels["generator"])
        #expect(g["command"]?.stringValue == "trailwatch generate --out out --days 7 --events-per-day 400 --seed 42 --anomalies default --start 2026-10-01 --accounts 2 --regions us-east-1,eu-west-1 --compression-level 6")
        #expect(g["seed"]?.intValue == 42)
        #expect(g["days"]?.intValue == 7)
        #expect(g["regions"]?.arrayValue?.count == 2)
        #expect(g["accountIds"]?.arrayValue?.map { $0.stringValue! } == weekTrail.summary.accountIds)
        #expect(g["events"]?.intValue == weekTrail.summary.events)
    }

    @Test func invalidArgumentsAreRejected() {
        for config in [GeneratorConfig(days: 0), GeneratorConfig(eventsPerDay: 0), GeneratorConfig(start: "2026-02-30"),
                       GeneratorConfig(accounts: 0), GeneratorConfig(regions: ["moon-base"]), GeneratorConfig(regions: []),
                       GeneratorConfig(compressionLevel: 10)] {
            #expect(throws: GeneratorError.self) { _ = try TrailGenerator(config: config) }
        }
    }
}
