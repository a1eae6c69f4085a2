@testable import Alarms

let minute: Int64 = 60_000
/// 2026-11-21T00:00:00Z.
let day0: Int64 = 1_795_219_200_000

func staticAlarm(n: Int = 3, m: Int? = nil, missing: TreatMissingData = .missing,
                 op: ComparisonOperator = .greaterThanOrEqualToThreshold, threshold: Double = 1,
                 period: Int64 = 5 * minute, statistic: AlarmStatistic = .sum) -> AlarmDefinition {
    AlarmDefinition(name: "test", metric: AlarmMetric(namespace: "Trailwatch", name: "Events"), statistic: statistic,
                    periodMillis: period, evaluationPeriods: n, datapointsToAlarm: m, comparisonOperator: op,
                    condition: .threshold(threshold), treatMissingData: missing)
}

func bandAlarm(n: Int = 1, m: Int? = nil, op: ComparisonOperator, period: Int64 = minute) -> AlarmDefinition {
    AlarmDefinition(name: "band", metric: AlarmMetric(namespace: "AWS/EC2", name: "CPUUtilization"), statistic: .average,
                    periodMillis: period, evaluationPeriods: n, datapointsToAlarm: m, comparisonOperator: op,
                    condition: .band(BandReference(model: "cpu", width: 2)))
}

/// The documented notation, oldest first: `0` not breaching, `X` breaching, `-` missing, for a
/// ≥ 1 alarm; one symbol per period of the range ending at `end`.
func datapoints(_ pattern: String, end: Int64, period: Int64 = 5 * minute) -> [AlarmDatapoint] {
    let symbols = pattern.split(separator: " ")
    return symbols.enumerated().compactMap { i, s in
        let start = end - Int64(symbols.count - i) * period
        switch s {
        case "0": return AlarmDatapoint(timestampMillis: start, value: 0)
        case "X": return AlarmDatapoint(timestampMillis: start, value: 2)
        default: return nil
        }
    }
}

func status(_ state: AlarmState) -> AlarmStatus {
    var s = AlarmStatus()
    s.state = state
    s.notifiedState = state
    return s
}
