import Foundation
import Testing
@testable import Alarms

@Suite struct DefinitionTests {
    func error(_ change: (inout AlarmDefinition) -> Void) -> AlarmDefinitionError? {
        var def = staticAlarm()
        change(&def)
        do { try def.validate() } catch { return error }
        return nil
    }

    @Test func validDefinitionsPass() throws {
        try staticAlarm().validate()
        try bandAlarm(op: .greaterThanUpperThreshold).validate()
        for seconds: Int64 in [10, 20, 30, 60, 300, 3600, 86_400] {
            try staticAlarm(n: 1, period: seconds * 1000).validate()
        }
    }

    @Test func errorsNameTheProblem() {
        #expect(error { $0.datapointsToAlarm = 4 }?.description == "datapointsToAlarm 4 exceeds evaluationPeriods 3")
        #expect(error { $0.datapointsToAlarm = 0 }?.description == "datapointsToAlarm 0 must be at least 1")
        #expect(error { $0.evaluationPeriods = 0 }?.description == "evaluationPeriods 0 must be at least 1")
        #expect(error { $0.periodMillis = 45_000 }?.description == "period 45 s is not 10, 20, 30 or a multiple of 60 seconds")
        #expect(error { $0.periodMillis = 90_000 } == .invalidPeriod(millis: 90_000))
        #expect(error { $0.periodMillis = 0 } == .invalidPeriod(millis: 0))
        #expect(error { $0.periodMillis = 60_000; $0.evaluationPeriods = 1441 }?.description
                == "period × evaluationPeriods = 60 s × 1441 = 86460 s exceeds 86400 s (one day), the limit for periods under one hour")
        #expect(error { $0.periodMillis = 60_000; $0.evaluationPeriods = 1440 } == nil)
        #expect(error { $0.periodMillis = 3_600_000; $0.evaluationPeriods = 169 }?.description
                == "period × evaluationPeriods = 3600 s × 169 = 608400 s exceeds 604800 s (seven days)")
        #expect(error { $0.periodMillis = 3_600_000; $0.evaluationPeriods = 168 } == nil)
        #expect(error { $0.name = "" } == .emptyName)
        #expect(error { $0.metric.namespace = "" } == .emptyNamespace)
        #expect(error { $0.metric.dimensions = [MetricDimension(name: "a", value: "1"), MetricDimension(name: "a", value: "2")] } == .duplicateDimension("a"))
        #expect(error { $0.condition = .threshold(.infinity) } == .nonFiniteThreshold)
        #expect(error { $0.comparisonOperator = .greaterThanUpperThreshold }?.description
                == "GreaterThanUpperThreshold compares with an anomaly band; give a model and a band width, not a threshold")
        #expect(error { $0.condition = .band(BandReference(model: "m")) } == .thresholdOperatorNeedsThreshold(.greaterThanOrEqualToThreshold))
        #expect(error { $0.evaluateLowSampleCountPercentile = .ignore }?.description
                == "evaluateLowSampleCountPercentile applies only to percentile statistics, not Sum")
        #expect(error { $0.minimumVolume = -1 } == .invalidMinimumVolume(-1))
        #expect(error { $0.notificationPolicy.cooldownMillis = 0 } == .invalidCooldown(millis: 0))
    }

    @Test func bandConstraints() {
        var def = bandAlarm(op: .lessThanLowerThreshold)
        def.condition = .band(BandReference(model: "cpu", width: 0))
        #expect(throws: AlarmDefinitionError.invalidBandWidth(0)) { try def.validate() }
        def = bandAlarm(op: .lessThanLowerThreshold, period: 30_000)
        #expect(throws: AlarmDefinitionError.bandPeriodTooShort(millis: 30_000)) { try def.validate() }
        def = bandAlarm(op: .lessThanLowerThreshold)
        def.condition = .band(BandReference(model: "", width: 2))
        #expect(throws: AlarmDefinitionError.emptyModelName) { try def.validate() }
    }

    @Test func conditionFromCommandLineInputs() throws {
        let (op, condition) = try AlarmDefinition.condition(comparison: "GreaterThanOrEqualToThreshold", threshold: 1, model: nil, bandWidth: nil)
        #expect(op == .greaterThanOrEqualToThreshold && condition == .threshold(1))
        let (bandOp, band) = try AlarmDefinition.condition(comparison: "lessthanlowerorgreaterthanupperthreshold", threshold: nil, model: "m", bandWidth: 3)
        #expect(bandOp == .lessThanLowerOrGreaterThanUpperThreshold && band == .band(BandReference(model: "m", width: 3)))
        #expect(try AlarmDefinition.condition(comparison: ">=", threshold: 3, model: nil, bandWidth: nil).0 == .greaterThanOrEqualToThreshold)
        #expect(throws: AlarmDefinitionError.bandOperatorNeedsBand(.greaterThanUpperThreshold)) {
            try AlarmDefinition.condition(comparison: "GreaterThanUpperThreshold", threshold: nil, model: nil, bandWidth: nil)
        }
        #expect(throws: AlarmDefinitionError.thresholdOperatorNeedsThreshold(.lessThanThreshold)) {
            try AlarmDefinition.condition(comparison: "LessThanThreshold", threshold: nil, model: nil, bandWidth: nil)
        }
        #expect(throws: AlarmDefinitionError.unknownComparisonOperator("Above")) {
            try AlarmDefinition.condition(comparison: "Above", threshold: 1, model: nil, bandWidth: nil)
        }
    }

    @Test func statistics() throws {
        #expect(try AlarmStatistic(parsing: "Sum") == .sum)
        #expect(try AlarmStatistic(parsing: "samplecount") == .sampleCount)
        #expect(try AlarmStatistic(parsing: "p99") == .percentile(99))
        #expect(try AlarmStatistic(parsing: "p99.9").description == "p99.9")
        #expect(try AlarmStatistic(parsing: "p50").description == "p50")
        #expect(throws: AlarmDefinitionError.invalidPercentile("p101")) { try AlarmStatistic(parsing: "p101") }
        #expect(throws: AlarmDefinitionError.invalidStatistic("Median")) { try AlarmStatistic(parsing: "Median") }
        #expect(AlarmStatistic.sampleCount.notificationName == "SAMPLE_COUNT")
        #expect(try TreatMissingData(parsing: "notbreaching") == .notBreaching)
    }

    @Test func datapointsToAlarmDefaultsToEvaluationPeriods() {
        #expect(staticAlarm(n: 4).effectiveDatapointsToAlarm == 4)
        #expect(staticAlarm(n: 4, m: 2).effectiveDatapointsToAlarm == 2)
        #expect(staticAlarm(n: 4).evaluationRangePeriods == 6)
    }

    @Test func codableWithDefaults() throws {
        let json = #"{"name":"cis-root","metric":{"namespace":"CloudTrailMetrics","name":"RootAccountUsage"},"statistic":"Sum","periodMillis":300000,"evaluationPeriods":1,"comparisonOperator":"GreaterThanOrEqualToThreshold","condition":{"threshold":1}}"#
        let def = try JSONDecoder().decode(AlarmDefinition.self, from: Data(json.utf8))
        #expect(def.treatMissingData == .missing)
        #expect(def.actions.isEmpty && def.actionsEnabled)
        #expect(def.notificationPolicy.isDefault && def.minimumVolume == nil)
        #expect(def.effectiveDatapointsToAlarm == 1)
        try def.validate()

        var band = bandAlarm(n: 3, m: 2, op: .greaterThanUpperThreshold)
        band.actions = ["stdout", "webhook:https://hooks.example.com/x?token=s"]
        band.notificationPolicy = NotificationPolicy(cooldownMillis: 600_000, rearmAfterMillis: 900_000)
        band.minimumVolume = 10
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let round = try JSONDecoder().decode(AlarmDefinition.self, from: encoder.encode(band))
        #expect(round == band)
        #expect(String(decoding: try encoder.encode(band.condition), as: UTF8.self) == #"{"band":{"model":"cpu","width":2}}"#)
        #expect(String(decoding: try encoder.encode(AlarmStatistic.percentile(99.5)), as: UTF8.self) == #""p99.5""#)
    }
}
