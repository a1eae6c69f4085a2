import Baselines

/// CloudWatch's three alarm states.
public enum AlarmState: String, Codable, Hashable, Sendable, CaseIterable {
    case ok = "OK"
    case alarm = "ALARM"
    case insufficientData = "INSUFFICIENT_DATA"
}

/// Everything an alarm carries from one evaluation to the next. Persist it as is (it is
/// Codable); evaluating with the persisted status is what makes `watch` restart-safe: the same
/// data at the same time yields no transition, hence no second notification.
public struct AlarmStatus: Codable, Hashable, Sendable {
    public var state: AlarmState
    /// Reason and reason data of the transition into `state`.
    public var stateReason: String
    public var stateReasonData: StateReasonData?
    /// When `state` was entered (nil until the first transition).
    public var stateUpdatedMillis: Int64?
    public var lastEvaluationMillis: Int64?
    /// The state the outside world was last told about. Equals `state` unless a notification
    /// policy held a notification back.
    public var notifiedState: AlarmState
    public var lastAlarmNotificationMillis: Int64?
    /// When the alarm last left ALARM, while it stays out of it (re-arm bookkeeping).
    public var outOfAlarmSinceMillis: Int64?
    /// A re-arm excursion is open: announced ALARM, not yet quiet long enough.
    public var excursionOpen: Bool

    /// A new alarm: INSUFFICIENT_DATA, as CloudWatch creates it.
    public init() {
        state = .insufficientData
        stateReason = "Unchecked: Initial alarm creation"
        stateReasonData = nil
        stateUpdatedMillis = nil
        lastEvaluationMillis = nil
        notifiedState = .insufficientData
        lastAlarmNotificationMillis = nil
        outOfAlarmSinceMillis = nil
        excursionOpen = false
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        state = try c.decode(AlarmState.self, forKey: .state)
        stateReason = try c.decodeIfPresent(String.self, forKey: .stateReason) ?? ""
        stateReasonData = try c.decodeIfPresent(StateReasonData.self, forKey: .stateReasonData)
        stateUpdatedMillis = try c.decodeIfPresent(Int64.self, forKey: .stateUpdatedMillis)
        lastEvaluationMillis = try c.decodeIfPresent(Int64.self, forKey: .lastEvaluationMillis)
        notifiedState = try c.decodeIfPresent(AlarmState.self, forKey: .notifiedState) ?? state
        lastAlarmNotificationMillis = try c.decodeIfPresent(Int64.self, forKey: .lastAlarmNotificationMillis)
        outOfAlarmSinceMillis = try c.decodeIfPresent(Int64.self, forKey: .outOfAlarmSinceMillis)
        excursionOpen = try c.decodeIfPresent(Bool.self, forKey: .excursionOpen) ?? false
    }
}

/// The band of one period, already evaluated from a model: a plain value so the evaluator stays
/// independent of how bands are produced.
public struct BandBounds: Codable, Hashable, Sendable {
    public var lower: Double
    public var upper: Double

    public init(lower: Double, upper: Double) {
        self.lower = lower
        self.upper = upper
    }

    /// The band a trained baseline gives for the period starting at `periodStartMillis`, at band
    /// width `width` (the alarm's, which may differ from the one the model was trained with).
    public init(model: BaselineModel, width: Double, at periodStartMillis: Int64) {
        var m = model
        m.bandWidth = width
        let p = m.predict(at: periodStartMillis)
        self.init(lower: p.lower, upper: p.upper)
    }
}

/// One period of the metric as the alarm sees it.
public struct AlarmDatapoint: Codable, Hashable, Sendable {
    /// Period start (epoch ms).
    public var timestampMillis: Int64
    /// The statistic's value; nil when the period has no data.
    public var value: Double?
    /// Samples in the period; reported in reason data, used by the low-sample-count percentile
    /// rule and, when `volume` is nil, by the minimum-volume gate.
    public var sampleCount: Double?
    /// Volume for the minimum-volume gate (e.g. events behind a ratio).
    public var volume: Double?
    /// For band alarms: the band for this period. A value without a band cannot be judged and
    /// counts as missing.
    public var band: BandBounds?

    public init(timestampMillis: Int64, value: Double?, sampleCount: Double? = nil, volume: Double? = nil, band: BandBounds? = nil) {
        self.timestampMillis = timestampMillis
        self.value = value
        self.sampleCount = sampleCount
        self.volume = volume
        self.band = band
    }
}
