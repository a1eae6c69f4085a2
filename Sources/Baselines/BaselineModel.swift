import Foundation

public enum CountMode: String, Codable, Sendable, Equatable {
    case on, off, auto
}

public struct BaselineOptions: Codable, Sendable, Equatable {
    /// k in expected ± k·σ.
    public var bandWidth: Double = 2
    public var trainingWindowMillis: Int64 = 14 * millisPerDay
    public var excluded: [TimeRange] = []
    /// History needed, after exclusions, before a band is offered at all.
    public var minimumHistoryMillis: Int64 = 2 * millisPerDay
    public var minimumPoints: Int = 24
    public var countMode: CountMode = .auto
    public var dailyOrder: Int = 4
    public var weeklyOrder: Int = 3
    /// Harmonics of an hourly cycle, used only when the decomposition finds one; nil means 2.
    /// Optional so options stored before it existed still decode.
    public var hourlyOrder: Int?
    /// The seasonal decomposition that picks the periods, seeds the robust fit and gives the
    /// strengths; nil means the defaults. Optional for the same reason.
    public var decomposition: DecompositionOptions?
    /// Rolling-origin folds used to measure out-of-sample error.
    public var folds: Int = 4
    /// Seasonal periods (hourly, daily, weekly) whose strength falls below this get no block in the
    /// design: periods are kept because the data show them, not because they were assumed, and
    /// every unneeded harmonic adds variance to the forecast. With the decomposition the strength
    /// judged is the held-out one (`PeriodStrength.heldOutStrength`); without it, the strength of
    /// the fitted Fourier block. 0 keeps every candidate.
    public var minimumSeasonalStrength: Double = 0.05
    /// Explicit residual-scale floor on the fitting scale; nil picks one from the data.
    public var scaleFloor: Double?
    public var robust = RobustFitOptions()
    /// Recurring spikes (a nightly batch job) are part of normal: learn a time-of-day profile of
    /// what the smooth fit misses so they are expected, not flagged.
    public var periodicSpikes: Bool = false

    public init() {}

    public static let maximumWindowMillis: Int64 = 90 * millisPerDay
}

/// Why no model exists yet. `status` is the stable string tools key on.
public struct InsufficientData: Codable, Sendable, Equatable {
    public var status: String = "INSUFFICIENT_DATA"
    public var usablePoints: Int
    public var requiredPoints: Int
    public var historyMillis: Int64
    public var requiredHistoryMillis: Int64
}

public enum TrainingOutcome: Sendable, Equatable {
    case trained(BaselineModel)
    case insufficientData(InsufficientData)

    public var model: BaselineModel? {
        if case .trained(let model) = self { return model }
        return nil
    }
}

public struct Prediction: Codable, Sendable, Equatable {
    public var expected: Double
    public var lower: Double
    public var upper: Double
}

public struct AnomalyInterval: Codable, Sendable, Equatable {
    /// `[startMillis, endMillis)`, whole sample periods.
    public var startMillis: Int64
    public var endMillis: Int64
    public var points: Int
    public var peakMillis: Int64
    public var peakValue: Double
    public var expectedAtPeak: Double
    public var peakScore: Double
}

/// How much of the signal each component explains, as 1 − Var(residual)/Var(component + residual)
/// clipped to [0, 1] (Hyndman's strengths): near 1 the component dominates the noise, near 0 it is
/// lost in it.
///
/// With `source == "stl"` the components are those of the seasonal decomposition (MSTL) of the
/// training sample; daily, weekly and hourly strengths are those of the periods the model kept and
/// 0 for a period it has no block for (every candidate, kept or not, is in `periods`). Models
/// trained without a decomposition (and models stored before it existed) measure the fitted
/// Fourier blocks instead, and have no `source`.
public struct SeasonalDiagnostics: Codable, Sendable, Equatable {
    public var dailyStrength: Double
    public var weeklyStrength: Double
    public var trendStrength: Double
    public var residualVariance: Double
    /// "stl", or nil for strengths of the fitted blocks.
    public var source: String?
    public var hourlyStrength: Double?
    public var periods: [PeriodStrength]?
}

