/// A half-open time range `[startMillis, endMillis)` in epoch milliseconds.
public struct TimeRange: Codable, Sendable, Equatable, Hashable {
    public var startMillis: Int64
    public var endMillis: Int64

    public init(startMillis: Int64, endMillis: Int64) {
        self.startMillis = startMillis
        self.endMillis = endMillis
    }

    public func contains(_ millis: Int64) -> Bool { millis >= startMillis && millis < endMillis }
}

/// A regularly sampled series: value `i` belongs to `startMillis + i·periodMillis`. `NaN` marks a
/// missing sample, so gaps never shift the time axis.
public struct RegularSeries: Codable, Sendable, Equatable {
    public var startMillis: Int64
    public var periodMillis: Int64
    public var values: [Double]

    public init(startMillis: Int64, periodMillis: Int64, values: [Double]) {
        self.startMillis = startMillis
        self.periodMillis = periodMillis
        self.values = values
    }

    public func time(at index: Int) -> Int64 { startMillis + Int64(index) * periodMillis }

    /// The end of the last sample's period: the series covers `[startMillis, endMillis)`.
    public var endMillis: Int64 { time(at: values.count) }
}

/// The points a model may learn from, as parallel arrays.
public struct TrainingSample: Sendable, Equatable {
    public var times: [Int64]
    public var values: [Double]

    public var count: Int { times.count }

    /// Time covered from the first point to the end of the last one's period; what "history" means.
    public func span(periodMillis: Int64) -> Int64 {
        guard let first = times.first, let last = times.last else { return 0 }
        return last + periodMillis - first
    }

    public func prefix(before cutoff: Int64) -> TrainingSample {
        // Times are ascending, so the prefix is the first index at or after the cutoff.
        let end = times.firstIndex { $0 >= cutoff } ?? times.count
        return TrainingSample(times: Array(times[..<end]), values: Array(values[..<end]))
    }
}

public enum SeriesPrep {
    /// The usable points of the last `windowMillis` of the series: non-missing, finite, and outside
    /// every excluded range. Excluded points are dropped rather than imputed so a known incident
    /// contributes nothing, not even a smoothed version of itself.
    public static func trainingSample(_ series: RegularSeries, windowMillis: Int64, excluding excluded: [TimeRange]) -> TrainingSample {
        let windowStart = series.endMillis - windowMillis
        var times: [Int64] = []
        var values: [Double] = []
        times.reserveCapacity(series.values.count)
        values.reserveCapacity(series.values.count)
        for (i, v) in series.values.enumerated() where v.isFinite {
            let t = series.time(at: i)
            guard t >= windowStart, !excluded.contains(where: { $0.contains(t) }) else { continue }
            times.append(t)
            values.append(v)
        }
        return TrainingSample(times: times, values: values)
    }
}
