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