public struct BaselineModel: Codable, Sendable, Equatable {
    public var spec: DesignSpec
    public var coefficients: [Double]
    public var transform: CountTransform
    public var periodMillis: Int64
    public var bandWidth: Double
    /// σ of the band on the fitting scale: the out-of-sample scale, never below the floor.
    public var sigma: Double
    public var inSampleScale: Double
    /// Robust scale of rolling-origin forecast errors; nil when the history was too short to hold
    /// any fold out, in which case the in-sample scale is used.
    public var outOfSampleScale: Double?
    public var scaleFloor: Double
    public var trainedRange: TimeRange
    public var trainingPoints: Int
    public var iterations: Int
    public var converged: Bool
    public var usedMinimumNorm: Bool
    public var diagnostics: SeasonalDiagnostics
    /// With `periodicSpikes`: per time-of-day slot, the offset on the fitting scale added to the
    /// smooth fit. Slots with no recurring spike hold 0.
    public var dailyProfile: [Double]?
    /// Count series: the rate model that gives expected values, bands and scores as discrete
    /// (negative-binomial) quantiles and tail probabilities. nil for other series, and for models
    /// stored before it existed, which keep the Anscombe-scale Gaussian band.
    public var countRate: CountRate?

    public static func train(series: RegularSeries, options: BaselineOptions = BaselineOptions()) throws(BaselineError) -> TrainingOutcome {
        try validate(series, options)
        let sample = SeriesPrep.trainingSample(series, windowMillis: options.trainingWindowMillis, excluding: options.excluded)
        let span = sample.span(periodMillis: series.periodMillis)
        let probe = DesignSpec.make(times: sample.times, periodMillis: series.periodMillis,
                                    dailyOrder: options.dailyOrder, weeklyOrder: options.weeklyOrder)
        let required = max(options.minimumPoints, 2 * probe.columns)
        guard sample.count >= required, span >= options.minimumHistoryMillis else {
            return .insufficientData(InsufficientData(usablePoints: sample.count, requiredPoints: required,
                                                      historyMillis: span, requiredHistoryMillis: options.minimumHistoryMillis))
        }

        let transform: CountTransform = switch options.countMode {
        case .on: .anscombe
        case .off: .identity
        case .auto: CountTransform.looksLikeCounts(sample.values) ? .anscombe : .identity
        }
        let z = sample.values.map(transform.forward)
        let floor = options.scaleFloor ?? defaultFloor(transform: transform, values: sample.values)
        var robust = options.robust
        robust.scaleFloor = floor

        var spec = probe
        var design: DesignMatrix
        var fit: RobustFitResult
        let diagnostics: SeasonalDiagnostics
        var folding = options
        let decomposing = options.decomposition ?? DecompositionOptions()
        if decomposing.enabled,
           let decomposition = Decomposition.run(times: sample.times, values: z, periodMillis: series.periodMillis, options: decomposing) {
            // Periods from the data: a candidate gets its Fourier block only if it was decomposed
            // (two cycles at least) and its cycle explains held-out variance.
            var strengths: [PeriodStrength] = []
            for (k, p) in decomposition.periods.enumerated() {
                let held = decomposition.heldOutStrength(k)
                strengths.append(PeriodStrength(
                    periodMillis: Int64(p) * series.periodMillis, points: p, cycles: decomposition.trend.count / p,
                    strength: decomposition.strength(of: decomposition.seasonals[k]), heldOutStrength: held,
                    kept: options.minimumSeasonalStrength == 0 || held >= options.minimumSeasonalStrength))
            }
            // The decomposition's robustness weights start the IRLS, so a past incident is
            // discounted from the first step. When they discount nothing (a flat or all-zero
            // history has MAD 0) they carry no information and the usual Huber start is kept.
            let start = decomposition.gridIndex.map { decomposition.weights[$0] }
            let seed = decomposing.seedRobustFit && start.contains { $0 < 1 } ? start : nil
            if decomposing.choosePeriods {
                func chosen(_ millis: Int64) -> Bool { strengths.contains { $0.periodMillis == millis && $0.kept } }
                folding.dailyOrder = chosen(millisPerDay) ? options.dailyOrder : 0
                folding.weeklyOrder = chosen(millisPerWeek) ? options.weeklyOrder : 0
                folding.hourlyOrder = chosen(millisPerHour) ? options.hourlyOrder ?? 2 : 0
                spec = DesignSpec.make(times: sample.times, periodMillis: series.periodMillis, dailyOrder: folding.dailyOrder,
                                       weeklyOrder: folding.weeklyOrder, hourlyOrder: folding.hourlyOrder ?? 0)
                design = spec.matrix(times: sample.times)
                fit = try RobustFit.fit(design: design, response: z, options: robust, startWeights: seed)
            } else {
                design = spec.matrix(times: sample.times)
                fit = try RobustFit.fit(design: design, response: z, options: robust, startWeights: seed)
                (spec, design, fit) = try pruneWeakBlocks(spec: spec, design: design, fit: fit, sample: sample, z: z,
                                                          options: options, robust: robust, folding: &folding)
            }
            // What the model has a block for is what counts as kept, whichever rule chose it.
            for k in strengths.indices {
                switch strengths[k].periodMillis {
                case millisPerDay: strengths[k].kept = spec.dailyOrder > 0
                case millisPerWeek: strengths[k].kept = spec.weeklyOrder > 0
                case millisPerHour: strengths[k].kept = spec.hourlyOrder > 0
                default: strengths[k].kept = false
                }
            }
            func kept(_ millis: Int64) -> PeriodStrength? { strengths.first { $0.periodMillis == millis && $0.kept } }
            let candidates = Set(strengths.map(\.periodMillis))
            diagnostics = SeasonalDiagnostics(
                dailyStrength: kept(millisPerDay)?.strength ?? 0, weeklyStrength: kept(millisPerWeek)?.strength ?? 0,
                trendStrength: decomposition.strength(of: decomposition.trend), residualVariance: decomposition.residualVariance,
                source: "stl", hourlyStrength: candidates.contains(millisPerHour) ? kept(millisPerHour)?.strength ?? 0 : nil,
                periods: strengths)
        } else {
            design = spec.matrix(times: sample.times)
            fit = try RobustFit.fit(design: design, response: z, options: robust)
            // Diagnostics come from the fit with every candidate term, since that is what measures them.
            diagnostics = diagnose(design: design, spec: spec, fit: fit)
            (spec, design, fit) = try pruneWeakBlocks(spec: spec, design: design, fit: fit, sample: sample, z: z,
                                                      options: options, robust: robust, folding: &folding)
        }
        let oos = try outOfSampleScale(sample: sample, transformed: z, periodMillis: series.periodMillis, options: folding,
                                       robust: robust, weights: fit.weights, design: (spec, design))
        let sigma = max(oos ?? fit.scale, floor)

        // With periodic spikes the smooth-plus-profile centre is the model; a rate fit would treat
        // the recurring spikes as outliers.
        let rate = transform == .anscombe && !options.periodicSpikes
            ? try CountRate.fit(design: design, spec: spec, counts: sample.values) : nil
        return .trained(BaselineModel(
            spec: spec, coefficients: fit.coefficients, transform: transform, periodMillis: series.periodMillis,
            bandWidth: options.bandWidth, sigma: sigma, inSampleScale: fit.scale, outOfSampleScale: oos, scaleFloor: floor,
            trainedRange: TimeRange(startMillis: sample.times[0], endMillis: sample.times[sample.count - 1] + series.periodMillis),
            trainingPoints: sample.count, iterations: fit.iterations, converged: fit.converged,
            usedMinimumNorm: fit.usedMinimumNorm, diagnostics: diagnostics,
            dailyProfile: options.periodicSpikes ? spikeProfile(sample: sample, residuals: fit.residuals, periodMillis: series.periodMillis,
                                                                threshold: options.bandWidth * sigma) : nil,
            countRate: rate))
    }

