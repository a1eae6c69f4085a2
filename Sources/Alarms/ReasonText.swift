/// State reasons in CloudWatch's wording, e.g.
/// `Threshold Crossed: 2 out of the last 3 datapoints [2.0 (21/11/26 03:05:00), 1.0 (21/11/26 03:00:00)]
/// were greater than or equal to the threshold (1.0) (minimum 2 datapoints for OK -> ALARM transition).`
extension Judgement {
    var isBand: Bool { def.comparisonOperator.isBand }
    var prefix: String { isBand ? "Thresholds Crossed: " : "Threshold Crossed: " }
    var fillLabel: String { def.treatMissingData == .breaching ? "Breaching" : "NonBreaching" }

    func reasonText(_ d: Decision) -> String {
        switch d.kind {
        case .allMissing:
            return "Insufficient Data: \(Self.count(n, "datapoint")) \(Self.wasWere(n)) unknown."
        case .keptIgnoringMissing:
            if d.real.isEmpty {
                return "No datapoints were received for \(Self.count(n, "period")); missing data is ignored, so the alarm stays in its current state."
            }
            let listed = d.real.reversed().filter(\.breaching)
            return prefix + "\(listed.count) out of the last \(n) datapoints \(list(listed)) \(Self.wasWere(listed.count)) \(comparison(toward: .alarm, listed))"
                + "; the other \(Self.count(n - d.real.count, "datapoint")) \(Self.wasWere(n - d.real.count)) missing and missing data is ignored, so the alarm stays in its current state (minimum \(Self.count(m, "datapoint")) for OK -> ALARM transition)."
        case .keptLowSamples:
            let floor = def.statistic.lowSampleCountThreshold ?? 0
            return "Low sample count: a datapoint in the last \(Self.count(n, "period")) has fewer than \(CloudWatchFormat.number(floor)) samples, too few for \(def.statistic.description); the alarm stays in its current state."
        case .evaluated:
            break
        }
        let target = d.outcome ?? .ok
        let supporting = d.real.reversed().filter { $0.breaching == (target == .alarm) }
        let fills = d.filled.count
        let fillClause = fills > 0 ? " and \(fills) missing \(Self.noun(fills, "datapoint")) \(Self.wasWere(fills)) treated as [\(fillLabel)]" : ""
        let required = target == .alarm ? m : n - m + 1
        let transition = target == .alarm ? "OK -> ALARM" : "ALARM -> OK"

        if !supporting.isEmpty {
            return prefix + "\(supporting.count) out of the last \(n) datapoints \(list(supporting)) \(Self.wasWere(supporting.count)) "
                + comparison(toward: target, supporting) + fillClause
                + " (minimum \(Self.count(required, "datapoint")) for \(transition) transition)."
        }
        if fills > 0 {
            let received = d.real.count
            let head = received == 0 ? "no datapoints were received" : "\(Self.count(received, "datapoint")) \(Self.wasWere(received)) received"
            return prefix + "\(head) for \(Self.count(n, "period"))\(fillClause)."
        }
        // OK under `missing` with only breaching points, too few and too recent for the
        // premature-alarm rule (`- - - - X`, M = 3): say why it is not ALARM.
        let breaching = d.real.reversed().filter(\.breaching)
        return prefix + "\(breaching.count) out of the last \(n) datapoints \(list(breaching)) \(Self.wasWere(breaching.count)) "
            + comparison(toward: .alarm, breaching)
            + " (minimum \(Self.count(m, "datapoint")) for OK -> ALARM transition)."
    }

    /// `[2.0 (21/11/26 03:05:00), 1.0 (21/11/26 03:00:00)]`, newest first as given.
    func list(_ points: [JudgedSlot]) -> String {
        "[" + points.map { "\(CloudWatchFormat.number($0.point?.value ?? .nan)) (\(CloudWatchFormat.reasonTimestamp($0.start)))" }.joined(separator: ", ") + "]"
    }

    func comparison(toward target: AlarmState, _ points: [JudgedSlot]) -> String {
        let not = target == .alarm ? "" : "not "
        func bounds(_ key: KeyPath<BandBounds, Double>) -> String {
            "[" + points.map { CloudWatchFormat.number($0.point?.band?[keyPath: key] ?? .nan) }.joined(separator: ", ") + "]"
        }
        switch (def.comparisonOperator, def.condition) {
        case (.lessThanLowerOrGreaterThanUpperThreshold, _):
            return "\(not)less than the lower thresholds \(bounds(\.lower)) or \(not)greater than the upper thresholds \(bounds(\.upper))"
        case (.greaterThanUpperThreshold, _):
            return "\(not)greater than the upper thresholds \(bounds(\.upper))"
        case (.lessThanLowerThreshold, _):
            return "\(not)less than the lower thresholds \(bounds(\.lower))"
        case (let op, .threshold(let t)):
            return "\(not)\(Self.words(op)) the threshold (\(CloudWatchFormat.number(t)))"
        case (let op, .band):
            return "\(not)\(Self.words(op)) the threshold"
        }
    }

    static func words(_ op: ComparisonOperator) -> String {
        switch op {
        case .greaterThanOrEqualToThreshold: "greater than or equal to"
        case .greaterThanThreshold: "greater than"
        case .lessThanThreshold: "less than"
        case .lessThanOrEqualToThreshold: "less than or equal to"
        case .lessThanLowerOrGreaterThanUpperThreshold: "outside the band of"
        case .greaterThanUpperThreshold: "greater than the upper band of"
        case .lessThanLowerThreshold: "less than the lower band of"
        }
    }

    static func noun(_ k: Int, _ word: String) -> String { k == 1 ? word : word + "s" }
    static func count(_ k: Int, _ word: String) -> String { "\(k) \(noun(k, word))" }
    static func wasWere(_ k: Int) -> String { k == 1 ? "was" : "were" }

    func reasonData(_ d: Decision) -> StateReasonData {
        let evaluated = (d.real + d.filled).sorted { $0.index < $1.index }
        let real = d.real
        var data = StateReasonData(queryDate: CloudWatchFormat.timestamp(end),
                                   startDate: evaluated.first.map { CloudWatchFormat.timestamp($0.start) },
                                   statistic: isBand ? nil : def.statistic.description,
                                   period: def.periodMillis / 1000,
                                   recentDatapoints: real.compactMap { $0.point?.value },
                                   threshold: def.threshold)
        let op = def.comparisonOperator
        if isBand {
            if op != .greaterThanUpperThreshold { data.recentLowerThresholds = real.compactMap { $0.point?.band?.lower } }
            if op != .lessThanLowerThreshold { data.recentUpperThresholds = real.compactMap { $0.point?.band?.upper } }
        }
        guard d.kind == .evaluated else { return data }

        let target = d.outcome ?? .ok
        var named = evaluated.filter { $0.breaching == (target == .alarm) }
        if named.isEmpty { named = real.filter(\.breaching) }
        let points = named.reversed().map { s -> EvaluatedDatapoint in
            guard let p = s.point else { return EvaluatedDatapoint(timestamp: CloudWatchFormat.timestamp(s.start)) }
            let bound: Double? = switch op {
            case .greaterThanUpperThreshold: p.band?.upper
            case .lessThanLowerThreshold: p.band?.lower
            default: nil
            }
            return EvaluatedDatapoint(timestamp: CloudWatchFormat.timestamp(s.start), sampleCount: p.sampleCount, value: p.value, threshold: bound)
        }
        if !points.isEmpty { data.evaluatedDatapoints = points }
        return data
    }
}
