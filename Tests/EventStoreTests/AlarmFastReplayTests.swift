import Alarms
import Testing
import TestSupport
@testable import EventStore

/// The skipping replay must give exactly `AlarmBacktest.run`'s timeline: every change (state,
/// reason, status, notification) and the final status, on random sparse series over every
/// missing-data treatment, M of N, bands and notification policies.
@Suite struct AlarmFastReplayTests {
    @Test(arguments: 0..<40)
    func matchesTheReferenceBacktest(seed: Int) {
        var g = SplitMix(seed: UInt64(seed) &* 7919 &+ 1)
        let period: Int64 = 60_000
        let n = 1 + g.below(12)
        let m = 1 + g.below(n)
        let band = g.below(4) == 0
        let treat = TreatMissingData.allCases[g.below(4)]
        let policy: NotificationPolicy
        switch g.below(4) {
        case 0: policy = NotificationPolicy(cooldownMillis: Int64(1 + g.below(30)) * period)
        case 1: policy = NotificationPolicy(rearmAfterMillis: Int64(g.below(30)) * period)
        default: policy = NotificationPolicy()
        }
        let d = AlarmDefinition(name: "x", metric: AlarmMetric(namespace: "N", name: "M"), statistic: .sum, periodMillis: period,
                                evaluationPeriods: n, datapointsToAlarm: m,
                                comparisonOperator: band ? .greaterThanUpperThreshold : .greaterThanOrEqualToThreshold,
                                condition: band ? .band(BandReference(model: "b")) : .threshold(3), treatMissingData: treat,
                                notificationPolicy: policy, minimumVolume: g.below(3) == 0 ? 2 : nil)
        // Long quiet stretches (zeros or gaps) with rare bursts: the shape the skip is for.
        let count = 400
        let base: Int64 = 1_790_812_800_000
        let gapStart = g.below(count), gapLength = g.below(60)
        var points: [AlarmDatapoint] = []
        for i in 0..<count {
            let t = base + Int64(i) * period
            var value: Double? = (i >= gapStart && i < gapStart + gapLength) ? nil : 0
            if g.below(25) == 0 { value = Double(g.below(8)) }
            if g.below(40) == 0 { value = nil }
            let bounds: BandBounds? = band && g.below(30) != 0 ? BandBounds(lower: 0, upper: 2) : nil
            points.append(AlarmDatapoint(timestampMillis: t, value: value, sampleCount: value, band: bounds))
        }
        let from = base + Int64(d.evaluationRangePeriods) * period
        let to = base + Int64(count) * period
        let reference = AlarmBacktest.run(definition: d, series: points, from: from, to: to)
        let fast = AlarmFastReplay.run(definition: d, points: points, from: from, to: to, initialStatus: AlarmStatus())
        #expect(fast.evaluations == reference.evaluations)
        #expect(fast.changes == reference.changes)
        #expect(fast.finalStatus == reference.finalStatus)
    }
}

private extension SplitMix {
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