    /// Drops the daily and weekly blocks whose fitted strength is below the minimum and refits from
    /// the full fit's weights: the period choice when the decomposition does not make it.
    static func pruneWeakBlocks(spec: DesignSpec, design: DesignMatrix, fit: RobustFitResult, sample: TrainingSample, z: [Double],
                                options: BaselineOptions, robust: RobustFitOptions,
                                folding: inout BaselineOptions) throws(BaselineError) -> (DesignSpec, DesignMatrix, RobustFitResult) {
        let measured = diagnose(design: design, spec: spec, fit: fit)
        if measured.dailyStrength < options.minimumSeasonalStrength { folding.dailyOrder = 0 }
        if measured.weeklyStrength < options.minimumSeasonalStrength { folding.weeklyOrder = 0 }
        folding.hourlyOrder = 0
        guard folding.dailyOrder == 0 && spec.dailyOrder > 0 || folding.weeklyOrder == 0 && spec.weeklyOrder > 0 else {
            return (spec, design, fit)
        }
        let pruned = DesignSpec(originMillis: spec.originMillis, dailyOrder: min(spec.dailyOrder, folding.dailyOrder),
                                weeklyOrder: min(spec.weeklyOrder, folding.weeklyOrder))
        let matrix = pruned.matrix(times: sample.times)
        return (pruned, matrix, try RobustFit.fit(design: matrix, response: z, options: robust, startWeights: fit.weights))
    }

