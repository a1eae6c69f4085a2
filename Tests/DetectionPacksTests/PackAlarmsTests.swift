import Alarms
import EventStore
import Foundation
import Testing
@testable import DetectionPacks

@Suite struct PackAlarmsTests {
    @Test func parsesStaticBandAndTemplateAlarms() throws {
        let pack = try DetectionPack(yaml: """
            pack: p
            alarms:
              - name: stops
                description: d
                metric: EC2/Stops
                dimensions:
                  InstanceId: '*'
                statistic: Sum
                period: 1m
                comparison: '>='
                threshold: 1
                evaluationPeriods: 1440
                datapointsToAlarm: 2
                treatMissingData: notBreaching
                actions: [stdout, 'file:/tmp/x.ndjson']
              - name: band
                metric: Auth/Denied
                statistic: Sum
                period: 5m
                comparison: GreaterThanUpperThreshold
                model: Auth/Denied:Sum:5m
                band: 3
                evaluationPeriods: 2
                minimumVolume: 10
                cooldown: 1h
                rearmAfter: 30m
            """, file: "p.yaml")
        #expect(pack.alarms.count == 2)
        #expect(pack.alarms[0] == AlarmDefinition(
            name: "stops", description: "d", metric: AlarmMetric(namespace: "EC2", name: "Stops", dimensions: [MetricDimension(name: "InstanceId", value: "*")]),
            statistic: .sum, periodMillis: 60_000, evaluationPeriods: 1440, datapointsToAlarm: 2, comparisonOperator: .greaterThanOrEqualToThreshold,
            condition: .threshold(1), treatMissingData: .notBreaching, actions: ["stdout", "file:/tmp/x.ndjson"]))
        #expect(pack.alarms[0].isTemplate)
        #expect(pack.alarms[1].condition == .band(BandReference(model: "Auth/Denied:Sum:5m", width: 3)))
        #expect(pack.alarms[1].minimumVolume == 10)
        #expect(pack.alarms[1].notificationPolicy == NotificationPolicy(cooldownMillis: 3_600_000, rearmAfterMillis: 1_800_000))
    }

    static let base = "pack: p\nalarms:\n  - name: a\n    metric: N/M\n    statistic: Sum\n    period: 5m\n    evaluationPeriods: 1\n"
    static let ok = "    comparison: '>='\n    threshold: 1\n"
    static let second = "  - name: a\n    metric: N/M\n    statistic: Sum\n    period: 5m\n    evaluationPeriods: 1\n"
    static let cases: [(String, String)] = {
        var c: [(String, String)] = []
        c.append((base + "    comparison: '>='\n", "p.yaml:3: alarms[0] (a): GreaterThanOrEqualToThreshold compares with a static threshold; give a threshold, not a band"))
        c.append((base + ok + "    colour: red\n", "p.yaml:10: alarms[0]: unknown field 'colour'"))
        c.append((base + "    comparison: '>='\n    threshold: x\n", "p.yaml:9: alarms[0] (a).threshold must be a number"))
        c.append((base + "    comparison: GreaterThanUpperThreshold\n    threshold: 1\n", "p.yaml:3: alarms[0] (a): GreaterThanUpperThreshold is a band operator and takes no threshold"))
        c.append((base + ok + "    datapointsToAlarm: 2\n", "p.yaml:3: alarms[0] (a): datapointsToAlarm 2 exceeds evaluationPeriods 1"))
        c.append((base.replacingOccurrences(of: "period: 5m", with: "period: 90s") + ok, "p.yaml:6: alarms[0] (a).period must be whole minutes"))
        c.append((base.replacingOccurrences(of: "statistic: Sum", with: "statistic: p99") + ok, "p.yaml:5: alarms[0] (a).statistic: percentiles"))
        c.append((base.replacingOccurrences(of: "metric: N/M", with: "metric: NM") + ok, "p.yaml:4: alarms[0] (a).metric 'NM' must be NAMESPACE/NAME"))
        c.append((base + ok + second + ok, "p.yaml:10: alarms[1]: alarm name 'a' used twice"))
        return c
    }()

    @Test(arguments: cases)
    func alarmErrorsNameFileLineAndField(yaml: String, expected: String) {
        do {
            _ = try DetectionPack(yaml: yaml, file: "p.yaml")
            Issue.record("accepted a bad pack")
        } catch {
            #expect(error.description.hasPrefix(expected), "\(error.description)")
        }
    }

    func shipped(_ file: String) throws -> DetectionPack {
        try DetectionPack(yaml: try String(contentsOf: repoRoot.appendingPathComponent("models/\(file)"), encoding: .utf8), file: file)
    }

    @Test func everyShippedAlarmWatchesAMetricItsPackPublishes() throws {
        for file in ["auth-failures.yaml", "cis-aws-foundations.yaml", "ec2-lifecycle.yaml"] {
            let pack = try shipped(file)
            #expect(!pack.alarms.isEmpty, "\(file)")
            for a in pack.alarms {
                let publisher = pack.filters.first { $0.namespace == a.metric.namespace && $0.metricName == a.metric.name }
                #expect(publisher != nil, "\(file): \(a.name) watches \(a.metric.namespace)/\(a.metric.name), which no filter of the pack publishes")
                #expect(Set(publisher?.dimensions.keys.map { $0 } ?? []) == Set(a.metric.dimensions.map(\.name)), "\(file): \(a.name)")
                if let band = a.band {
                    // The model name is the one `models train --all` gives the alarm's series.
                    #expect(band.model == "\(a.metric.namespace)/\(a.metric.name):\(a.statistic):\(ModelRecord.periodText(a.periodMillis))")
                }
            }
        }
    }

    @Test func cisAlarmsAreSumAtLeastOnePerFiveMinutesAndConsoleFailuresThree() throws {
        let pack = try shipped("cis-aws-foundations.yaml")
        #expect(pack.alarms.count == 15)
        #expect(Set(pack.alarms.map(\.metric.name)) == Set(pack.filters.map(\.metricName)))
        for a in pack.alarms {
            #expect(a.statistic == .sum && a.periodMillis == 300_000 && a.evaluationPeriods == 1 && a.effectiveDatapointsToAlarm == 1)
            #expect(a.comparisonOperator == .greaterThanOrEqualToThreshold)
            #expect(a.threshold == (a.metric.name == "ConsoleAuthenticationFailures" ? 3 : 1), "\(a.name)")
        }
    }

    @Test func ec2AndAuthPacksCarryTheIssuesAlarms() throws {
        let ec2 = try shipped("ec2-lifecycle.yaml")
        let twice = try #require(ec2.alarms.first { $0.name == "ec2-instance-stopped-twice-in-24h" })
        // 2 of 1440 one-minute periods: two stops in different minutes of a sliding 24 hours.
        #expect(twice.metric.dimensions == [MetricDimension(name: "InstanceId", value: "*")])
        #expect(twice.periodMillis * Int64(twice.evaluationPeriods) == 86_400_000 && twice.effectiveDatapointsToAlarm == 2 && twice.threshold == 1)
        #expect(Set(ec2.alarms.compactMap(\.band).map(\.model)) == ["EC2Lifecycle/StopInstances:Sum:5m", "EC2Lifecycle/StartInstances:Sum:5m"])
        let auth = try shipped("auth-failures.yaml")
        let band = try #require(auth.alarms.first { $0.band != nil })
        #expect(band.minimumVolume == 10)
        let ip = try #require(auth.alarms.first { $0.name == "api-calls-from-one-source-ip" })
        #expect(ip.metric.dimensions == [MetricDimension(name: "SourceIP", value: "*")] && ip.threshold == 30 && ip.periodMillis == 300_000)
    }
}
