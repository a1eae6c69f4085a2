import CLapack

/// Dense least squares through LAPACK: the building block every robust fit in this module calls.
public enum LeastSquares {
    public struct SolveError: Error, Sendable, Equatable, CustomStringConvertible {
        public var routine: String
        public var info: Int32
        public var description: String {
            info < 0 ? "\(routine): argument \(-info) was invalid"
                : "\(routine): the design matrix is rank-deficient (diagonal element \(info) of R is zero)"
        }
    }

    /// Minimises ‖X·β − y‖₂ for a full-rank `rows × columns` design given column-major, with
    /// `rows ≥ columns`, by QR (`dgels`).
    public static func solve(design: [Double], rows: Int, columns: Int, response: [Double]) throws(SolveError) -> [Double] {
        precondition(design.count == rows * columns, "design must hold rows × columns values")
        precondition(response.count == rows && rows >= columns, "response must have one value per row")
        var a = design
        var b = response
        let info = LAPACKE_dgels(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "N")), clapack_int(rows), clapack_int(columns), 1,
                                 &a, clapack_int(rows), &b, clapack_int(rows))
        guard info == 0 else { throw SolveError(routine: "dgels", info: info) }
        return Array(b.prefix(columns))
    }

    /// Weighted least squares: minimises Σ wᵢ (yᵢ − xᵢ·β)², by scaling rows with √wᵢ.
    public static func solve(design: [Double], rows: Int, columns: Int, response: [Double], weights: [Double]) throws(SolveError) -> [Double] {
        let (a, b) = scaleRows(design: design, rows: rows, columns: columns, response: response, weights: weights)
        return try solve(design: a, rows: rows, columns: columns, response: b)
    }

    public struct MinimumNormSolution: Sendable, Equatable {
        public var coefficients: [Double]
        /// Effective rank: singular values at or below `rcond · σ_max` were treated as zero.
        public var rank: Int
    }

    /// The minimum-norm solution of min ‖X·β − y‖₂ by SVD (`dgelsd`). Works for any shape and rank:
    /// where columns are collinear it spreads the weight evenly instead of failing, which is what a
    /// baseline needs when a window happens not to separate two terms.
    public static func solveMinimumNorm(design: [Double], rows: Int, columns: Int, response: [Double],
                                        rcond: Double = 1e-10) throws(SolveError) -> MinimumNormSolution {
        precondition(design.count == rows * columns, "design must hold rows × columns values")
        precondition(response.count == rows, "response must have one value per row")
        guard rows > 0, columns > 0 else {
            return MinimumNormSolution(coefficients: [Double](repeating: 0, count: columns), rank: 0)
        }
        var a = design
        let ldb = max(rows, columns)
        var b = response + [Double](repeating: 0, count: ldb - rows)
        var s = [Double](repeating: 0, count: min(rows, columns))
        var rank: clapack_int = 0
        let info = LAPACKE_dgelsd(LAPACK_COL_MAJOR, clapack_int(rows), clapack_int(columns), 1,
                                  &a, clapack_int(rows), &b, clapack_int(ldb), &s, rcond, &rank)
        guard info == 0 else { throw SolveError(routine: "dgelsd", info: info) }
        return MinimumNormSolution(coefficients: Array(b.prefix(columns)), rank: Int(rank))
    }

    public static func solveMinimumNorm(design: [Double], rows: Int, columns: Int, response: [Double], weights: [Double],
                                        rcond: Double = 1e-10) throws(SolveError) -> MinimumNormSolution {
        let (a, b) = scaleRows(design: design, rows: rows, columns: columns, response: response, weights: weights)
        return try solveMinimumNorm(design: a, rows: rows, columns: columns, response: b, rcond: rcond)
    }

    public struct Solution: Sendable, Equatable {
        public var coefficients: [Double]
        /// True when QR was not trusted and the SVD path produced the answer.
        public var usedMinimumNorm: Bool
    }

    /// Weighted solve that takes the fast QR path when the design is well conditioned and falls
    /// back to `dgelsd` otherwise. `dgels` only reports an exactly zero pivot; a duplicate column
    /// usually leaves a pivot of rounding size instead, which would give huge cancelling
    /// coefficients, so the R diagonal is checked against `rcond` as well.
    public static func solveRankSafe(design: [Double], rows: Int, columns: Int, response: [Double], weights: [Double],
                                     rcond: Double = 1e-10) throws(SolveError) -> Solution {
        var (a, b) = scaleRows(design: design, rows: rows, columns: columns, response: response, weights: weights)
        if rows >= columns, columns > 0 {
            let qrInput = a
            let info = LAPACKE_dgels(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "N")), clapack_int(rows), clapack_int(columns), 1,
                                     &a, clapack_int(rows), &b, clapack_int(rows))
            if info < 0 { throw SolveError(routine: "dgels", info: info) }
            if info == 0 {
                var largest = 0.0, smallest = Double.infinity
                for j in 0..<columns {
                    let d = abs(a[j * rows + j])
                    largest = max(largest, d)
                    smallest = min(smallest, d)
                }
                if smallest > rcond * largest {
                    return Solution(coefficients: Array(b.prefix(columns)), usedMinimumNorm: false)
                }
            }
            a = qrInput
            b = scaleRows(design: design, rows: rows, columns: columns, response: response, weights: weights).1
        }
        let solution = try solveMinimumNorm(design: a, rows: rows, columns: columns, response: b, rcond: rcond)
        return Solution(coefficients: solution.coefficients, usedMinimumNorm: true)
    }

    private static func scaleRows(design: [Double], rows: Int, columns: Int, response: [Double],
                                  weights: [Double]) -> (design: [Double], response: [Double]) {
        precondition(weights.count == rows, "one weight per row")
        var a = design
        var b = response
        for i in 0..<rows {
            let r = weights[i] > 0 ? weights[i].squareRoot() : 0
            b[i] *= r
            for j in 0..<columns { a[j * rows + i] *= r }
        }
        return (a, b)
    }
}