    /// The fitted centre on the fitting scale.
    public func center(at millis: Int64) -> Double {
        var c = spec.evaluate(coefficients: coefficients, at: millis)
        if let profile = dailyProfile, !profile.isEmpty {
            c += profile[Self.slot(millis, periodMillis: periodMillis, count: profile.count)]
        }
        return c
    }

    static func slot(_ millis: Int64, periodMillis: Int64, count: Int) -> Int {
        let r = millis % millisPerDay
        return Int((r < 0 ? r + millisPerDay : r) / periodMillis) % count
    }

    /// The median residual of each time-of-day slot across days. A median needs the spike on more
    /// than half the days, so a one-off incident never becomes "expected"; offsets inside the band
    /// are noise and are left at 0.
    static func spikeProfile(sample: TrainingSample, residuals: [Double], periodMillis: Int64, threshold: Double) -> [Double]? {
        guard periodMillis < millisPerDay, millisPerDay % periodMillis == 0 else { return nil }
        let count = Int(millisPerDay / periodMillis)
        var bySlot = [[Double]](repeating: [], count: count)
        for (t, r) in zip(sample.times, residuals) { bySlot[slot(t, periodMillis: periodMillis, count: count)].append(r) }
        return bySlot.map { rs in
            guard rs.count >= 3 else { return 0 }
            let m = median(rs)
            return abs(m) > threshold ? m : 0
        }
    }

    /// Centre and band at one instant, back on the series' own scale. Count models give the
    /// predictive mean and the discrete quantiles whose tails match a Gaussian band of the same
    /// width, so `--band 2` means the same coverage for both.
    public func predict(at millis: Int64) -> Prediction {
        if let rate = countRate {
            let mu = rate.mean(spec: spec, at: millis)
            let tail = erfc(bandWidth / 2.0.squareRoot()) / 2
            var lower = 0.0
            while negativeBinomialLowerTail(lower, mean: mu, dispersion: rate.dispersion) < tail { lower += 1 }
            // The upper edge interpolated inside the last count the band holds (a mid-quantile),
            // so an all-zero history still has a band of positive width, and exactly the counts
            // above it have an upper tail within the band's.
            let c = negativeBinomialUpperQuantile(tail: tail, mean: mu, dispersion: rate.dispersion)
            let below = 1 - negativeBinomialUpperTail(c, mean: mu, dispersion: rate.dispersion)
            let atC = negativeBinomialUpperTail(c, mean: mu, dispersion: rate.dispersion) - negativeBinomialUpperTail(c + 1, mean: mu, dispersion: rate.dispersion)
            let fraction = atC > 0 ? min(max((1 - tail - below) / atC, 0), 1) : 1
            return Prediction(expected: mu, lower: lower, upper: max(c + fraction, lower + fraction))
        }
        let c = center(at: millis)
        return Prediction(expected: transform.inverse(c),
                          lower: transform.inverse(c - bandWidth * sigma),
                          upper: transform.inverse(c + bandWidth * sigma))
    }

