/// A state change the alarm's actions should announce.
public struct StateChange: Codable, Hashable, Sendable {
    public var oldState: AlarmState
    public var newState: AlarmState
    public var reason: String
    public var reasonData: StateReasonData
    /// When `newState` was entered (epoch ms).
    public var stateChangeMillis: Int64
}

/// The outcome of one evaluation.
public struct AlarmEvaluation: Codable, Hashable, Sendable {
    public var evaluatedAtMillis: Int64
    public var previousState: AlarmState
    public var newState: AlarmState
    /// The state changed in this evaluation.
    public var transitioned: Bool
    /// Why the data gives `newState` (for a kept state under `ignore`, why it was kept).
    public var reason: String
    public var reasonData: StateReasonData
    /// The status to persist for the next evaluation.
    public var status: AlarmStatus
    /// What to announce now, if anything. Without a notification policy this is exactly the
    /// transition; with one it may be nil for a transition, or carry a held-back change later.
    public var notification: StateChange?
    /// A transition happened but the notification policy held its announcement back.
    public var notificationSuppressed: Bool
}

/// CloudWatch's metric-alarm evaluation as a pure function of the definition, the persisted
/// status and the datapoints of the evaluation range.
public enum AlarmEvaluator {
    /// Evaluates at `evaluationMillis`, the end of the newest period. Datapoints are placed in the
    /// period of the evaluation range (`definition.evaluationRange(endingAt:)`) that contains
    /// their timestamp; those outside the range are ignored, and of two in one period the later in
    /// the array wins.
    public static func evaluate(_ definition: AlarmDefinition, status: AlarmStatus, datapoints: [AlarmDatapoint], at evaluationMillis: Int64) -> AlarmEvaluation {
        let count = definition.evaluationRangePeriods
        let period = max(definition.periodMillis, 1)
        var slots = [AlarmDatapoint?](repeating: nil, count: count)
        for p in datapoints where p.timestampMillis < evaluationMillis {
            let age = Int((evaluationMillis - 1 - p.timestampMillis) / period)
            if age < count { slots[count - 1 - age] = p }
        }
        return evaluate(definition, status: status, slots: slots, at: evaluationMillis)
    }

    /// Core: `slots` holds the evaluation range oldest first, nil for a period without data.
    static func evaluate(_ def: AlarmDefinition, status: AlarmStatus, slots: [AlarmDatapoint?], at end: Int64) -> AlarmEvaluation {
        let judged = Judgement(def, slots: slots, end: end)
        let decision = judged.decide()
        let reason = judged.reasonText(decision)
        let data = judged.reasonData(decision)

        var next = status
        let previous = status.state
        let newState = decision.outcome ?? previous
        let transitioned = newState != previous
        if transitioned {
            next.state = newState
            next.stateReason = reason
            next.stateReasonData = data
            next.stateUpdatedMillis = end
            if previous == .alarm { next.outOfAlarmSinceMillis = end }
            if newState == .alarm { next.outOfAlarmSinceMillis = nil }
        }
        next.lastEvaluationMillis = end
        let notification = announce(&next, policy: def.notificationPolicy, at: end)
        return AlarmEvaluation(evaluatedAtMillis: end, previousState: previous, newState: newState, transitioned: transitioned,
                               reason: reason, reasonData: data, status: next, notification: notification,
                               notificationSuppressed: transitioned && notification == nil)
    }

    /// Decides whether the current state must be announced, and updates the bookkeeping. With the
    /// default policy this announces exactly the transitions, as CloudWatch does.
    static func announce(_ s: inout AlarmStatus, policy: NotificationPolicy, at end: Int64) -> StateChange? {
        if s.excursionOpen {
            // Without a re-arm delay (the policy was edited) an open excursion simply closes.
            if let rearm = policy.rearmAfterMillis {
                guard s.state != .alarm, let since = s.outOfAlarmSinceMillis, end - since >= rearm else { return nil }
            }
            s.excursionOpen = false
        }
        guard s.state != s.notifiedState else { return nil }
        if s.state == .alarm {
            if let cooldown = policy.cooldownMillis, let last = s.lastAlarmNotificationMillis, end - last < cooldown { return nil }
            s.lastAlarmNotificationMillis = end
            if policy.rearmAfterMillis != nil { s.excursionOpen = true }
        }
        let change = StateChange(oldState: s.notifiedState, newState: s.state, reason: s.stateReason,
                                 reasonData: s.stateReasonData ?? StateReasonData(queryDate: CloudWatchFormat.timestamp(end), period: 0, recentDatapoints: []),
                                 stateChangeMillis: s.stateUpdatedMillis ?? end)
        s.notifiedState = s.state
        return change
    }
}

/// One period of the evaluation range with its verdict.
struct JudgedSlot {
    let index: Int
    let start: Int64
    /// nil: missing (or unusable: no band for a band alarm, or a non-finite value).
    let point: AlarmDatapoint?
    let breaching: Bool
}

/// What the evaluation decided and from which periods.
struct Decision {
    enum Kind { case evaluated, allMissing, keptIgnoringMissing, keptLowSamples }
    /// nil: keep the current state.
    let outcome: AlarmState?
    let kind: Kind
    /// Evaluated real periods, oldest first.
    let real: [JudgedSlot]
    /// Missing periods filled per treat-missing-data (as breaching or not), oldest first.
    let filled: [JudgedSlot]
}

struct Judgement {
    let def: AlarmDefinition
    let slots: [JudgedSlot]
    let end: Int64
    let n: Int
    let m: Int

