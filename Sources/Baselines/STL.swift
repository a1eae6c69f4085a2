import Foundation

/// Seasonal-trend decomposition by loess (Cleveland, Cleveland, McRae & Terpenning, "STL: A
/// Seasonal-Trend Decomposition Procedure Based on Loess", J. Official Statistics 6(1), 1990).
///
/// A line-by-line port of the reference Fortran (`stl.f`, as statsmodels' `_stl.pyx` carries it),
/// so that with jumps of 1 it reproduces statsmodels' `STL` to rounding; the tests hold it to a
/// fixture statsmodels computed. Each inner pass is:
///   1. detrend: y − T;
///   2. cycle-subseries smoothing: every phase of the cycle (all the 3 a.m. values, …) is
///      smoothed across cycles by loess with the seasonal window, extended one cycle either side;
///   3. low-pass filter of that: moving averages of length p, p, 3, then loess with window nl;
///   4. S = the cycle-subseries smooth − its low-pass (so the seasonal part carries no level);
///   5. deseasonalise and smooth by loess with the trend window: T.
/// The outer loop turns residuals into bisquare robustness weights (h = 6·median|R|) that every
/// loess of the next pass multiplies in, so an incident stops pulling on S and T.
///
/// Cost: a loess with window q evaluated at every point is O(n·q); with a jump j it is evaluated at
/// every j-th point and linearly interpolated in between, O(n·q/j). With the jumps Cleveland's
/// `stlez` picks (⌈q/10⌉) every smoother costs about 10 operations per point whatever its window,
/// so a pass is O(n). The moving averages are running sums, O(n) for any length.
public struct STL: Sendable, Equatable {
    /// Points per cycle.
    public var period: Int
    /// Seasonal smoothing window in cycles (odd, ≥ 3).
    public var seasonal: Int
    /// Trend window in points (odd, ≥ 3).
    public var trend: Int
    /// Low-pass window in points (odd, > period).
    public var lowPass: Int
    public var seasonalDegree: Int = 1
    public var trendDegree: Int = 1
    public var lowPassDegree: Int = 1
    public var seasonalJump: Int = 1
    public var trendJump: Int = 1
    public var lowPassJump: Int = 1

    /// The statsmodels defaults for a period: seasonal window 7, trend window the smallest odd
    /// integer ≥ 1.5·p / (1 − 1.5/seasonal), low-pass window the smallest odd integer > p, local
    /// lines everywhere and no jumps (exact loess at every point).
    public init(period: Int, seasonal: Int = 7, trend: Int? = nil, lowPass: Int? = nil) {
        precondition(period >= 2, "STL needs at least two points per cycle")
        self.period = period
        let s = max(3, seasonal | 1)
        self.seasonal = s
        let t = trend ?? Int((1.5 * Double(period) / (1 - 1.5 / Double(s))).rounded(.up))
        self.trend = max(3, t | 1)
        self.lowPass = max(3, lowPass ?? ((period + 1) | 1))
    }

    /// The jumps of Cleveland's `stlez`: each smoother evaluated at about a tenth of its window's
    /// points. What makes a pass O(n); the interpolation error is far below the noise.
    public func withFastJumps() -> STL {
        var copy = self
        copy.seasonalJump = max(1, Int((Double(seasonal) / 10).rounded(.up)))
        copy.trendJump = max(1, Int((Double(trend) / 10).rounded(.up)))
        copy.lowPassJump = max(1, Int((Double(lowPass) / 10).rounded(.up)))
        return copy
    }

    public struct Result: Sendable, Equatable {
        public var seasonal: [Double]
        public var trend: [Double]
        public var residual: [Double]
        /// Bisquare robustness weights in [0, 1] of the last outer pass (all 1 without one, apart
        /// from points given weight 0 on entry).
        public var weights: [Double]
    }

