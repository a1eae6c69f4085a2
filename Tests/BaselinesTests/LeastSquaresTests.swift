import Testing
@testable import Baselines

@Suite struct LeastSquaresTests {
    @Test func recoversExactLine() throws {
        // y = 3 + 2x, exactly: the solution must be (3, 2) to rounding.
        let xs: [Double] = [0, 1, 2, 3, 4, 5]
        let design = Array(repeating: 1.0, count: xs.count) + xs
        let y = xs.map { 3 + 2 * $0 }
        let beta = try LeastSquares.solve(design: design, rows: xs.count, columns: 2, response: y)
        #expect(abs(beta[0] - 3) < 1e-12)
        #expect(abs(beta[1] - 2) < 1e-12)
    }

    @Test func overdeterminedMatchesNormalEquations() throws {
        // Noisy points; compare with the closed-form simple-regression solution.
        let xs: [Double] = [1, 2, 3, 4, 5, 6, 7]
        let ys: [Double] = [2.1, 3.9, 6.2, 7.8, 10.1, 12.2, 13.8]
        let n = Double(xs.count)
        let mx = xs.reduce(0, +) / n, my = ys.reduce(0, +) / n
        let sxy = zip(xs, ys).map { ($0 - mx) * ($1 - my) }.reduce(0, +)
        let sxx = xs.map { ($0 - mx) * ($0 - mx) }.reduce(0, +)
        let slope = sxy / sxx
        let intercept = my - slope * mx
        let beta = try LeastSquares.solve(design: Array(repeating: 1.0, count: xs.count) + xs, rows: xs.count, columns: 2, response: ys)
        #expect(abs(beta[0] - intercept) < 1e-10)
        #expect(abs(beta[1] - slope) < 1e-10)
    }

    @Test func weightsDownweightAnOutlier() throws {
        let xs: [Double] = [0, 1, 2, 3, 4, 5]
        var ys = xs.map { 1 + $0 }
        ys[5] = 100  // gross outlier
        let design = Array(repeating: 1.0, count: xs.count) + xs
        let weights: [Double] = [1, 1, 1, 1, 1, 0]
        let beta = try LeastSquares.solve(design: design, rows: 6, columns: 2, response: ys, weights: weights)
        #expect(abs(beta[0] - 1) < 1e-10 && abs(beta[1] - 1) < 1e-10)
    }

    @Test func rankDeficientDesignIsReported() {
        // Two identical columns: dgels reports the zero pivot instead of returning garbage.
        let design: [Double] = [1, 1, 1, 1, 1, 1, 1, 1]
        #expect(throws: LeastSquares.SolveError.self) {
            _ = try LeastSquares.solve(design: design, rows: 4, columns: 2, response: [1, 2, 3, 4])
        }
    }
}

@Suite struct MinimumNormTests {
    // y = 3 + 2x with the x column duplicated: the minimum-norm answer splits the slope evenly.
    let xs: [Double] = [0, 1, 2, 3, 4, 5]
    var design: [Double] { Array(repeating: 1.0, count: xs.count) + xs + xs }
    var ys: [Double] { xs.map { 3 + 2 * $0 } }

    @Test func dgelsdSolvesDuplicateColumn() throws {
        let solution = try LeastSquares.solveMinimumNorm(design: design, rows: 6, columns: 3, response: ys)
        #expect(solution.rank == 2)
        #expect(abs(solution.coefficients[0] - 3) < 1e-9)
        #expect(abs(solution.coefficients[1] - 1) < 1e-9 && abs(solution.coefficients[2] - 1) < 1e-9)
    }

    @Test func rankSafeSolveFallsBackToDgelsd() throws {
        let solution = try LeastSquares.solveRankSafe(design: design, rows: 6, columns: 3, response: ys,
                                                      weights: Array(repeating: 1, count: 6))
        #expect(solution.usedMinimumNorm)
        #expect(abs(solution.coefficients[1] - 1) < 1e-9 && abs(solution.coefficients[2] - 1) < 1e-9)
        let full = try LeastSquares.solveRankSafe(design: Array(design.prefix(12)), rows: 6, columns: 2, response: ys,
                                                  weights: Array(repeating: 1, count: 6))
        #expect(!full.usedMinimumNorm && abs(full.coefficients[1] - 2) < 1e-12)
    }

    @Test func robustFitOnRankDeficientDesign() throws {
        var y = ys
        y[2] = 40
        let fit = try RobustFit.fit(design: DesignMatrix(rows: 6, columns: 3, values: design), response: y)
        #expect(fit.usedMinimumNorm)
        #expect(abs(fit.coefficients[1] + fit.coefficients[2] - 2) < 1e-6)
        #expect(fit.weights[2] == 0)
    }
}
