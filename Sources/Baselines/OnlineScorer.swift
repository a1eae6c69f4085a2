import Foundation

/// What an online score says about one sample.
public enum OnlineStatus: String, Codable, Sendable, Equatable {
    /// A model trained on earlier data scored the point.
    case scored = "OK"
    /// No model yet: too little history before this point (or training failed to find enough).
    case insufficientData = "INSUFFICIENT_DATA"
    /// The sample itself is missing (NaN); nothing to score.
    case missing = "MISSING"
}

public struct OnlinePoint: Codable, Sendable, Equatable {
    public var millis: Int64
    public var value: Double
    public var status: OnlineStatus
    /// Set only when `status == .scored`.
    public var prediction: Prediction?
    public var score: Double?
    /// The end of the data the scoring model was trained on (exclusive): always ≤ `millis`.
    public var trainedThroughMillis: Int64?

    public init(millis: Int64, value: Double, status: OnlineStatus, prediction: Prediction? = nil, score: Double? = nil,
                trainedThroughMillis: Int64? = nil) {
        self.millis = millis
        self.value = value
        self.status = status
        self.prediction = prediction
        self.score = score
        self.trainedThroughMillis = trainedThroughMillis
    }

    /// Above the band's upper edge: the side incidents push a count series to.
    public var isAboveBand: Bool {
        guard let p = prediction, value.isFinite else { return false }
        return value > p.upper
    }

    /// Outside the band on either side.
    public var isOutsideBand: Bool {
        guard let p = prediction, value.isFinite else { return false }
        return value > p.upper || value < p.lower
    }
}

public struct OnlineOptions: Sendable, Equatable {
    public var baseline = BaselineOptions()
    /// Models are retrained at every multiple of this since the epoch (UTC midnights for the
    /// default day), as a live `watch` would, not at every point: retraining per point would be
    /// both unrealistic and hundreds of times slower.
    public var retrainEveryMillis: Int64 = millisPerDay

    public init() {}
}

/// Scores a series the way a live detector would have seen it: every point by a model trained only
/// on data strictly before it. This is how detection is evaluated honestly; an in-sample score has
/// already seen the anomaly it is asked about.
public enum OnlineScorer {
    public static func score(_ series: RegularSeries, options: OnlineOptions = OnlineOptions()) throws(BaselineError) -> [OnlinePoint] {
        guard options.retrainEveryMillis > 0 else { throw .invalidOptions("retrain interval must be positive") }
        guard series.periodMillis > 0 else { throw .invalidSeries("period must be positive") }
        var out: [OnlinePoint] = []
        out.reserveCapacity(series.values.count)
        var model: BaselineModel?
        var boundary: Int64 = .min
        for (i, v) in series.values.enumerated() {
            let t = series.time(at: i)
            // The latest schedule boundary at or before t: retrain there on the points before it.
            let b = floorMultiple(t, options.retrainEveryMillis)
            if b != boundary {
                boundary = b
                // Points strictly before b: indices with time < b. The first of them is i's start
                // when b ≤ series.startMillis, in which case there is nothing to learn from.
                let k = b <= series.startMillis ? 0 : Int((b - series.startMillis + series.periodMillis - 1) / series.periodMillis)
                if k > 0 {
                    let history = RegularSeries(startMillis: series.startMillis, periodMillis: series.periodMillis,
                                                values: Array(series.values[..<min(k, i)]))
                    // A failed retrain keeps the previous model: a live detector would too.
                    if let trained = try BaselineModel.train(series: history, options: options.baseline).model { model = trained }
                }
            }
            guard v.isFinite else {
                out.append(OnlinePoint(millis: t, value: v, status: .missing))
                continue
            }
            guard let m = model else {
                out.append(OnlinePoint(millis: t, value: v, status: .insufficientData))
                continue
            }
            out.append(OnlinePoint(millis: t, value: v, status: .scored, prediction: m.predict(at: t), score: m.score(v, at: t),
                                   trainedThroughMillis: m.trainedRange.endMillis))
        }
        return out
    }

    static func floorMultiple(_ t: Int64, _ m: Int64) -> Int64 {
        let r = t % m
        return t - (r < 0 ? r + m : r)
    }
}