    /// Decomposes `y` (no NaN; at least two full cycles). `inner` and `outer` as in statsmodels'
    /// `fit(inner_iter:outer_iter:)`: robust STL is inner 2, outer 15; plain STL inner 5, outer 0.
    ///
    /// `initialWeights`, when given, are used by every loess from the first pass on. Points with
    /// weight 0 (gaps filled by interpolation) never inform a smoother and keep weight 0, and a
    /// caller chaining decompositions (MSTL) can pass on the weights of the previous one so each
    /// starts with the incidents already discounted. `trend` likewise seeds the first detrending.
    public func decompose(_ y: [Double], inner: Int, outer: Int, initialWeights: [Double]? = nil,
                          initialTrend: [Double]? = nil) -> Result {
        let n = y.count
        precondition(n >= 2 * period, "STL needs at least two full cycles")
        precondition(initialWeights == nil || initialWeights!.count == n, "one weight per point")
        precondition(initialTrend == nil || initialTrend!.count == n, "one trend value per point")
        var state = State(n: n, period: period)
        if let w = initialWeights {
            state.rw = w
            state.useWeights = true
        }
        if let t = initialTrend { state.trend = t }
        let fixedZero = initialWeights.map { w in w.indices.filter { w[$0] == 0 } } ?? []
        var k = 0
        while true {
            state.innerLoop(y, self, iterations: max(inner, 1))
            k += 1
            if k > outer { break }
            state.robustnessWeights(y, keepingZero: fixedZero)
            state.useWeights = true
        }
        var residual = [Double](repeating: 0, count: n)
        for i in 0..<n { residual[i] = y[i] - state.season[i] - state.trend[i] }
        return Result(seasonal: state.season, trend: state.trend, residual: residual, weights: state.rw)
    }

    /// Working storage of one decomposition; five rows of n + 2p as in the Fortran.
    private struct State {
        let n: Int
        let np: Int
        var season: [Double]
        var trend: [Double]
        var rw: [Double]
        var useWeights = false
        var work: [[Double]]

        init(n: Int, period: Int) {
            self.n = n
            np = period
            season = [Double](repeating: 0, count: n)
            trend = [Double](repeating: 0, count: n)
            rw = [Double](repeating: 1, count: n)
            work = [[Double]](repeating: [Double](repeating: 0, count: n + 2 * period), count: 5)
        }

        mutating func innerLoop(_ y: [Double], _ p: STL, iterations: Int) {
            for _ in 0..<iterations {
                for i in 0..<n { work[0][i] = y[i] - trend[i] }
                cycleSubseries(p)
                lowPassFilter()
                smoothArray(work[2], n: n, window: p.lowPass, degree: p.lowPassDegree, jump: p.lowPassJump, weights: nil,
                            into: &work[0])
                for i in 0..<n {
                    season[i] = work[1][np + i] - work[0][i]
                    work[0][i] = y[i] - season[i]
                }
                smoothArray(work[0], n: n, window: p.trend, degree: p.trendDegree, jump: p.trendJump,
                            weights: useWeights ? rw : nil, into: &trend)
            }
        }

        /// Each phase of the cycle smoothed across cycles, plus one extrapolated cycle at either
        /// end: work[1] (n + 2p) from work[0] (n).
        mutating func cycleSubseries(_ p: STL) {
            let maxK = (n - 1) / np + 1
            var sub = [Double](repeating: 0, count: maxK)
            var subW = [Double](repeating: 1, count: maxK)
            var out = [Double](repeating: 0, count: maxK + 2)
            var smoothed = [Double](repeating: 0, count: maxK)
            var table = TricubeTable()
            for j in 0..<np {
                let k = (n - (j + 1)) / np + 1
                for i in 0..<k { sub[i] = work[0][i * np + j] }
                if useWeights { for i in 0..<k { subW[i] = rw[i * np + j] } }
                sub.withUnsafeBufferPointer { ys in
                    subW.withUnsafeBufferPointer { ws in
                        let w: UnsafeBufferPointer<Double>? = useWeights ? ws : nil
                        smoothed.withUnsafeMutableBufferPointer { s in
                            loessSmooth(ys, n: k, window: p.seasonal, degree: p.seasonalDegree, jump: p.seasonalJump, weights: w, into: s,
                                        table: &table)
                        }
                        for m in 0..<k { out[m + 1] = smoothed[m] }
                        out[0] = loessEstimate(ys, n: k, window: p.seasonal, degree: p.seasonalDegree, at: 0,
                                               left: 1, right: min(p.seasonal, k), weights: w, table: &table) ?? out[1]
                        out[k + 1] = loessEstimate(ys, n: k, window: p.seasonal, degree: p.seasonalDegree, at: k + 1,
                                                   left: max(1, k - p.seasonal + 1), right: k, weights: w, table: &table) ?? out[k]
                    }
                }
                for m in 0..<(k + 2) { work[1][m * np + j] = out[m] }
            }
        }