    /// 1 − the two-sided tail probability of the value, so a point on the band edge scores about
    /// erf(k/√2) (0.954 for k = 2). Gaussian on the fitting scale; for count models the
    /// negative-binomial tails. Missing values score 0: absence of data is not evidence of an
    /// anomaly.
    public func score(_ value: Double, at millis: Int64) -> Double {
        guard value.isFinite else { return 0 }
        if let rate = countRate {
            let mu = rate.mean(spec: spec, at: millis)
            let x = max(value.rounded(), 0)
            let tail = min(negativeBinomialUpperTail(x, mean: mu, dispersion: rate.dispersion),
                           negativeBinomialLowerTail(x, mean: mu, dispersion: rate.dispersion))
            return min(max(1 - 2 * tail, 0), 1)
        }
        let c = center(at: millis)
        let u = abs(transform.forward(value) - c) / sigma
        let s = erf(u / 2.0.squareRoot())
        return s.isFinite ? min(max(s, 0), 1) : 0
    }

    /// The score of a point exactly on the band edge: the natural anomaly threshold.
    public var bandThreshold: Double { erf(bandWidth / 2.0.squareRoot()) }

    /// Runs of consecutive samples scoring at or above `threshold` (default: outside the band).
    /// A missing sample ends a run, since nothing is known about it.
    public func anomalies(in series: RegularSeries, threshold: Double? = nil) -> [AnomalyInterval] {
        let limit = threshold ?? bandThreshold
        var result: [AnomalyInterval] = []
        var open: AnomalyInterval?
        for (i, v) in series.values.enumerated() {
            let t = series.time(at: i)
            let s = score(v, at: t)
            guard v.isFinite, s >= limit else {
                if let done = open { result.append(done); open = nil }
                continue
            }
            if var current = open {
                current.endMillis = t + series.periodMillis
                current.points += 1
                if s > current.peakScore {
                    current.peakScore = s
                    current.peakMillis = t
                    current.peakValue = v
                    current.expectedAtPeak = predict(at: t).expected
                }
                open = current
            } else {
                open = AnomalyInterval(startMillis: t, endMillis: t + series.periodMillis, points: 1, peakMillis: t,
                                       peakValue: v, expectedAtPeak: predict(at: t).expected, peakScore: s)
            }
        }
        if let done = open { result.append(done) }
        return result
    }

    private static func validate(_ series: RegularSeries, _ options: BaselineOptions) throws(BaselineError) {
        guard series.periodMillis > 0 else { throw .invalidSeries("period must be positive") }
        guard options.bandWidth > 0, options.bandWidth.isFinite else { throw .invalidOptions("band width must be a positive number") }
        guard options.trainingWindowMillis > 0, options.trainingWindowMillis <= BaselineOptions.maximumWindowMillis else {
            throw .invalidOptions("training window must be positive and at most 90 days")
        }
        guard options.minimumSeasonalStrength >= 0, options.minimumSeasonalStrength <= 1 else {
            throw .invalidOptions("minimum seasonal strength must be in [0, 1]")
        }
        guard options.folds >= 0 else { throw .invalidOptions("folds must not be negative") }
        if let floor = options.scaleFloor, !(floor > 0 && floor.isFinite) {
            throw .invalidOptions("scale floor must be a positive number")
        }
        for range in options.excluded where range.endMillis <= range.startMillis {
            throw .invalidOptions("excluded range \(range.startMillis)..<\(range.endMillis) is empty")
        }
    }

    /// Counts: Anscombe-transformed Poisson noise has σ ≈ 1 for moderate means and somewhat less for
    /// sparse series, so half a unit keeps an all-zero history from flagging every single event.
    /// Other series: 1 % of their typical magnitude, so a flat CPU trace still gets a usable band.
    static func defaultFloor(transform: CountTransform, values: [Double]) -> Double {
        switch transform {
        case .anscombe: return 0.5
        case .identity:
            let level = median(values.map { abs($0) })
            return max(0.01 * (level.isFinite ? level : 0), 1e-6)
        }
    }

