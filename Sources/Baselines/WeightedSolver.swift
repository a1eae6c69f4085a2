import CLapack
#if canImport(Glibc)
import Glibc
#endif

/// Repeated weighted least-squares solves on one design, as IRLS needs them, with every buffer
/// allocated once.
///
/// Each solve forms the weighted normal equations XᵀWX·β = XᵀWy with BLAS (`dsyrk`, `dgemv`) and
/// solves them by Cholesky (`dposv`). For the tall, narrow designs of a baseline (thousands of rows,
/// about twenty columns) that is several times cheaper than a QR of the scaled design per step, and
/// the Cholesky factor is Rᵀ of that QR, so its diagonal gives the same rank check as R's.
/// Squaring the condition number costs accuracy only for nearly collinear designs, so those take
/// the QR path (`dgels`) and, when really rank-deficient, the minimum-norm SVD path (`dgelsd`),
/// exactly as `LeastSquares.solveRankSafe` does.
struct WeightedSolver {
    let design: DesignMatrix
    private var scaled: [Double]
    private var scaledResponse: [Double]
    private var gram: [Double]
    private var rhs: [Double]
    private var root: [Double]

    /// Cholesky is trusted while the smallest diagonal of the factor is at least this fraction of
    /// the largest: a design condition number below 10⁶ leaves the normal equations about ten
    /// significant digits, far more than a baseline needs.
    static let choleskyRcond = 1e-6

    init(design: DesignMatrix) {
        _ = singleThreadedBLAS
        self.design = design
        scaled = [Double](repeating: 0, count: design.rows * design.columns)
        scaledResponse = [Double](repeating: 0, count: design.rows)
        gram = [Double](repeating: 0, count: design.columns * design.columns)
        rhs = [Double](repeating: 0, count: design.columns)
        root = [Double](repeating: 0, count: design.rows)
    }

    /// Minimises Σ wᵢ (yᵢ − xᵢ·β)². Rows with weight 0 drop out entirely.
    mutating func solve(response: [Double], weights: [Double]) throws(LeastSquares.SolveError) -> LeastSquares.Solution {
        let m = design.rows, n = design.columns
        precondition(response.count == m && weights.count == m, "one response and one weight per row")
        guard m >= n, n > 0 else {
            return try LeastSquares.solveRankSafe(design: design.values, rows: m, columns: n, response: response, weights: weights)
        }
        // Unsafe buffers: the scaling touches every entry of the design at every IRLS step, and
        // bounds checks kept it from vectorising.
        root.withUnsafeMutableBufferPointer { root in
            response.withUnsafeBufferPointer { y in
                weights.withUnsafeBufferPointer { w in
                    scaledResponse.withUnsafeMutableBufferPointer { b in
                        for i in 0..<m {
                            let r = w[i] > 0 ? w[i].squareRoot() : 0
                            root[i] = r
                            b[i] = y[i] * r
                        }
                    }
                }
            }
            design.values.withUnsafeBufferPointer { x in
                scaled.withUnsafeMutableBufferPointer { a in
                    for j in 0..<n {
                        let base = j * m
                        for i in 0..<m { a[base + i] = x[base + i] * root[i] }
                    }
                }
            }
        }
        // G = AᵀA (upper triangle), c = Aᵀb.
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, Int32(n), Int32(m), 1, scaled, Int32(m), 0, &gram, Int32(n))
        cblas_dgemv(CblasColMajor, CblasTrans, Int32(m), Int32(n), 1, scaled, Int32(m), scaledResponse, 1, 0, &rhs, 1)
        let info = LAPACKE_dposv(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "U")), clapack_int(n), 1, &gram, clapack_int(n),
                                 &rhs, clapack_int(n))
        if info < 0 { throw LeastSquares.SolveError(routine: "dposv", info: info) }
        if info == 0 {
            var largest = 0.0, smallest = Double.infinity
            for j in 0..<n {
                let d = abs(gram[j * n + j])
                largest = max(largest, d)
                smallest = min(smallest, d)
            }
            if smallest > Self.choleskyRcond * largest, rhs.allSatisfy(\.isFinite) {
                return LeastSquares.Solution(coefficients: rhs, usedMinimumNorm: false)
            }
        }
        // Not positive definite, or too close to singular for the normal equations: QR, then SVD.
        return try LeastSquares.solveRankSafe(design: design.values, rows: m, columns: n, response: response, weights: weights)
    }

    /// y − X·β into `out`, through BLAS.
    func residuals(response: [Double], coefficients: [Double], into out: inout [Double]) {
        let m = design.rows, n = design.columns
        for i in 0..<m { out[i] = response[i] }
        guard n > 0, m > 0 else { return }
        cblas_dgemv(CblasColMajor, CblasNoTrans, Int32(m), Int32(n), -1, design.values, Int32(m), coefficients, 1, 1, &out, 1)
    }
}

/// The k-th smallest value (0-based) by quickselect on `scratch`, which it reorders. O(n) on average
/// instead of the O(n log n) sort a median would otherwise pay at every IRLS step.
func select(_ k: Int, in scratch: inout [Double]) -> Double {
    // On the raw buffer: IRLS calls this at every step, and the checked swaps cost more than the
    // comparisons.
    scratch.withUnsafeMutableBufferPointer { s in
        var lo = 0, hi = s.count - 1
        while lo < hi {
            // Median of three as pivot keeps sorted and reversed inputs linear.
            let mid = lo + (hi - lo) / 2
            let a = s[lo], b = s[mid], c = s[hi]
            let pivot = max(min(a, b), min(max(a, b), c))
            var i = lo, j = hi
            while i <= j {
                while s[i] < pivot { i += 1 }
                while s[j] > pivot { j -= 1 }
                if i <= j {
                    s.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { return s[k] }
        }
        return s[k]
    }
}

/// The median of |values|, without sorting. NaN for an empty input.
func medianAbsolute(_ values: [Double], scratch: inout [Double]) -> Double {
    guard !values.isEmpty else { return .nan }
    if scratch.count != values.count { scratch = [Double](repeating: 0, count: values.count) }
    for i in values.indices { scratch[i] = abs(values[i]) }
    let n = values.count
    let upper = select(n / 2, in: &scratch)
    guard n % 2 == 0 else { return upper }
    // The lower middle is the largest value left of the upper one after the partition.
    var lower = -Double.infinity
    for i in 0..<(n / 2) { lower = max(lower, scratch[i]) }
    return (lower + upper) / 2
}

/// OpenBLAS's pthread build splits even a 4,032 × 20 `dsyrk` across threads; at this size the hand-off
/// costs more than the arithmetic (measured: 28 ms per model threaded vs 7.6 ms single-threaded on
/// two loaded cores). Parallelism belongs one level up, one series per core. Looked up at run time
/// because the reference BLAS has no such function, and the environment variable OpenBLAS reads is
/// consulted only when the library loads, before any of our code runs.
private let singleThreadedBLAS: Void = {
    #if canImport(Glibc)
    typealias SetThreads = @convention(c) (Int32) -> Void
    if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "openblas_set_num_threads") {
        unsafeBitCast(symbol, to: SetThreads.self)(1)
    }
    #endif
}()
