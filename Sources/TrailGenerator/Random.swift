import Foundation

/// SplitMix64: used to expand a user seed into independent stream seeds. A single
/// multiply-xorshift step is enough to decorrelate nearby inputs such as slot numbers.
@inline(__always)
func splitMix64(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// Hash of a seed and a path of integers, so every (slot, account, region) stream gets its own
/// generator: output then does not depend on the order streams are produced in.
func streamSeed(_ seed: UInt64, _ parts: UInt64...) -> UInt64 {
    var h = splitMix64(seed ^ 0x5452_4149_4C57_4154)  // "TRAILWAT"
    for p in parts { h = splitMix64(h ^ p) }
    return h
}

/// xoshiro256** (Blackman & Vigna): fast, small state, good statistical quality, and fully
/// specified, so the same seed gives the same trail on every platform and Swift version
/// (unlike `SystemRandomNumberGenerator` or `Double.random(in:using:)`, whose algorithms are
/// not part of the API contract).
struct Xoshiro256: RandomNumberGenerator, Sendable {
    private var s0, s1, s2, s3: UInt64

    init(seed: UInt64) {
        // Successive SplitMix64 outputs, as the xoshiro authors recommend for seeding.
        let g: UInt64 = 0x9E37_79B9_7F4A_7C15
        s0 = splitMix64(seed); s1 = splitMix64(seed &+ g); s2 = splitMix64(seed &+ 2 &* g); s3 = splitMix64(seed &+ 3 &* g)
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }
    }

    @inline(__always)
    mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform in [0, 1) with 53 bits.
    @inline(__always)
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform integer in 0..<n (n > 0); Lemire's multiply-shift, bias is negligible for our n.
    @inline(__always)
    mutating func below(_ n: Int) -> Int {
        Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(n)).high)
    }

    @inline(__always)
    mutating func chance(_ p: Double) -> Bool { unit() < p }

    @inline(__always)
    mutating func pick<T>(_ a: [T]) -> T { a[below(a.count)] }

    mutating func normal() -> Double {
        // Box–Muller; 1 - unit() keeps the log argument in (0, 1].
        let u1 = 1 - unit(), u2 = unit()
        return (-2 * Foundation.log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Poisson sample. Knuth's product method for small means; for larger means the rounded
    /// normal approximation is indistinguishable at the slot sizes we draw.
    mutating func poisson(_ lambda: Double) -> Int {
        guard lambda > 0 else { return 0 }
        if lambda < 30 {
            let limit = exp(-lambda)
            var k = 0
            var p = unit()
            while p > limit { k += 1; p *= unit() }
            return k
        }
        return max(0, Int((lambda + lambda.squareRoot() * normal()).rounded()))
    }
}

/// Cumulative-weight table for O(log n) weighted choice.
struct WeightedTable: Sendable {
    private(set) var cumulative: [Double] = []
    var total: Double { cumulative.last ?? 0 }
    var isEmpty: Bool { cumulative.isEmpty }

    init(_ weights: [Double]) {
        var sum = 0.0
        cumulative.reserveCapacity(weights.count)
        for w in weights { sum += max(0, w); cumulative.append(sum) }
    }

    func pick(_ rng: inout Xoshiro256) -> Int {
        let x = rng.unit() * total
        var lo = 0, hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] > x { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