        /// Moving averages of length p, p and 3 over work[1] (n + 2p points) into work[2] (n).
        mutating func lowPassFilter() {
            movingAverage(work[1], n: n + 2 * np, length: np, into: &work[2])
            movingAverage(work[2], n: n + np + 1, length: np, into: &work[0])
            movingAverage(work[0], n: n + 2, length: 3, into: &work[2])
        }

        /// Bisquare weights of the residuals with h = 6·median|R| (the Fortran's `stlrwt`). Points
        /// held at 0 on entry stay there: they are gaps, and their residuals mean nothing.
        mutating func robustnessWeights(_ y: [Double], keepingZero fixed: [Int]) {
            var r = [Double](repeating: 0, count: n)
            for i in 0..<n { r[i] = abs(y[i] - trend[i] - season[i]) }
            var scratch = r
            // Gaps are excluded from the median when there are any.
            if !fixed.isEmpty {
                var isFixed = [Bool](repeating: false, count: n)
                for i in fixed { isFixed[i] = true }
                scratch = (0..<n).filter { !isFixed[$0] }.map { r[$0] }
            }
            let m = scratch.count
            guard m > 0 else { return }
            let upper = select(m / 2, in: &scratch)
            let lower = select(m - m / 2 - 1, in: &scratch)
            let cmad = 3 * (upper + lower)
            if cmad == 0 {
                for i in 0..<n { rw[i] = 1 }
            } else {
                let c9 = 0.999 * cmad, c1 = 0.001 * cmad
                for i in 0..<n {
                    let a = r[i]
                    if a <= c1 { rw[i] = 1 } else if a <= c9 {
                        let u = a / cmad
                        rw[i] = (1 - u * u) * (1 - u * u)
                    } else { rw[i] = 0 }
                }
            }
            for i in fixed { rw[i] = 0 }
        }
    }
}

/// Loess of `y` into `out` (first n values).
private func smoothArray(_ y: [Double], n: Int, window: Int, degree: Int, jump: Int, weights: [Double]?, into out: inout [Double]) {
    var table = TricubeTable()
    y.withUnsafeBufferPointer { ys in
        out.withUnsafeMutableBufferPointer { o in
            if let weights {
                weights.withUnsafeBufferPointer { ws in
                    loessSmooth(ys, n: n, window: window, degree: degree, jump: jump, weights: ws, into: o, table: &table)
                }
            } else {
                loessSmooth(ys, n: n, window: window, degree: degree, jump: jump, weights: nil, into: o, table: &table)
            }
        }
    }
}

/// Running-sum moving average: `out[j] = mean(x[j ..< j + length])` for j in 0...n − length.
private func movingAverage(_ x: [Double], n: Int, length: Int, into out: inout [Double]) {
    let count = n - length + 1
    guard count > 0 else { return }
    let f = Double(length)
    var v = 0.0
    for i in 0..<length { v += x[i] }
    out[0] = v / f
    for j in 1..<max(count, 1) {
        v += x[length + j - 1] - x[j - 1]
        out[j] = v / f
    }
}

/// Tricube weights by integer distance for one bandwidth h. Positions are integers, so every
/// interior estimate of a smoother uses the same h and the same weights: computed once per h
/// instead of a division and three multiplications per point and estimate.
struct TricubeTable {
    private(set) var h = -1.0
    private(set) var weights: [Double] = []

    mutating func prepare(_ h: Double) {
        guard h != self.h else { return }
        self.h = h
        let size = Int(h) + 1
        if weights.count < size { weights = [Double](repeating: 0, count: size) }
        let h9 = 0.999 * h, h1 = 0.001 * h
        for r in 0..<size {
            let d = Double(r)
            if d > h9 { weights[r] = 0 } else if d <= h1 { weights[r] = 1 } else {
                let q = d / h
                let c = 1 - q * q * q
                weights[r] = c * c * c
            }
        }
    }
}

