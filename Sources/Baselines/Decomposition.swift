import Foundation

/// How the training sample is decomposed before the regression is fitted.
public struct DecompositionOptions: Codable, Sendable, Equatable {
    /// Off: the periods are judged by the strengths of the fitted Fourier blocks instead, and the
    /// robust fit starts from Huber steps.
    public var enabled: Bool = true
    /// Let the held-out strengths choose which periods get a Fourier block (hourly included). Off by
    /// default: on the generated evaluation trails it cost one seed two false incidents (F1 0.69 →
    /// 0.59) while gaining on another, so until that is understood the Fourier-block strengths
    /// choose daily and weekly as before, and the decomposition seeds the fit and reports strengths.
    public var choosePeriods: Bool = false
    /// Start the robust fit from the decomposition's robustness weights instead of Huber steps.
    public var seedRobustFit: Bool = true
    /// Candidate seasonal periods. One is considered only when it is a whole number (≥ 2) of
    /// sampling periods and the history holds at least two of its cycles.
    public var candidateMillis: [Int64] = [3_600_000, millisPerDay, millisPerWeek]
    /// MSTL passes over all periods. Bandara et al. (and statsmodels) use 2; one pass, with each
    /// period's STL run on the series minus the shorter periods' seasonal components, costs half
    /// (the decomposition is a quarter of a model's training time even so). On the benchmark series
    /// the strengths move by a few hundredths against two passes, which changes no period's fate.
    public var mstlIterations: Int = 1
    /// STL inner passes per period and MSTL step. statsmodels' robust STL uses 2 inner and 15 outer
    /// passes, 30 passes for one period; here the robustness weights are carried from one period's
    /// STL to the next (and from one MSTL pass to the next), so each STL needs only one
    /// reweighting: with three periods the weights are re-estimated 3 times in 6 passes.
    /// Enough to take incidents out of the seasonal components, which is all an initialisation
    /// and a diagnosis need.
    public var innerIterations: Int = 1
    public var outerIterations: Int = 1

    public init() {}
}

/// Strengths of one candidate seasonal period.
public struct PeriodStrength: Codable, Sendable, Equatable {
    public var periodMillis: Int64
    /// Sampling periods per cycle.
    public var points: Int
    /// Whole cycles the history holds.
    public var cycles: Int
    /// Hyndman's strength of the STL seasonal component, max(0, 1 − Var(R)/Var(S + R)).
    public var strength: Double
    /// Share of the variance of S + R that the average cycle, estimated without the cycle being
    /// predicted, explains: ≤ 0 for noise whatever the number of cycles. What decides `kept`.
    public var heldOutStrength: Double
    /// Whether the model has a seasonal block for this period.
    public var kept: Bool
}

/// A multiple seasonal-trend decomposition (MSTL: Bandara, Hyndman & Bergmeir 2021) of a training
/// sample, on a regular grid from its first to its last point.
///
/// Gaps (missing samples, excluded ranges) are filled by linear interpolation so the moving
/// averages of the low-pass filter have values to average, but they enter every loess with weight
/// 0 and keep it through the robustness passes: no smoother ever learns from a filled point, and
/// an excluded incident cannot leak in through its neighbours' interpolation either, because only
/// observed points are interpolated between.
struct Decomposition {
    var periods: [Int]
    var seasonals: [[Double]]
    var trend: [Double]
    var residual: [Double]
    /// Robustness weights on the grid: 0 at gaps and at points the bisquare discounted entirely.
    var weights: [Double]
    /// Grid index of every sample point.
    var gridIndex: [Int]

    /// nil when no candidate period fits the history: then the caller falls back to the regression's
    /// own diagnostics.
    static func run(times: [Int64], values: [Double], periodMillis: Int64, options: DecompositionOptions) -> Decomposition? {
        guard let first = times.first, let last = times.last, periodMillis > 0 else { return nil }
        let n = Int((last - first) / periodMillis) + 1
        let periods = Array(Set(options.candidateMillis.compactMap { c -> Int? in
            guard c > 0, c % periodMillis == 0 else { return nil }
            let p = Int(c / periodMillis)
            return p >= 2 && n >= 2 * p ? p : nil
        })).sorted()
        guard !periods.isEmpty else { return nil }

        var y = [Double](repeating: 0, count: n)
        var w = [Double](repeating: 0, count: n)
        var gridIndex = [Int](repeating: 0, count: times.count)
        for (k, t) in times.enumerated() {
            let i = Int((t - first) / periodMillis)
            gridIndex[k] = i
            y[i] = values[k]
            w[i] = 1
        }
        // Interpolate across gaps between consecutive observed points (the ends are observed).
        for k in 1..<gridIndex.count where gridIndex[k] > gridIndex[k - 1] + 1 {
            let a = gridIndex[k - 1], b = gridIndex[k]
            for i in (a + 1)..<b { y[i] = y[a] + (y[b] - y[a]) * Double(i - a) / Double(b - a) }
        }

        var seasonals = periods.map { _ in [Double](repeating: 0, count: n) }
        var deseasoned = y
        var trend: [Double]?
        var weights = w
        for _ in 0..<max(options.mstlIterations, 1) {
            for (k, p) in periods.enumerated() {
                for i in 0..<n { deseasoned[i] += seasonals[k][i] }
                let fit = stl(period: p, index: k, points: n).decompose(deseasoned, inner: options.innerIterations,
                                                                       outer: options.outerIterations,
                                                                       initialWeights: weights, initialTrend: trend)
                seasonals[k] = fit.seasonal
                for i in 0..<n { deseasoned[i] -= fit.seasonal[i] }
                trend = fit.trend
                weights = fit.weights
            }
        }
        let t = trend ?? [Double](repeating: 0, count: n)
        var residual = [Double](repeating: 0, count: n)
        for i in 0..<n { residual[i] = deseasoned[i] - t[i] }
        return Decomposition(periods: periods, seasonals: seasonals, trend: t, residual: residual, weights: weights,
                             gridIndex: gridIndex)
    }