    init(_ def: AlarmDefinition, slots raw: [AlarmDatapoint?], end: Int64) {
        self.def = def
        self.end = end
        n = max(def.evaluationPeriods, 1)
        m = min(max(def.effectiveDatapointsToAlarm, 1), n)
        let count = raw.count
        slots = raw.enumerated().map { i, p in
            let start = end - Int64(count - i) * def.periodMillis
            guard let p, let v = p.value, v.isFinite, !(def.comparisonOperator.isBand && p.band == nil) else {
                return JudgedSlot(index: i, start: start, point: nil, breaching: false)
            }
            return JudgedSlot(index: i, start: start, point: p, breaching: Judgement.breaches(def, p, v))
        }
    }

    static func breaches(_ def: AlarmDefinition, _ p: AlarmDatapoint, _ v: Double) -> Bool {
        let crossed: Bool
        switch (def.comparisonOperator, def.condition) {
        case (.greaterThanOrEqualToThreshold, .threshold(let t)): crossed = v >= t
        case (.greaterThanThreshold, .threshold(let t)): crossed = v > t
        case (.lessThanThreshold, .threshold(let t)): crossed = v < t
        case (.lessThanOrEqualToThreshold, .threshold(let t)): crossed = v <= t
        case (.lessThanLowerOrGreaterThanUpperThreshold, _): crossed = p.band.map { v < $0.lower || v > $0.upper } ?? false
        case (.greaterThanUpperThreshold, _): crossed = p.band.map { v > $0.upper } ?? false
        case (.lessThanLowerThreshold, _): crossed = p.band.map { v < $0.lower } ?? false
        default: crossed = false  // operator and condition disagree: validate() rejects this
        }
        guard crossed else { return false }
        if let minimum = def.minimumVolume, (p.volume ?? p.sampleCount ?? v) < minimum { return false }
        return true
    }

    /// CloudWatch's procedure (spec §8.2): with at least N real points, the newest N real points;
    /// otherwise every real point plus as few filled ones as make N, filled per treat-missing-data.
    func decide() -> Decision {
        let real = slots.filter { $0.point != nil }
        let missing = slots.filter { $0.point == nil }

        if real.count >= n {
            let evaluated = Array(real.suffix(n))
            if let kept = lowSampleKeep(evaluated) { return kept }
            let breaching = evaluated.filter(\.breaching).count
            return Decision(outcome: breaching >= m ? .alarm : .ok, kind: .evaluated, real: evaluated, filled: [])
        }

        // Fill the most recent missing periods: the newest data decides first.
        let fillSlots = Array(missing.suffix(n - real.count))
        func filled(_ breaching: Bool) -> [JudgedSlot] {
            fillSlots.map { JudgedSlot(index: $0.index, start: $0.start, point: nil, breaching: breaching) }
        }

        if real.isEmpty {
            switch def.treatMissingData {
            case .missing: return Decision(outcome: .insufficientData, kind: .allMissing, real: [], filled: [])
            case .ignore: return Decision(outcome: nil, kind: .keptIgnoringMissing, real: [], filled: [])
            case .breaching: return Decision(outcome: .alarm, kind: .evaluated, real: [], filled: filled(true))
            case .notBreaching: return Decision(outcome: .ok, kind: .evaluated, real: [], filled: filled(false))
            }
        }

        if let kept = lowSampleKeep(real) { return kept }
        let breaching = real.filter(\.breaching).count
        switch def.treatMissingData {
        case .breaching:
            let f = filled(true)
            return Decision(outcome: breaching + f.count >= m ? .alarm : .ok, kind: .evaluated, real: real, filled: f)
        case .notBreaching:
            return Decision(outcome: breaching >= m ? .alarm : .ok, kind: .evaluated, real: real, filled: filled(false))
        case .missing:
            let alarm = breaching >= m || prematureAlarm(real)
            return Decision(outcome: alarm ? .alarm : .ok, kind: .evaluated, real: real, filled: [])
        case .ignore:
            if breaching >= m { return Decision(outcome: .alarm, kind: .evaluated, real: real, filled: []) }
            // Only breaching evidence, too little of it: whether this is an alarm depends on the
            // missing periods, which `ignore` does not guess. Any non-breaching point settles OK.
            if breaching == real.count { return Decision(outcome: nil, kind: .keptIgnoringMissing, real: real, filled: []) }
            return Decision(outcome: .ok, kind: .evaluated, real: real, filled: [])
        }
    }

    /// The premature-alarm rule: ALARM when the oldest available datapoint is breaching, every
    /// more recent one is breaching or missing, and that oldest one is at least M periods old, even
    /// with fewer than M datapoints. (`0 - X - -` with M = 2 stays OK: its oldest point is not
    /// breaching.)
    func prematureAlarm(_ real: [JudgedSlot]) -> Bool {
        guard let oldest = real.first, real.allSatisfy(\.breaching) else { return false }
        let age = slots.count - oldest.index
        return age >= m
    }

    /// `EvaluateLowSampleCountPercentile: ignore`: a period with too few samples for its
    /// percentile keeps the current state.
    func lowSampleKeep(_ evaluated: [JudgedSlot]) -> Decision? {
        guard def.evaluateLowSampleCountPercentile == .ignore, let floor = def.statistic.lowSampleCountThreshold else { return nil }
        let thin = evaluated.contains { s in s.point?.sampleCount.map { $0 < floor } ?? false }
        return thin ? Decision(outcome: nil, kind: .keptLowSamples, real: evaluated, filled: []) : nil
    }
}