    /// Rolling origin: for each of the last `folds` horizons, fit on everything before it and
    /// forecast it. The robust scale of those errors is the honest σ, since in-sample residuals
    /// have already been fitted to and understate real error.
    static func outOfSampleScale(sample: TrainingSample, transformed z: [Double], periodMillis: Int64,
                                 options: BaselineOptions, robust: RobustFitOptions, weights: [Double]? = nil,
                                 design full: (spec: DesignSpec, matrix: DesignMatrix)? = nil) throws(BaselineError) -> Double? {
        guard options.folds > 0, let first = sample.times.first, let last = sample.times.last else { return nil }
        let end = last + periodMillis
        let span = end - first
        // A day ahead when there is room, so every fold is tested on a whole daily cycle.
        let horizon = span >= 4 * millisPerDay ? millisPerDay : max(periodMillis, span / 4 / periodMillis * periodMillis)
        // A fold's estimate only feeds a robust scale of hundreds of forecast errors: coefficients
        // to 1e-4 of their size move those errors by far less than their noise, and IRLS converges
        // linearly, so the last digits the full fit insists on would cost most of the fold's steps.
        var foldRobust = robust
        foldRobust.tolerance = max(robust.tolerance, 1e-4)
        var errors: [Double] = []
        for f in 1...options.folds {
            let cutoff = end - Int64(f) * horizon
            let head = sample.prefix(before: cutoff)
            guard head.count > 0, head.span(periodMillis: periodMillis) >= span / 2 else { break }
            let spec = DesignSpec.make(times: head.times, periodMillis: periodMillis, dailyOrder: options.dailyOrder,
                                       weeklyOrder: options.weeklyOrder, hourlyOrder: options.hourlyOrder ?? 0)
            guard head.count >= 2 * spec.columns else { break }
            let horizonEnd = sample.times[head.count...].firstIndex { $0 >= cutoff + horizon } ?? sample.count
            // The fold's design is the full design's first rows and columns whenever its blocks are a
            // prefix of the full ones (they are, unless the head is too short for a block the full
            // window has): the trend origin differs, but a shifted trend column is the same column
            // space with the intercept, so the forecasts are the same without recomputing a sine.
            let matrix: DesignMatrix
            if let full, full.spec.dailyOrder == spec.dailyOrder, full.spec.hourlyOrder == spec.hourlyOrder,
               spec.weeklyOrder == 0 || full.spec.weeklyOrder == spec.weeklyOrder, spec.hourlyOrder == 0 || spec.weeklyOrder == full.spec.weeklyOrder {
                matrix = full.matrix.block(rows: horizonEnd, columns: spec.columns)
            } else {
                matrix = spec.matrix(times: Array(sample.times[..<horizonEnd]))
            }
            let train = matrix.block(rows: head.count, columns: spec.columns)
            // The full fit's weights already mark the head's outliers: start from them.
            let fit = try RobustFit.fit(design: train, response: Array(z[..<head.count]), options: foldRobust,
                                        startWeights: weights.map { Array($0[..<head.count]) })
            for i in head.count..<horizonEnd {
                var forecast = 0.0
                for j in 0..<spec.columns { forecast += matrix[i, j] * fit.coefficients[j] }
                errors.append(z[i] - forecast)
            }
        }
        return errors.isEmpty ? nil : RobustFit.robustScale(errors, floor: robust.scaleFloor)
    }

    /// Strengths over the points the robust fit kept (weight > 0), so a past incident does not
    /// masquerade as residual variance and hide real seasonality.
    static func diagnose(design: DesignMatrix, spec: DesignSpec, fit: RobustFitResult) -> SeasonalDiagnostics {
        let kept = fit.weights.indices.filter { fit.weights[$0] > 0 }
        let residual = kept.map { fit.residuals[$0] }
        let rv = variance(residual)
        func strength(_ columns: Range<Int>) -> Double {
            guard !columns.isEmpty else { return 0 }
            let part = design.multiply(fit.coefficients, columns: columns)
            let total = variance(kept.map { part[$0] + fit.residuals[$0] })
            guard total > 0 else { return 0 }
            return min(max(1 - rv / total, 0), 1)
        }
        return SeasonalDiagnostics(dailyStrength: strength(spec.dailyColumns), weeklyStrength: strength(spec.weeklyColumns),
                                   trendStrength: strength(spec.trendColumn..<(spec.trendColumn + 1)), residualVariance: rv)
    }
}

func variance(_ values: [Double]) -> Double {
    guard values.count > 1 else { return 0 }
    let mean = values.reduce(0, +) / Double(values.count)
    return values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
}
