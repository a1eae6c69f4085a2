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
        precondition(weights.count == rows, "one weight per row")
        var a = design
        var b = response
        for i in 0..<rows {
            let r = weights[i] > 0 ? weights[i].squareRoot() : 0
            b[i] *= r
            for j in 0..<columns { a[j * rows + i] *= r }
        }
        return try solve(design: a, rows: rows, columns: columns, response: b)
    }
}