/// One local-polynomial (degree 0 or 1) estimate at position `xs` (1-based, as in the Fortran, so
/// 0 and n + 1 extrapolate one step) from points left...right (1-based, inclusive) with tricube
/// distance weights times the robustness weights. nil when every weight is zero.
func loessEstimate(_ y: UnsafeBufferPointer<Double>, n: Int, window: Int, degree: Int, at xs: Int, left: Int, right: Int,
                   weights rw: UnsafeBufferPointer<Double>?, table: inout TricubeTable) -> Double? {
    let range = Double(n) - 1
    var h = Double(max(xs - left, right - xs))
    if window > n { h += Double((window - n) / 2) }
    // Moments of the weights in offsets d = j − xs (small numbers, no cancellation): the weighted
    // line is determined by them, so the weights need not be stored.
    var sw = 0.0, sd = 0.0, sdd = 0.0, sy = 0.0, sdy = 0.0
    @inline(__always) func add(_ w: Double, _ d: Int, _ v: Double) {
        let fd = Double(d)
        sw += w
        sd += w * fd
        sdd += w * fd * fd
        sy += w * v
        sdy += w * fd * v
    }
    if h == table.h {
        // Interior estimates: the shared table.
        table.weights.withUnsafeBufferPointer { tw in
            if let rw {
                for j in left...right { add(tw[abs(j - xs)] * rw[j - 1], j - xs, y[j - 1]) }
            } else {
                for j in left...right { add(tw[abs(j - xs)], j - xs, y[j - 1]) }
            }
        }
    } else {
        // Near the ends every estimate has its own bandwidth: weights computed in place.
        let h9 = 0.999 * h, h1 = 0.001 * h, inv = 1 / h
        for j in left...right {
            let r = Double(abs(j - xs))
            guard r <= h9 else { continue }
            var w = 1.0
            if r > h1 {
                let q = r * inv
                let c = 1 - q * q * q
                w = c * c * c
            }
            if let rw { w *= rw[j - 1] }
            add(w, j - xs, y[j - 1])
        }
    }
    guard sw > 0 else { return nil }
    // With normalised weights ŵ = w/Σw: mean offset a, spread c = Σ ŵ (d − a)²; the Fortran's
    // Σ ŵ (b (d − a) + 1) y with b = (0 − a)/c, in closed form.
    let a = sd / sw
    let mean = sy / sw
    guard h > 0, degree > 0 else { return mean }
    let c = sdd / sw - a * a
    guard c > 0, c.squareRoot() > 0.001 * range else { return mean }
    return mean - a / c * (sdy / sw - a * mean)
}

/// Loess over y[0..<n] into out[0..<n], evaluated every `jump` points and interpolated between
/// (statsmodels' `_ess`, including its choice of windows at the ends).
func loessSmooth(_ y: UnsafeBufferPointer<Double>, n: Int, window: Int, degree: Int, jump: Int,
                 weights rw: UnsafeBufferPointer<Double>?, into ys: UnsafeMutableBufferPointer<Double>, table: inout TricubeTable) {
    if n < 2 {
        if n == 1 { ys[0] = y[0] }
        return
    }
    let newnj = min(jump, n - 1)
    // The interior bandwidth: (window − 1)/2 on either side of the point.
    if window < n { table.prepare(Double((window - 1) / 2)) }
    var nleft = 1, nright = n
    func est(_ i: Int) -> Double {
        loessEstimate(y, n: n, window: window, degree: degree, at: i + 1, left: nleft, right: nright, weights: rw, table: &table) ?? y[i]
    }
    if window >= n {
        nleft = 1
        nright = n
        for i in stride(from: 0, to: n, by: newnj) { ys[i] = est(i) }
    } else if newnj == 1 {
        let nsh = (window + 2) / 2
        nleft = 1
        nright = window
        for i in 0..<n {
            if i + 1 > nsh && nright != n {
                nleft += 1
                nright += 1
            }
            ys[i] = est(i)
        }
    } else {
        let nsh = (window + 1) / 2
        for i in stride(from: 0, to: n, by: newnj) {
            if i + 1 < nsh {
                nleft = 1
                nright = window
            } else if i + 1 >= n - nsh + 1 {
                nleft = n - window + 1
                nright = n
            } else {
                nleft = i + 1 - nsh + 1
                nright = window + i + 1 - nsh
            }
            ys[i] = est(i)
        }
    }
    guard newnj != 1 else { return }
    var i = 0
    while i < n - newnj {
        let delta = (ys[i + newnj] - ys[i]) / Double(newnj)
        for j in i..<(i + newnj) { ys[j] = ys[i] + delta * Double(j - i) }
        i += newnj
    }
    let k = ((n - 1) / newnj) * newnj + 1
    if k != n {
        ys[n - 1] = est(n - 1)
        if k != n - 1 {
            let delta = (ys[n - 1] - ys[k - 1]) / Double(n - k)
            for j in k..<n { ys[j] = ys[k - 1] + delta * Double(j + 1 - k) }
        }
    }
}
