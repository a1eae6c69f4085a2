import Testing
@testable import Alarms

/// Every row of the two documented missing-data tables (spec §8.2, C-ALARMS), every column, from
/// every starting state. `nil` is "retain current state".
@Suite struct MissingDataTableTests {
    struct Row: CustomTestStringConvertible, Sendable {
        let pattern: String
        let m: Int
        let missing: AlarmState?
        let ignore: AlarmState?
        let breaching: AlarmState?
        let notBreaching: AlarmState?
        var testDescription: String { "N=3 M=\(m) `\(pattern)`" }
    }

    static let rows: [Row] = [
        // N = 3, M = 3
        Row(pattern: "0 - X - X", m: 3, missing: .ok, ignore: .ok, breaching: .ok, notBreaching: .ok),
        Row(pattern: "0 - - - -", m: 3, missing: .ok, ignore: .ok, breaching: .ok, notBreaching: .ok),
        Row(pattern: "- - - - -", m: 3, missing: .insufficientData, ignore: nil, breaching: .alarm, notBreaching: .ok),
        Row(pattern: "0 X X - X", m: 3, missing: .alarm, ignore: .alarm, breaching: .alarm, notBreaching: .alarm),
        Row(pattern: "- - X - -", m: 3, missing: .alarm, ignore: nil, breaching: .alarm, notBreaching: .ok),
        // N = 3, M = 2
        Row(pattern: "0 - X - X", m: 2, missing: .alarm, ignore: .alarm, breaching: .alarm, notBreaching: .alarm),
        Row(pattern: "0 0 X 0 X", m: 2, missing: .alarm, ignore: .alarm, breaching: .alarm, notBreaching: .alarm),
        Row(pattern: "0 - X - -", m: 2, missing: .ok, ignore: .ok, breaching: .alarm, notBreaching: .ok),
        Row(pattern: "- - - - 0", m: 2, missing: .ok, ignore: .ok, breaching: .alarm, notBreaching: .ok),
        Row(pattern: "- - - X -", m: 2, missing: .alarm, ignore: nil, breaching: .alarm, notBreaching: .ok),
    ]

    static let end = day0 + 60 * minute

    @Test(arguments: rows)
    func row(_ row: Row) {
        let columns: [(TreatMissingData, AlarmState?)] = [(.missing, row.missing), (.ignore, row.ignore),
                                                          (.breaching, row.breaching), (.notBreaching, row.notBreaching)]
        for (treatment, expected) in columns {
            let def = staticAlarm(n: 3, m: row.m, missing: treatment)
            for start in AlarmState.allCases {
                let e = AlarmEvaluator.evaluate(def, status: status(start), datapoints: datapoints(row.pattern, end: Self.end), at: Self.end)
                #expect(e.newState == (expected ?? start), "\(treatment) from \(start)")
                #expect(e.transitioned == (e.newState != start))
            }
        }
    }

    /// Table 1 row 2 note: under `breaching` the single real non-breaching point is evaluated
    /// with two breaching fills (OK); once it ages out of the range the alarm goes to ALARM.
    @Test func breachingGoesToAlarmOnceTheRealPointLeavesTheRange() {
        let def = staticAlarm(n: 3, m: 3, missing: .breaching)
        let first = AlarmEvaluator.evaluate(def, status: AlarmStatus(), datapoints: datapoints("0 - - - -", end: Self.end), at: Self.end)
        #expect(first.newState == .ok)
        let later = Self.end + 5 * minute
        let next = AlarmEvaluator.evaluate(def, status: first.status, datapoints: datapoints("0 - - - -", end: Self.end), at: later)
        #expect(next.newState == .alarm)
        #expect(next.reason == "Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [Breaching].")
    }

    /// The range is N + 2 periods: a point older than that does not count.
    @Test func evaluationRangeIsNPlusTwo() {
        let def = staticAlarm(n: 3, m: 3)
        #expect(def.evaluationRange(endingAt: Self.end) == (1...5).reversed().map { Self.end - Int64($0) * 5 * minute })
        let old = AlarmDatapoint(timestampMillis: Self.end - 6 * 5 * minute, value: 0)
        let e = AlarmEvaluator.evaluate(def, status: AlarmStatus(), datapoints: [old], at: Self.end)
        #expect(e.newState == .insufficientData)
    }

    /// With at least N real points the newest N real ones are evaluated, reaching back past gaps.
    @Test func newestNRealPointsReachBackOverGaps() {
        let def = staticAlarm(n: 3, m: 3)
        let e = AlarmEvaluator.evaluate(def, status: AlarmStatus(), datapoints: datapoints("X X - X -", end: Self.end), at: Self.end)
        #expect(e.newState == .alarm)
        #expect(e.reasonData.recentDatapoints == [2, 2, 2])
    }
}

/// The premature-alarm rule's documented examples (spec §8.2).
@Suite struct PrematureAlarmTests {
    static let end = day0 + 60 * minute

    func state(_ pattern: String, m: Int, n: Int = 3, _ treatment: TreatMissingData = .missing) -> AlarmState {
        AlarmEvaluator.evaluate(staticAlarm(n: n, m: m, missing: treatment), status: status(.ok),
                                datapoints: datapoints(pattern, end: Self.end), at: Self.end).newState
    }

    @Test func newestBreachingPointDoesNotAlarmYet() {
        #expect(state("- - - - X", m: 3) != .alarm)
        #expect(state("- - - X -", m: 3) != .alarm)
    }

    @Test func breachingPointAsOldAsMAlarmsEvenWhenTreatedAsMissing() {
        #expect(state("- - X - -", m: 3) == .alarm)
        let e = AlarmEvaluator.evaluate(staticAlarm(n: 3, m: 3), status: status(.ok), datapoints: datapoints("- - X - -", end: Self.end), at: Self.end)
        #expect(e.reason == "Threshold Crossed: 1 out of the last 3 datapoints [2.0 (21/11/26 00:45:00)] was greater than or equal to the threshold (1.0) (minimum 3 datapoints for OK -> ALARM transition).")
    }

    @Test func sameRuleForMOutOfN() {
        #expect(state("- - - X -", m: 2) == .alarm)
        #expect(state("- - - - X", m: 2) != .alarm)
        #expect(state("- X - X -", m: 3) == .alarm)
    }

    /// Only if the oldest available point is breaching and the others breaching or missing.
    @Test func olderNonBreachingPointBlocksTheRule() {
        #expect(state("0 - X - -", m: 2) == .ok)
        #expect(state("- 0 X - -", m: 3) == .ok)
    }

    /// `ignore` does not apply the rule: the state is kept (documented table 1 row 5).
    @Test func ignoreKeepsStateInsteadOfPrematureAlarm() {
        #expect(state("- - X - -", m: 3, .ignore) == .ok)
        #expect(state("- - - - X", m: 3, .ignore) == .ok)
    }

    @Test func notBreachingNeverAlarmsPrematurely() {
        #expect(state("- - X - -", m: 3, .notBreaching) == .ok)
    }
}
