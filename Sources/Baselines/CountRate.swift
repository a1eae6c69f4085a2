import Foundation

/// The predictive distribution of a count series: a log-linear rate on the model's design,
/// μ_t = exp(x_t·β), with negative-binomial overdispersion φ (variance φ·μ; φ = 1 is Poisson).
///
/// Why alongside the Anscombe fit: security counts are mostly zero. A robust fit of zero-inflated
/// data treats every event as an outlier and puts the centre at zero, and a Gaussian band on the
/// transformed scale has no sensible tail for a value of 1 or 2. The rate model keeps the mean (so
/// a metric that sees a few events every afternoon has a small afternoon rate and a near-zero night
/// one), and tail probabilities of a discrete distribution say how unusual 2 events in 5 minutes
/// are at 3 a.m. That time-of-day contrast is what neither a static threshold nor a flat Gaussian
/// band can express.
public struct CountRate: Codable, Sendable, Equatable {
    public var coefficients: [Double]
    public var dispersion: Double
    /// No rate goes below this: one event over the whole training window, so a series that never
    /// saw an event still gives a first event a finite probability (a single first event is not
    /// an alarm at the default alarm width; two at once are).
    public var floor: Double

    /// Poisson GLM by IRLS (log link), each step a weighted least-squares LAPACK solve on the same
    /// design. Training incidents must not raise the learned rate: points whose upper tail under
    /// the current fit is below `outlierTail` are dropped and the fit repeated.
    ///
    /// The trend column is left out (its coefficient stays 0): on the log scale a trend fitted to a
    /// few events extrapolates to an exponentially vanishing rate a day later, which would flag the
    /// next ordinary event. Level and seasonality carry the rate.
    static func fit(design full: DesignMatrix, spec: DesignSpec, counts y: [Double], outlierTail: Double = 1e-6) throws(BaselineError) -> CountRate? {
        let columnsKept = (0..<full.columns).filter { $0 != spec.trendColumn }
        var values: [Double] = []
        values.reserveCapacity(full.rows * columnsKept.count)
        for j in columnsKept { values.append(contentsOf: full.values[(j * full.rows)..<((j + 1) * full.rows)]) }
        let design = DesignMatrix(rows: full.rows, columns: columnsKept.count, values: values)
        let n = design.rows, p = design.columns
        guard n >= 2 * p, p > 0 else { return nil }
        let total = y.reduce(0, +)
        let floor = 1 / Double(n)
        let mean = max(total / Double(n), floor)
        var solver = WeightedSolver(design: design)
        var keep = [Double](repeating: 1, count: n)
        var beta = [Double](repeating: 0, count: p)
        beta[0] = log(mean)
        var eta = [Double](repeating: 0, count: n)
        var mu = [Double](repeating: 0, count: n)
        // Buffers of the IRLS steps, allocated once: the loop below runs up to 75 times.
        let zeros = [Double](repeating: 0, count: n)
        var w = zeros, z = zeros
        func predict() {
            solver.residuals(response: zeros, coefficients: beta, into: &eta)
            for i in 0..<n {
                eta[i] = min(max(-eta[i], log(floor)), 30)
                mu[i] = exp(eta[i])
            }
        }
        for round in 0..<3 {
            for _ in 0..<25 {
                predict()
                for i in 0..<n {
                    w[i] = keep[i] * mu[i]
                    z[i] = eta[i] + (y[i] - mu[i]) / mu[i]
                }
                let next: [Double]
                do { next = try solver.solve(response: z, weights: w).coefficients } catch { throw .solve(error) }
                var change = 0.0
                for j in 0..<p { change = max(change, abs(next[j] - beta[j])) }
                beta = next
                if change < 1e-6 { break }
            }
            predict()
            var dropped = false
            for i in 0..<n where keep[i] > 0 && y[i] > mu[i] {
                if negativeBinomialUpperTail(y[i], mean: mu[i], dispersion: 1) < outlierTail {
                    keep[i] = 0
                    dropped = true
                }
            }
            if !dropped || round == 2 { break }
        }
        predict()
        // Pearson dispersion on the kept points, never below Poisson.
        var chi = 0.0, kept = 0.0
        for i in 0..<n where keep[i] > 0 {
            chi += (y[i] - mu[i]) * (y[i] - mu[i]) / mu[i]
            kept += 1
        }
        let dispersion = max(1, chi / max(kept - Double(p), 1))
        var coefficients = [Double](repeating: 0, count: full.columns)
        for (k, j) in columnsKept.enumerated() { coefficients[j] = beta[k] }
        return CountRate(coefficients: coefficients, dispersion: dispersion, floor: floor)
    }

    public func mean(spec: DesignSpec, at millis: Int64) -> Double {
        max(exp(min(spec.evaluate(coefficients: coefficients, at: millis), 30)), floor)
    }
}

/// P(X ≥ x) for a negative binomial with this mean and variance `dispersion·mean` (Poisson when
/// the dispersion is 1). Summed exactly for moderate means; a continuity-corrected normal tail
/// beyond, where the distribution is close to normal anyway.
func negativeBinomialUpperTail(_ x: Double, mean mu: Double, dispersion phi: Double) -> Double {
    guard x > 0 else { return 1 }
    let k = Int(x.rounded(.up))
    if mu > 200 || k > 2000 {
        let sd = (mu * phi).squareRoot()
        return 0.5 * erfc((Double(k) - 0.5 - mu) / (sd * 2.0.squareRoot()))
    }
    var cdf = 0.0
    if phi <= 1.000001 {
        var pmf = exp(-mu)
        for j in 0..<k {
            cdf += pmf
            pmf *= mu / Double(j + 1)
        }
    } else {
        // Size r and success probability q with mean μ and variance φμ.
        let r = mu / (phi - 1), q = 1 / phi
        var pmf = exp(r * log(q))
        for j in 0..<k {
            cdf += pmf
            pmf *= (Double(j) + r) / Double(j + 1) * (1 - q)
        }
    }
    return min(max(1 - cdf, 0), 1)
}

/// P(X ≤ x) for the same distribution.
func negativeBinomialLowerTail(_ x: Double, mean mu: Double, dispersion phi: Double) -> Double {
    1 - negativeBinomialUpperTail(x.rounded(.down) + 1, mean: mu, dispersion: phi)
}

/// The smallest count whose upper tail P(X ≥ c + 1) is at most `tail`: the band's upper edge.
func negativeBinomialUpperQuantile(tail: Double, mean mu: Double, dispersion phi: Double) -> Double {
    var c = max(0, (mu - 1).rounded(.down))
    while negativeBinomialUpperTail(c + 1, mean: mu, dispersion: phi) > tail { c += 1 }
    return c
}
