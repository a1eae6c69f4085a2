import Alarms

/// `AlarmBacktest.run` with the same results, without re-judging windows that cannot change
/// anything.
///
/// An evaluation's decision depends only on the sequence of its N + 2 slots, each missing,
/// breaching or not breaching. When that sequence is the same as at the previous period end
/// (the N + 3 periods spanning both windows are all of one kind: the usual case, a quiet metric)
/// the decision is the same, so the state cannot change; and when no notification is pending
/// (the notified state is the state, no re-arm excursion open) nothing else in the status moves
/// but `lastEvaluationMillis`. Those evaluations are counted and skipped. This turns an alarm
/// such as "2 of 1440 one-minute periods" from O(periods × N) into O(periods + N × changes).
/// `AlarmFastReplayTests` checks it against `AlarmBacktest.run` on random series.
enum AlarmFastReplay {
    /// `points` must hold one datapoint per period, contiguous and period-aligned (as
    /// `alarmDatapoints` returns them), covering the N + 2 periods before the first end.
    static func run(definition d: AlarmDefinition, points: [AlarmDatapoint], from: Int64, to: Int64,
                    initialStatus: AlarmStatus) -> AlarmTimeline {
        let period = max(d.periodMillis, 1)
        let width = d.evaluationRangePeriods
        var status = initialStatus
        var changes: [AlarmEvaluation] = []
        var evaluations = 0
        guard let base = points.first?.timestampMillis else {
            return AlarmBacktest.run(definition: d, series: points, from: from, to: to, initialStatus: initialStatus)
        }
        // Kind of each period: 0 missing, 1 not breaching, 2 breaching; and the length of the
        // run of equal kinds ending at each index.
        let kinds = points.map { p -> UInt8 in
            guard let v = p.value, v.isFinite, !(d.comparisonOperator.isBand && p.band == nil) else { return 0 }
            return d.breaches(p) ? 2 : 1
        }
        var run = [Int](repeating: 1, count: kinds.count)
        for i in kinds.indices.dropFirst() where kinds[i] == kinds[i - 1] { run[i] = run[i - 1] + 1 }

        var end = (AlarmBacktest.floorDivision(from, period) + 1) * period
        var first = true
        while end <= to {
            let newest = Int((end - base) / period) - 1  // index of the newest period of the window
            let quiescent = status.state == status.notifiedState && !status.excursionOpen
            // Percentile low-sample rules look at sample counts, which kinds do not capture.
            let kindsDecide = d.evaluateLowSampleCountPercentile != .ignore
            let sameWindow = !first && newest >= 0 && newest < run.count && run[newest] >= width + 1
            if quiescent, kindsDecide, sameWindow || predictedKeepsState(d, kinds: kinds, newest: newest, width: width, state: status.state) {
                status.lastEvaluationMillis = end
            } else {
                let lower = max(0, newest - width + 1), upper = min(points.count, newest + 1)
                let window = lower < upper ? Array(points[lower..<upper]) : []
                let e = AlarmEvaluator.evaluate(d, status: status, datapoints: window, at: end)
                status = e.status
                if e.transitioned || e.notification != nil { changes.append(e) }
            }
            evaluations += 1
            first = false
            end += period
        }
        // AlarmTimeline has no public initialiser: take an empty replay and fill it in.
        var timeline = AlarmBacktest.run(definition: d, series: [AlarmDatapoint](), from: 0, to: 0, initialStatus: status)
        timeline.changes = changes
        timeline.evaluations = evaluations
        timeline.finalStatus = status
        return timeline
    }
}

extension AlarmFastReplay {
    /// The evaluator's decision (spec §8.2, `Judgement.decide`) computed from the slot kinds
    /// alone: true when it would keep `state`, so only the evaluator's bookkeeping would change.
    /// Used only to skip; a transition is always computed by `AlarmEvaluator` itself.
    static func predictedKeepsState(_ d: AlarmDefinition, kinds: [UInt8], newest: Int, width: Int, state: AlarmState) -> Bool {
        let n = max(d.evaluationPeriods, 1)
        let m = min(max(d.effectiveDatapointsToAlarm, 1), n)
        var real = 0, breaching = 0, newestRealBreaching = 0
        var oldestRealPosition = -1, allBreaching = true
        // Oldest to newest; positions before the data are missing.
        for position in 0..<width {
            let i = newest - width + 1 + position
            let k: UInt8 = i >= 0 && i < kinds.count ? kinds[i] : 0
            guard k != 0 else { continue }
            real += 1
            if oldestRealPosition < 0 { oldestRealPosition = position }
            if k == 2 { breaching += 1 } else { allBreaching = false }
        }
        let outcome: AlarmState?
        if real >= n {
            // Breaching among the newest n real points.
            var seen = 0
            var position = width - 1
            while seen < n && position >= 0 {
                let i = newest - width + 1 + position
                let k: UInt8 = i >= 0 && i < kinds.count ? kinds[i] : 0
                if k != 0 { seen += 1; if k == 2 { newestRealBreaching += 1 } }
                position -= 1
            }
            outcome = newestRealBreaching >= m ? .alarm : .ok
        } else if real == 0 {
            switch d.treatMissingData {
            case .missing: outcome = .insufficientData
            case .ignore: outcome = nil
            case .breaching: outcome = .alarm
            case .notBreaching: outcome = .ok
            }
        } else {
            switch d.treatMissingData {
            case .breaching: outcome = breaching + min(width - real, n - real) >= m ? .alarm : .ok
            case .notBreaching: outcome = breaching >= m ? .alarm : .ok
            case .missing:
                let premature = allBreaching && width - oldestRealPosition >= m
                outcome = breaching >= m || premature ? .alarm : .ok
            case .ignore: outcome = breaching >= m ? .alarm : breaching == real ? nil : .ok
            }
        }
        return outcome == nil || outcome == state
    }
}

extension AlarmBacktest {
    static func floorDivision(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}