    /// The STL of the k-th shortest period, with MSTL's seasonal windows 7 + 4k (k from 1) and the
    /// stlez jumps. The seasonal smoother is a local constant unless there are many more cycles than
    /// its window: a local line through a handful of cycles extrapolates their noise (through two
    /// it interpolates them exactly, and the seasonal component swallows every incident).
    static func stl(period p: Int, index k: Int, points n: Int) -> STL {
        var s = STL(period: p, seasonal: 7 + 4 * (k + 1)).withFastJumps()
        let cycles = n / p
        s.seasonalDegree = cycles >= 2 * s.seasonal ? 1 : 0
        return s
    }

    /// Points that count for strengths: observed and not discounted as outliers, so a past incident
    /// does not masquerade as residual variance and hide real seasonality.
    var usable: [Int] { weights.indices.filter { weights[$0] > 0 } }

    /// max(0, 1 − Var(R)/Var(C + R)) over the usable points.
    func strength(of component: [Double]) -> Double {
        let kept = usable
        let rv = variance(kept.map { residual[$0] })
        let total = variance(kept.map { component[$0] + residual[$0] })
        guard total > 0 else { return 0 }
        return min(max(1 - rv / total, 0), 1)
    }

    var residualVariance: Double { variance(usable.map { residual[$0] }) }

    /// For period k: how much of the variance of D = S_k + R (the series without trend and the other
    /// periods) the average cycle explains at points of a cycle it was not estimated from.
    ///
    /// Why not the STL strength itself: the seasonal smoother fits noise too, so white noise scores
    /// about 0.2 with fourteen daily cycles and up to 1 with two weekly ones (measured with
    /// statsmodels' MSTL); no fixed threshold on it separates a real weekly cycle from chance. The
    /// held-out share is about −1/(cycles − 1) for noise and Var(S)/Var(S + R) − O(1/cycles) for a
    /// real pattern. The average cycle is smoothed over 1/48 of a cycle (35 minutes of a day, 3.5
    /// hours of a week, nothing for an hour) so its own noise does not hide a pattern in few cycles:
    /// the Fourier blocks the period maps to are smoother still.
    func heldOutStrength(_ k: Int) -> Double {
        let p = periods[k], n = residual.count
        var d = [Double](repeating: 0, count: n)
        for i in 0..<n { d[i] = seasonals[k][i] + residual[i] }
        var sum = [Double](repeating: 0, count: p), count = [Double](repeating: 0, count: p)
        for i in 0..<n where weights[i] > 0 {
            sum[i % p] += d[i]
            count[i % p] += 1
        }
        // Leave-one-cycle-out mean at phase j for point i: (sum_j − d_i)/(count_j − 1), averaged
        // over the half-width h of phases around i (taken from i's neighbours in time, which is the
        // same cycle except across a cycle boundary). Running sums over the grid keep it O(n).
        let h = p / 96
        var a = [Double](repeating: 0, count: n + 1), b = [Double](repeating: 0, count: n + 1), c = [Double](repeating: 0, count: n + 1)
        for i in 0..<n {
            let j = i % p
            let usableHere = weights[i] > 0 && count[j] >= 2
            let inv = usableHere ? 1 / (count[j] - 1) : 0
            a[i + 1] = a[i] + sum[j] * inv
            b[i + 1] = b[i] + d[i] * inv
            c[i + 1] = c[i] + (usableHere ? 1 : 0)
        }
        var mean = 0.0, m = 0.0
        for i in 0..<n where weights[i] > 0 && count[i % p] >= 2 {
            mean += d[i]
            m += 1
        }
        guard m > 1 else { return 0 }
        mean /= m
        var sse = 0.0, sst = 0.0
        for i in 0..<n where weights[i] > 0 && count[i % p] >= 2 {
            let lo = max(0, i - h), hi = min(n, i + h + 1)
            let terms = c[hi] - c[lo]
            guard terms > 0 else { continue }
            let predicted = ((a[hi] - a[lo]) - (b[hi] - b[lo])) / terms
            sse += (d[i] - predicted) * (d[i] - predicted)
            sst += (d[i] - mean) * (d[i] - mean)
        }
        guard sst > 0 else { return 0 }
        return 1 - sse / sst
    }
}
