/// Errors from training a baseline.
public enum BaselineError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidOptions(String)
    case invalidSeries(String)
    case solve(LeastSquares.SolveError)

    public var description: String {
        switch self {
        case .invalidOptions(let why): return "invalid baseline options: \(why)"
        case .invalidSeries(let why): return "invalid series: \(why)"
        case .solve(let error): return "least-squares solve failed: \(error)"
        }
    }
}

public struct RobustFitOptions: Codable, Sendable, Equatable {
    /// Huber iterations come first because the bisquare objective is not convex: started from a
    /// fit that an incident has bent, Tukey can lock onto the wrong solution.
    public var huberIterations: Int = 3
    public var maxIterations: Int = 30
    public var tolerance: Double = 1e-7
    /// Tuning constants with 95 % efficiency under Gaussian noise.
    public var huberC: Double = 1.345
    public var tukeyC: Double = 4.685
    /// The smallest residual scale allowed; with MAD = 0 (flat history) weights and bands would
    /// otherwise divide by zero.
    public var scaleFloor: Double = 1e-9

    public init() {}
}

public struct RobustFitResult: Sendable, Equatable {
    public var coefficients: [Double]
    public var weights: [Double]
    /// Robust residual scale, MAD/0.6745, never below the floor.
    public var scale: Double
    public var iterations: Int
    public var converged: Bool
    /// True when any step needed the SVD fallback because the design was rank-deficient.
    public var usedMinimumNorm: Bool
    public var residuals: [Double]
}

public enum RobustFit {
    /// Iteratively reweighted least squares: Huber weights, then Tukey bisquare, each step a
    /// weighted LAPACK solve, with the scale re-estimated from the residuals at every step.
    ///
    /// `startWeights`, when given, are the final weights of a robust fit of a closely related
    /// problem (the same series on a longer window, or with more terms): they begin the iteration
    /// and the Huber phase is skipped, because its only job, keeping bisquare away from a fit an
    /// incident has bent, is already done. Rolling-origin folds converge in a few steps that way.
    public static func fit(design: DesignMatrix, response: [Double], options: RobustFitOptions = RobustFitOptions(),
                           startWeights: [Double]? = nil) throws(BaselineError) -> RobustFitResult {
        precondition(response.count == design.rows, "one response per design row")
        precondition(startWeights == nil || startWeights!.count == design.rows, "one starting weight per design row")
        var solver = WeightedSolver(design: design)
        // A start that keeps too few rows to determine the fit is no start at all.
        let warm = startWeights.map { w in w.reduce(0) { $0 + ($1 > 0 ? 1 : 0) } >= 2 * design.columns } ?? false
        var weights = warm ? startWeights! : [Double](repeating: 1, count: design.rows)
        var residuals = [Double](repeating: 0, count: design.rows)
        var scratch: [Double] = []
        var usedMinimumNorm = false
        func solve() throws(BaselineError) -> [Double] {
            do {
                let solution = try solver.solve(response: response, weights: weights)
                usedMinimumNorm = usedMinimumNorm || solution.usedMinimumNorm
                return solution.coefficients
            } catch {
                throw .solve(error)
            }
        }
        var beta = try solve()
        let huberIterations = warm ? 0 : options.huberIterations
        var iterations = 0
        var converged = false
        while iterations < options.maxIterations {
            iterations += 1
            solver.residuals(response: response, coefficients: beta, into: &residuals)
            let s = robustScale(residuals, floor: options.scaleFloor, scratch: &scratch)
            let huber = iterations <= huberIterations
            for i in 0..<residuals.count {
                let u = residuals[i] / s
                weights[i] = huber ? huberWeight(u, options.huberC) : tukeyWeight(u, options.tukeyC)
            }
            let next = try solve()
            var change = 0.0, size = 1.0
            for j in next.indices {
                change = max(change, abs(next[j] - beta[j]))
                size = max(size, abs(next[j]))
            }
            beta = next
            // Only a converged bisquare phase counts: Huber convergence is just the starting point.
            if !huber && change <= options.tolerance * size {
                converged = true
                break
            }
        }
        solver.residuals(response: response, coefficients: beta, into: &residuals)
        return RobustFitResult(coefficients: beta, weights: weights, scale: robustScale(residuals, floor: options.scaleFloor, scratch: &scratch),
                               iterations: iterations, converged: converged, usedMinimumNorm: usedMinimumNorm, residuals: residuals)
    }

    /// Ordinary least squares on the same design, for comparison and for the fallback paths.
    public static func ordinary(design: DesignMatrix, response: [Double]) throws(BaselineError) -> [Double] {
        var unused = false
        return try solve(design, response, [Double](repeating: 1, count: design.rows), &unused)
    }

    /// MAD about zero scaled to σ under Gaussian noise: residuals of a fit with an intercept are
    /// centred already, and for forecast errors any bias should widen the band, not be removed.
    public static func robustScale(_ residuals: [Double], floor: Double) -> Double {
        var scratch: [Double] = []
        return robustScale(residuals, floor: floor, scratch: &scratch)
    }

    static func robustScale(_ residuals: [Double], floor: Double, scratch: inout [Double]) -> Double {
        let s = medianAbsolute(residuals, scratch: &scratch) / 0.6745
        return s.isFinite ? max(s, floor) : floor
    }

    static func huberWeight(_ u: Double, _ c: Double) -> Double {
        let a = abs(u)
        return a <= c ? 1 : c / a
    }

    static func tukeyWeight(_ u: Double, _ c: Double) -> Double {
        let a = abs(u)
        guard a < c else { return 0 }
        let t = 1 - (a / c) * (a / c)
        return t * t
    }

    private static func solve(_ design: DesignMatrix, _ response: [Double], _ weights: [Double],
                              _ usedMinimumNorm: inout Bool) throws(BaselineError) -> [Double] {
        do {
            let solution = try LeastSquares.solveRankSafe(design: design.values, rows: design.rows, columns: design.columns,
                                                          response: response, weights: weights)
            usedMinimumNorm = usedMinimumNorm || solution.usedMinimumNorm
            return solution.coefficients
        } catch {
            throw .solve(error)
        }
    }
}

func subtract(_ a: [Double], _ b: [Double]) -> [Double] {
    zip(a, b).map { $0 - $1 }
}

func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
